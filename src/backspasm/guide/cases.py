"""The case book (data/cases.yml): the guide's executable specification.

Each case is a short record, the answers a coder gives in the guide, and the outcome
an auditor expects. The build walks every case through the decision tree and fails,
naming the case, when the answers do not fit the tree or the guide's result differs
from the expected outcome; and it fails naming every result that no case reaches.

How a case's codes are compared with the result it reaches (also in the YAML header):
- outcome must equal the result's kind (report, query, escalate, outside);
- outside: the case names no code;
- every code of the case must be on the result; every code of the result without a
  condition (`when`) must be in the case; a conditional code is in the case exactly
  when the vignette documents its condition;
- at most one code of each `one_of` group of the result;
- order: the result's `sequence` decides: as-listed, the case keeps the result's order;
  first-listed, the result's first code comes first, the rest in any order; any, free.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from ..checks import check_code
from ..errors import DataError
from ..loader import read_yaml, validate_each
from ..models import Strict
from .model import SLUG, Kind, Question, Result, Tree
from .paths import nodes_by_id

CASES_FILE = "cases.yml"

Topic = Literal["site-and-muscle", "injury", "spine-conditions", "red-flags", "documentation-and-queries"]
Level = Literal["foundation", "intermediate", "advanced"]


class Expected(Strict):
    outcome: Kind
    codes: list[str] = Field(default_factory=list)  # billable, in reporting order


class Case(Strict):
    id: str = Field(pattern=SLUG)
    topic: Topic
    level: Level
    teaches: str = Field(min_length=1)  # one line: what the case trains
    # The record, line by line as a provider writes it (setting and history, exam,
    # assessment, plan): each line is one line of text, the list keeps the structure.
    vignette: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    answers: list[str] = Field(min_length=1)  # answer ids, from the start question
    expected: Expected
    rationale: str = Field(min_length=1)  # guideline section, tabular note or Index entry


def load_cases(path: Path, display: str) -> tuple[list[Case], list[DataError]]:
    """Every case, or the problems found (each naming the case), checked against the tabular."""
    raw, errors = read_yaml(path, display)
    if errors:
        return [], errors
    cases: list[Case] = []
    seen: set[str] = set()
    for case in validate_each(raw, Case, "case", display, errors):
        name = f"case '{case.id}'"
        if case.id in seen:
            errors.append(DataError(display, name, "duplicate case id"))
            continue
        seen.add(case.id)
        problems = [p for code in case.expected.codes for p in check_code(code, file=display, entry=name, report=True)]
        if len(set(case.expected.codes)) != len(case.expected.codes):
            problems.append(DataError(display, name, "a code is listed twice"))
        errors += problems
        if not problems:
            cases.append(case)
    return cases, errors


def walk(tree: Tree, answers: list[str]) -> tuple[Result | None, str | None]:
    """The result these answers reach from the start, or None and why they do not fit."""
    nodes = nodes_by_id(tree)
    node = nodes[tree.start]
    for step, answer_id in enumerate(answers, start=1):
        if not isinstance(node, Question):
            return None, f"answer {step} '{answer_id}' comes after the guide already ended on result '{node.id}'"
        by_id = {a.id: a for a in node.answers}
        if answer_id not in by_id:
            offered = ", ".join(by_id)
            return None, f"answer {step} '{answer_id}' is not an answer of question '{node.id}' (its answers: {offered})"
        node = nodes[by_id[answer_id].next]
    if isinstance(node, Question):
        return None, f"the answers stop at question '{node.id}' before a result"
    return node, None


def compare(result: Result, outcome: str, codes: list[str]) -> list[str]:
    """Every way the expected outcome differs from the result (empty when they agree)."""
    where = f"result '{result.id}'"
    if outcome != result.kind:
        return [f"expected outcome '{outcome}', but the guide ends on {where}, a {result.kind} result"]
    if result.kind == "outside":
        return [f"{where} is outside this guide and names no code; expected codes must be empty"] if codes else []
    problems = []
    listed = [c.code for c in result.codes]
    for code in codes:
        if code not in listed:
            problems.append(f"code {code} is not on {where} (its codes: {', '.join(listed)})")
    for code in result.required_codes:
        if code not in codes:
            problems.append(f"{where} reports {code} in every case, but the case does not list it")
    groups: dict[str, list[str]] = {}
    for item in result.codes:
        if item.one_of and item.code in codes:
            groups.setdefault(item.one_of, []).append(item.code)
    for name, chosen in groups.items():
        if len(chosen) > 1:
            problems.append(f"{' and '.join(chosen)} are alternatives on {where} (one_of '{name}'): name one")
    if problems:
        return problems
    if result.sequence == "as-listed":
        in_order = [code for code in listed if code in codes]
        if codes != in_order:
            problems.append(f"order: {where} reports them as {', '.join(in_order)}")
    elif result.sequence == "first-listed" and codes and codes[0] != listed[0]:
        problems.append(f"order: {where} reports {listed[0]} first")
    if result.kind in ("report", "escalate") and not codes:
        problems.append(f"{where} reports at least one code: list the codes the vignette supports")
    return problems


def check_cases(tree: Tree, cases: list[Case], display: str) -> list[DataError]:
    """Walk every case; then name every result that no case reaches."""
    errors = []
    reached: set[str] = set()
    for case in cases:
        name = f"case '{case.id}'"
        result, problem = walk(tree, case.answers)
        if result is None:
            errors.append(DataError(display, name, problem or "the answers do not fit the guide"))
            continue
        reached.add(result.id)
        errors += [DataError(display, name, p) for p in compare(result, case.expected.outcome, case.expected.codes)]
    for result in tree.results:
        if result.id not in reached:
            errors.append(DataError(display, f"result '{result.id}'", "no case reaches this result of the guide: add one"))
    return errors
