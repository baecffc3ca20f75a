"""Every sequence of answers through a (validated, loop-free) tree, and the page each reaches."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..site_paths import guide_page
from .model import Answer, Question, Result, Tree


@dataclass(frozen=True)
class Step:
    """One answered question on the way to a page."""

    question: Question
    answer: Answer


@dataclass(frozen=True)
class Stop:
    """A page of the guide: the answers that lead to it, and the node it shows."""

    steps: tuple[Step, ...]
    node: Question | Result

    @property
    def page(self) -> str:
        return guide_page(tuple(s.answer.id for s in self.steps))


def nodes_by_id(tree: Tree) -> dict[str, Question | Result]:
    return {n.id: n for n in [*tree.questions, *tree.results]}


def walk(tree: Tree) -> Iterator[Stop]:
    """Every page, depth first, answers in the order the tree lists them."""
    nodes = nodes_by_id(tree)

    def visit(steps: tuple[Step, ...], node: Question | Result) -> Iterator[Stop]:
        yield Stop(steps, node)
        if isinstance(node, Question):
            for answer in node.answers:
                yield from visit(steps + (Step(node, answer),), nodes[answer.next])

    yield from visit((), nodes[tree.start])


def complete_paths(tree: Tree) -> list[Stop]:
    """The pages that end a path: one per way through the guide."""
    return [stop for stop in walk(tree) if isinstance(stop.node, Result)]


def follow(tree: Tree, answer_ids: list[str]) -> Question | Result:
    """The node reached by giving these answers from the start (KeyError if one does not fit)."""
    nodes = nodes_by_id(tree)
    node = nodes[tree.start]
    for answer_id in answer_ids:
        if not isinstance(node, Question):
            raise KeyError(f"{node.id} is a result; no more answers")
        by_id = {a.id: a for a in node.answers}
        node = nodes[by_id[answer_id].next]
    return node
