"""Generate the guide's pages: the start page, one page per path of answers, the whole tree."""
from __future__ import annotations

from dataclasses import dataclass

from .. import codeset
from ..pipeline import Context
from ..render import anchor, render
from .model import Question, Result, Tree
from .paths import ALL_PATHS_PAGE, START_PAGE, Stop, href, page_path, walk
from .rows import related_rows, rows_for
from .validate import load_tree

TREE_FILE = "decision_tree.yml"
RELATED_PAGE = "related-codes.md"


@dataclass(frozen=True)
class SummaryRow:
    """One row of "Your answers so far": the question, the answer, where to change it."""

    question: str
    answer: str
    change_href: str


@dataclass(frozen=True)
class Link:
    text: str
    href: str
    hint: str | None = None


@dataclass(frozen=True)
class CodeLine:
    code: str
    title: str
    when: str | None


def generate(ctx: Context) -> None:
    rows = related_rows(ctx)
    tree, errors = load_tree(ctx.data_dir / TREE_FILE, f"data/{TREE_FILE}", rows)
    ctx.errors.extend(errors)
    if tree is None or rows is None:
        return
    for stop in walk(tree):
        ctx.pages[stop.page] = render_stop(stop, rows)
    ctx.pages[ALL_PATHS_PAGE] = render_all_paths(tree)


def summary(stop: Stop) -> list[SummaryRow]:
    here = stop.page
    return [
        SummaryRow(
            question=step.question.question,
            answer=step.answer.label,
            change_href=href(here, page_path(tuple(s.answer.id for s in stop.steps[:i]))),
        )
        for i, step in enumerate(stop.steps)
    ]


def render_stop(stop: Stop, rows: set[str]) -> str:
    here = stop.page
    common = dict(
        summary=summary(stop),
        start_href=href(here, START_PAGE),
        all_paths_href=href(here, ALL_PATHS_PAGE),
        is_start=here == START_PAGE,
        # Search should land on reference pages, not on one step of one path.
        searchable=here == START_PAGE,
    )
    node = stop.node
    if isinstance(node, Question):
        ids = tuple(s.answer.id for s in stop.steps)
        answers = [Link(a.label, href(here, page_path(ids + (a.id,))), a.hint) for a in node.answers]
        return render("guide/step.md.j2", question=node, answers=answers, **common)
    return render(
        "guide/result.md.j2",
        result=node,
        codes=code_lines(node),
        related=[
            Link(row, href(here, RELATED_PAGE, anchor(row)), codeset.lookup(row).title)
            for row in rows_for(node, rows)
        ],
        **common,
    )


def code_lines(result: Result) -> list[CodeLine]:
    return [CodeLine(c.code, codeset.title(c.code), c.when) for c in result.codes]


@dataclass(frozen=True)
class OutlineNode:
    """The whole tree as nested lists: a question with its answers, or a result."""

    question: str | None
    answers: list[tuple[str, "OutlineNode"]]
    result: Result | None
    codes: list[CodeLine]
    result_href: str | None


def outline(tree: Tree) -> OutlineNode:
    nodes = {n.id: n for n in [*tree.questions, *tree.results]}

    def build(node: Question | Result, ids: tuple[str, ...]) -> OutlineNode:
        if isinstance(node, Result):
            return OutlineNode(None, [], node, code_lines(node), href(ALL_PATHS_PAGE, page_path(ids)))
        return OutlineNode(
            node.question,
            [(a.label, build(nodes[a.next], ids + (a.id,))) for a in node.answers],
            None,
            [],
            None,
        )

    return build(nodes[tree.start], ())


def render_all_paths(tree: Tree) -> str:
    stops = list(walk(tree))
    return render(
        "guide/all_paths.md.j2",
        root=outline(tree),
        start_href=href(ALL_PATHS_PAGE, START_PAGE),
        question_count=len(tree.questions),
        result_count=len(tree.results),
        path_count=sum(isinstance(s.node, Result) for s in stops),
    )
