"""Generate the guide's pages: the start page, one page per path of answers, the whole tree."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import codeset
from ..render import render
from ..site_paths import GUIDE_ALL_PATHS, GUIDE_START, QUERY_EXAMPLES, RELATED, code_anchor, guide_page, href
from .model import Question, Result, Tree
from .paths import Stop, walk
from .rows import rows_for

# The query examples a result may link to: headings with an explicit id on that page.
HEADING_ID = re.compile(r"^#{2,4} .*\{#([a-z0-9-]+)\}\s*$", re.M)


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


def query_examples(markdown: str | None) -> set[str]:
    """Anchors of the query examples on the documentation-template page."""
    return set(HEADING_ID.findall(markdown)) if markdown else set()


def render_pages(tree: Tree, rows: set[str]) -> dict[str, str]:
    """Every page of the guide (one per path of answers, and the whole tree), as Markdown."""
    pages = {stop.page: render_stop(stop, rows) for stop in walk(tree)}
    pages[GUIDE_ALL_PATHS] = render_all_paths(tree)
    return pages


def summary(stop: Stop) -> list[SummaryRow]:
    here = stop.page
    return [
        SummaryRow(
            question=step.question.question,
            answer=step.answer.label,
            change_href=href(here, guide_page(tuple(s.answer.id for s in stop.steps[:i]))),
        )
        for i, step in enumerate(stop.steps)
    ]


def render_stop(stop: Stop, rows: set[str]) -> str:
    here = stop.page
    common = dict(
        summary=summary(stop),
        start_href=href(here, GUIDE_START),
        all_paths_href=href(here, GUIDE_ALL_PATHS),
        is_start=here == GUIDE_START,
        # Search should land on reference pages, not on one step of one path.
        searchable=here == GUIDE_START,
    )
    node = stop.node
    if isinstance(node, Question):
        ids = tuple(s.answer.id for s in stop.steps)
        answers = [Link(a.label, href(here, guide_page(ids + (a.id,))), a.hint) for a in node.answers]
        return render("guide/step.md.j2", question=node, answers=answers, **common)
    return render(
        "guide/result.md.j2",
        result=node,
        codes=code_lines(node),
        codes_heading=codes_heading(node)[0],
        codes_notes=codes_heading(node)[1],
        query_href=href(here, QUERY_EXAMPLES, node.query_example) if node.query_example else None,
        related=[
            Link(row, href(here, RELATED, code_anchor(row)), codeset.lookup(row).title)
            for row in rows_for(node, rows)
        ],
        **common,
    )


def code_lines(result: Result) -> list[CodeLine]:
    return [CodeLine(c.code, codeset.title(c.code), c.when) for c in result.codes]


# Where a result fixes no order (sequence: any): what decides the first code, by setting.
NO_FIXED_ORDER = ("No rule fixes the order of these codes: list first the one chiefly responsible for the visit "
                  "(Section IV.G, outpatient) or, for an inpatient stay, the principal diagnosis (Section II).")


def codes_heading(result: Result) -> tuple[str, list[str]]:
    """The heading over a result's codes, and notes on order and conditions.

    The heading states an order only where a rule sets one.
    """
    notes = []
    if any(c.when for c in result.codes):
        notes.append("A code followed by a condition in brackets is reported only where that condition applies.")
    if result.kind == "query":
        return "What the record supports until the provider answers", notes
    if len(result.codes) == 1:
        return "Report", notes
    if result.sequence == "as-listed":
        return "Report, in this order", notes
    if result.sequence == "first-listed":
        return "Report the first code first, then the others", notes
    notes.append(NO_FIXED_ORDER)
    return "Report", notes


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
            return OutlineNode(None, [], node, code_lines(node), href(GUIDE_ALL_PATHS, guide_page(ids)))
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
        start_href=href(GUIDE_ALL_PATHS, GUIDE_START),
        question_count=len(tree.questions),
        result_count=len(tree.results),
        path_count=sum(isinstance(s.node, Result) for s in stops),
    )
