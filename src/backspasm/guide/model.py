"""Typed nodes of the decision tree. Text is plain text: the templates escape it."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..models import Strict

# Ids become folder and file names in the site (guide/<answer>/<answer>.html).
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

# What a result tells the reader to do.
#   report:   the record supports these codes; report them.
#   query:    ask the provider first; the codes are what the record supports meanwhile.
#   escalate: a red flag: tell the clinician now; the codes are what the record supports.
#   outside:  the guide does not cover this; follow the Alphabetic Index entry named. No code.
Kind = Literal["report", "query", "escalate", "outside"]

# How the codes of a result are sequenced.
#   any:          no rule fixes the order; list first the condition chiefly responsible
#                 for the encounter (Sections II and IV.G).
#   first-listed: the first code goes first (e.g. the late effect before the injury it
#                 came from, I.C.19.a); the others in any order.
#   as-listed:    in exactly the order listed.
Sequence = Literal["any", "first-listed", "as-listed"]


class Answer(Strict):
    id: str = Field(pattern=SLUG)
    label: str = Field(min_length=1)
    hint: str | None = None
    next: str = Field(min_length=1)  # a question id or a result id


class Question(Strict):
    id: str = Field(pattern=SLUG)
    question: str = Field(min_length=1)
    hint: str | None = None
    answers: list[Answer] = Field(min_length=2)


class CodeToReport(Strict):
    """One code of a result; titles come from the official data only.

    A code with `when` is conditional: it is reported only where its condition applies.
    Conditional codes that share a `one_of` name are alternatives: at most one of them.
    """

    code: str
    when: str | None = None  # e.g. "if urinary retention is documented"
    one_of: str | None = Field(default=None, pattern=SLUG)


class Query(Strict):
    """A compliant, non-leading provider query (AHIMA/ACDIS 2022)."""

    when: str | None = None  # when to send it, for a result that is not itself a query
    clinical_indicators: list[str] = Field(min_length=1)
    question: str = Field(min_length=1)
    options: list[str] = Field(min_length=3)


class Result(Strict):
    id: str = Field(pattern=SLUG)
    kind: Kind = "report"
    heading: str = Field(min_length=1)
    summary: str | None = None  # one line under the heading
    codes: list[CodeToReport] = Field(default_factory=list)  # none for an outside result
    sequence: Sequence = "as-listed"
    why: list[str] = Field(min_length=1)  # guideline sections or tabular notes
    # Alphabetic Index entries the result rests on (report) or sends the reader to
    # (outside). The build checks codes against the tabular; it cannot check the Index.
    index: list[str] = Field(default_factory=list)
    do_not_add: list[str] = Field(default_factory=list)
    document_next_time: list[str] = Field(default_factory=list)
    query: Query | None = None
    # An anchor of the query examples on the documentation-template page.
    query_example: str | None = Field(default=None, pattern=SLUG)
    # Extra rows of the related-codes table to link, for codes that have none.
    related_rows: list[str] = Field(default_factory=list)
    # A report result whose codes all have a condition: why every record that reaches it
    # meets at least one (the path to it says so), so it never ends with nothing to report.
    always_one: str | None = Field(default=None, min_length=10)

    @property
    def required_codes(self) -> list[str]:
        return [c.code for c in self.codes if c.when is None]


class Tree(Strict):
    start: str = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    results: list[Result] = Field(min_length=1)
