"""Typed nodes of the decision tree. Text is plain text: the templates escape it."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..models import Strict

# Ids become folder and file names in the site (guide/<answer>/<answer>.html).
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


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
    """One code in the reporting sequence; titles come from the official data only."""

    code: str
    when: str | None = None  # e.g. "when urinary retention is documented"


class Query(Strict):
    """A compliant, non-leading provider query (AHIMA/ACDIS 2022)."""

    clinical_indicators: list[str] = Field(min_length=1)
    question: str = Field(min_length=1)
    options: list[str] = Field(min_length=3)


class Result(Strict):
    id: str = Field(pattern=SLUG)
    kind: Literal["report", "query", "escalate"] = "report"
    heading: str = Field(min_length=1)
    summary: str | None = None  # one line under the heading
    codes: list[CodeToReport] = Field(min_length=1)
    why: list[str] = Field(min_length=1)  # guideline sections or tabular notes
    do_not_add: list[str] = Field(min_length=1)
    document_next_time: list[str] = Field(min_length=1)
    query: Query | None = None
    # Extra rows of the related-codes table to link, for codes that have none.
    related_rows: list[str] = Field(default_factory=list)


class Tree(Strict):
    start: str = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    results: list[Result] = Field(min_length=1)
