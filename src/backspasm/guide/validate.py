"""Read data/decision_tree.yml into a Tree and check it; every error names file and node."""
from __future__ import annotations

import re
from pathlib import Path

from .. import codeset
from ..errors import DataError
from ..loader import read_yaml, validate_each
from ..site_paths import GUIDE_RESERVED
from .model import Question, Result, Tree
from .rows import rows_for

# A query is about the clinical picture only (AHIMA/ACDIS 2022): never money.
MONEY = re.compile(r"\b(payments?|pay|paid|reimburse\w*|DRGs?|revenue|financial|money)\b", re.I)
OTHER_OPTION = re.compile(r"^other\b", re.I)
UNDETERMINED_OPTION = re.compile(r"clinically undetermined", re.I)


def load_tree(
    path: Path,
    display: str,
    related_rows: set[str] | None,
    query_examples: set[str] | None = None,
) -> tuple[Tree | None, list[DataError]]:
    """The tree, or None with every problem found (so an editor fixes them in one pass).

    related_rows: codes that have a row on the related-codes page (e.g. "S39.012-"),
    or None when that file is broken (its own errors are reported; links are not checked).
    query_examples: anchors of the query examples on the documentation-template page,
    or None to leave query_example links unchecked.
    """
    raw, errors = read_yaml(path, display)
    if errors:
        return None, errors
    if not isinstance(raw, dict):
        return None, [DataError(display, "", "expected a mapping with start, questions and results")]
    unknown = set(raw) - {"start", "questions", "results"}
    if unknown:
        errors.append(DataError(display, "", f"unknown top-level field(s): {', '.join(sorted(unknown))}"))
    questions = validate_each(raw.get("questions"), Question, "question", display, errors)
    results = validate_each(raw.get("results"), Result, "result", display, errors)
    start = raw.get("start")
    if not isinstance(start, str) or not start:
        errors.append(DataError(display, "start", "name the id of the first question"))
    if errors:
        return None, errors
    tree = Tree(start=start, questions=questions, results=results)
    errors += check_ids(tree, display)
    if not errors:
        errors += check_graph(tree, display)
    for result in tree.results:
        errors += check_result(result, display, related_rows, query_examples)
    return (None, errors) if errors else (tree, [])


def check_ids(tree: Tree, display: str) -> list[DataError]:
    errors = []
    seen: dict[str, str] = {}
    for kind, node in [("question", q) for q in tree.questions] + [("result", r) for r in tree.results]:
        if node.id in seen:
            errors.append(
                DataError(display, f"{kind} '{node.id}'", f"duplicate id: a {seen[node.id]} already has this id")
            )
        seen.setdefault(node.id, kind)
    for q in tree.questions:
        answer_ids: set[str] = set()
        for a in q.answers:
            where = f"question '{q.id}', answer '{a.id}'"
            if a.id in answer_ids:
                errors.append(DataError(display, where, "duplicate answer id within this question"))
            answer_ids.add(a.id)
            if a.next not in seen:
                errors.append(
                    DataError(display, where, f"next: '{a.next}' is neither a question nor a result id")
                )
            if q.id == tree.start and a.id in GUIDE_RESERVED:
                errors.append(DataError(display, where, f"'{a.id}' is reserved for a guide page name"))
    if tree.start not in {q.id for q in tree.questions}:
        errors.append(DataError(display, "start", f"'{tree.start}' is not a question id"))
    return errors


def check_graph(tree: Tree, display: str) -> list[DataError]:
    """No loops (each path is a page), and every node reached from the start."""
    questions = {q.id: q for q in tree.questions}
    errors = []
    reported: set[frozenset[str]] = set()
    state: dict[str, str] = {}  # "open" while on the current path, "done" after

    def visit(node: str, trail: list[str]) -> None:
        if state.get(node) == "done" or node not in questions:
            return
        if state.get(node) == "open":
            loop = trail[trail.index(node):] + [node]
            if frozenset(loop) not in reported:
                reported.add(frozenset(loop))
                errors.append(
                    DataError(display, f"question '{node}'", "answers lead in a loop: " + " -> ".join(loop))
                )
            return
        state[node] = "open"
        for a in questions[node].answers:
            visit(a.next, trail + [node])
        state[node] = "done"

    for q in tree.questions:
        visit(q.id, [])
    reached = {tree.start}
    todo = [tree.start]
    while todo:
        for a in questions[todo.pop()].answers:
            if a.next not in reached:
                reached.add(a.next)
                if a.next in questions:
                    todo.append(a.next)
    for kind, node in [("question", q) for q in tree.questions] + [("result", r) for r in tree.results]:
        if node.id not in reached:
            errors.append(
                DataError(display, f"{kind} '{node.id}'", f"unreachable: no answer from the start question '{tree.start}' leads here")
            )
    return errors


def check_result(
    result: Result, display: str, related_rows: set[str] | None, query_examples: set[str] | None = None
) -> list[DataError]:
    where = f"result '{result.id}'"
    errors = _check_shape(result, display, where)
    if query_examples is not None and result.query_example and result.query_example not in query_examples:
        errors.append(
            DataError(display, where, f"query_example: no query example '{result.query_example}' on the documentation-template page")
        )
    for item in result.codes:
        problem = codeset.notation_problem(item.code)
        found = codeset.lookup(item.code)
        if problem is None and not found.billable:
            problem = f"{found.code} is a header, not billable"
        if problem:
            below = codeset.billable_descendants(found.code)[:4] if found.exists else []
            hint = f"; billable codes below it: {', '.join(below)}" if below else ""
            errors.append(DataError(display, where, f"code {item.code}: {problem}{hint}"))
    errors += _check_query(result, display, where)
    if related_rows is None or result.kind == "outside":
        return errors
    for row in result.related_rows:
        if row not in related_rows:
            errors.append(DataError(display, where, f"related_rows: {row} has no row in data/related_codes.yml"))
    if not errors and not rows_for(result, related_rows):
        errors.append(
            DataError(display, where, "no code has a row on the related-codes page: add related_rows")
        )
    return errors


def _check_shape(result: Result, display: str, where: str) -> list[DataError]:
    """What each kind of result must say: codes, Index entries, conditions, order."""
    problems: list[str] = []
    if result.kind == "outside":
        if result.codes:
            problems.append("an outside result names no code: it sends the reader to the Index (remove codes)")
        if not result.index:
            problems.append("an outside result must name the Alphabetic Index entry to follow (index)")
        if result.query:
            problems.append("an outside result has no query")
    else:
        if not result.codes:
            problems.append(f"a {result.kind} result names at least one billable code (codes)")
        if result.kind == "report" and result.codes and not result.required_codes and not result.always_one:
            problems.append("a report result names at least one code without a condition (when), or says in "
                            "always_one why every record that reaches it meets one of the conditions")
        if result.always_one and result.required_codes:
            problems.append("always_one is for a result whose codes all have a condition: remove it")
        if not result.do_not_add:
            problems.append("do_not_add: say what not to add")
        if not result.document_next_time:
            problems.append("document_next_time: say what the record should say next time")
    seen: set[str] = set()
    groups: dict[str, int] = {}
    for item in result.codes:
        if item.code in seen:
            problems.append(f"code {item.code} is listed twice")
        seen.add(item.code)
        if item.one_of:
            if item.when is None:
                problems.append(f"code {item.code}: one_of needs a condition (when)")
            groups[item.one_of] = groups.get(item.one_of, 0) + 1
    for name, count in groups.items():
        if count < 2:
            problems.append(f"one_of '{name}' has a single code: alternatives need two or more")
    if result.sequence == "first-listed" and result.codes and result.codes[0].when is not None:
        problems.append("sequence first-listed: the first code cannot be conditional")
    return [DataError(display, where, p) for p in problems]


def _check_query(result: Result, display: str, where: str) -> list[DataError]:
    if result.query is None:
        if result.kind == "query":
            return [DataError(display, where, "kind is query, but the query text is missing")]
        return []
    query = result.query
    errors = []
    if not any(OTHER_OPTION.search(o) for o in query.options):
        errors.append(DataError(display, where, "query options must include 'Other (please specify)'"))
    if not any(UNDETERMINED_OPTION.search(o) for o in query.options):
        errors.append(DataError(display, where, "query options must include 'Clinically undetermined'"))
    for text in [query.question, *query.options, *query.clinical_indicators]:
        word = MONEY.search(text)
        if word:
            errors.append(
                DataError(display, where, f"query mentions '{word.group(0)}': a query never mentions payment")
            )
    return errors
