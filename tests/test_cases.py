"""The case book (data/cases.yml): the guide's executable specification, walked at every build."""
from __future__ import annotations

import shutil
import textwrap
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from backspasm.guide.cases import Case, check_cases, compare, load_cases, walk
from backspasm.guide.model import Tree
from backspasm.guide.paths import follow
from backspasm.guide.validate import load_tree
from backspasm.loader import load_list
from backspasm.models import RelatedCode

CASES = "data/cases.yml"


@pytest.fixture(scope="module")
def tree() -> Tree:
    items, _ = load_list(ROOT / "data" / "related_codes.yml", "related", RelatedCode, key=lambda e: e.get("code", ""))
    loaded, errors = load_tree(ROOT / "data" / "decision_tree.yml", "data/decision_tree.yml", {i.code for i in items})
    assert not errors, "\n".join(map(str, errors))
    return loaded


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    loaded, errors = load_cases(ROOT / CASES, CASES)
    assert not errors, "\n".join(map(str, errors))
    return loaded


def by_id(cases: list[Case]) -> dict[str, Case]:
    return {c.id: c for c in cases}


# ------------------------------------------------------------------ the real case book


def test_the_real_case_book_passes(tree):
    cases, errors = load_cases(ROOT / "data" / "cases.yml", "data/cases.yml")
    assert errors == []
    assert check_cases(tree, cases, "data/cases.yml") == []


def test_the_case_book_is_big_enough_and_reaches_every_result(tree, cases):
    assert len(cases) >= 40
    reached = {walk(tree, c.answers)[0].id for c in cases}
    assert reached == {r.id for r in tree.results}


def test_every_outcome_is_represented(cases):
    counts = Counter(c.expected.outcome for c in cases)
    assert set(counts) == {"report", "query", "escalate", "outside"}
    assert counts["outside"] >= 5 and counts["query"] >= 5 and counts["escalate"] >= 4


def test_every_topic_and_level_is_represented(cases):
    assert {c.topic for c in cases} == {"site-and-muscle", "injury", "spine-conditions", "red-flags",
                                         "documentation-and-queries"}
    assert {c.level for c in cases} == {"foundation", "intermediate", "advanced"}


# Each situation of issue 10, and the case that shows it.
SITUATIONS = {
    "current strain": ("lumbar-strain-ed-lift", "strain-lower-back-active"),
    "injury event, no injury diagnosis": ("lifting-event-spasm-only", "query-injury-event"),
    "late effect without a current injury": ("sequela-lumbar-strain-spasm", "sequela-strain-lower-back"),
    "no injury": ("simple-lumbar-spasm", "back-spasm"),
    "lumbar sprain, not strain": ("lumbar-sprain-not-strain", "sprain-lumbar-active"),
    "whiplash": ("whiplash-ed", "sprain-cervical-active"),
    "strain and sprain both": ("lumbar-strain-and-sprain", "both-lower-back-active"),
    "thoracolumbar spondylosis": ("thoracolumbar-spondylosis", "spondylosis-thoracolumbar"),
    "region not stated, no unspecified code": ("disc-herniation-no-region", "query-disc-region"),
    "region not stated, unspecified code": ("stenosis-no-region", "stenosis-site-unspecified"),
    "scoliosis site unspecified": ("idiopathic-scoliosis-no-region", "scoliosis-idiopathic-site-unspecified"),
    "M51.36- leg pain only": ("lumbar-ddd-leg-pain-only", "degeneration-lumbar-leg-pain"),
    "lumbar stenosis with claudication": ("lumbar-stenosis-claudication", "stenosis-lumbar-with-claudication"),
    "cervical disc outside": ("cervical-disc-herniation", "cervical-disc-outside"),
    "diagnosed condition kept, spasm added": ("lumbar-disc-with-separate-spasm", "disc-displacement-lumbar"),
    "imaging finding only": ("imaging-finding-not-coded", "back-spasm"),
    "muscle spasm, no site": ("muscle-spasm-no-site", "muscle-spasm-no-site"),
    "spasm alone": ("spasm-alone", "spasm-or-cramp"),
    "cramp of a limb": ("leg-cramps", "spasm-or-cramp"),
    "sleep related leg cramps": ("sleep-related-leg-cramps", "sleep-leg-cramps"),
    "charley horse": ("calf-spasm-charley-horse", "calf-spasm"),
    "traumatic charley horse": ("traumatic-charley-horse", "injury-site-outside"),
    "red flag outpatient": ("suspected-cauda-equina-ed-signs", "red-flag-signs"),
    "red flag inpatient uncertain": ("cauda-equina-probable-at-inpatient-discharge", "cauda-equina-uncertain-inpatient"),
    "urinary incontinence and weakness": ("incontinence-and-weakness-clinic", "red-flag-signs"),
    "low back pain with spasm": ("back-spasm-with-low-back-pain", "back-spasm"),
    "vertebrogenic low back pain": ("back-spasm-vertebrogenic-pain", "back-spasm"),
    "traumatic disc": ("traumatic-disc-rupture", "injury-other-outside"),
    "other spine condition": ("spondylolisthesis", "spine-other-outside"),
}


@pytest.mark.parametrize("situation", list(SITUATIONS))
def test_each_situation_of_the_issue_has_a_case(tree, cases, situation):
    case_id, result_id = SITUATIONS[situation]
    case = by_id(cases)[case_id]
    result, problem = walk(tree, case.answers)
    assert problem is None and result.id == result_id


def test_the_lumbar_sprain_case_ends_at_s33_5xxa(tree, cases):
    case = by_id(cases)["lumbar-sprain-not-strain"]
    assert case.expected.codes == ["S33.5XXA"]
    assert [c.code for c in follow(tree, case.answers).codes] == ["S33.5XXA"]


def test_the_lifting_case_never_reaches_an_injury_code(cases):
    case = by_id(cases)["lifting-event-spasm-only"]
    assert case.expected.outcome == "query" and case.expected.codes == ["M62.830"]


def test_low_back_pain_and_spasm_are_both_reported(cases):
    assert set(by_id(cases)["back-spasm-with-low-back-pain"].expected.codes) == {"M54.50", "M62.830"}


def test_a_red_flag_in_the_ed_codes_signs_not_the_suspected_syndrome(cases):
    codes = by_id(cases)["suspected-cauda-equina-ed-signs"].expected.codes
    assert "G83.4" not in codes and "R33.9" in codes and "M62.830" in codes


# ------------------------------------------------------------------ the comparison rule

SMALL_TREE = """\
start: site
questions:
  - id: site
    question: Which site?
    answers:
      - {id: back, label: Back, next: back-spasm}
      - {id: late, label: Late effect, next: late}
      - {id: elsewhere, label: Elsewhere, next: elsewhere}
      - {id: unclear, label: Unclear, next: ask}
results:
  - id: back-spasm
    heading: Back
    codes:
      - {code: M62.830}
      - {code: M54.50, when: if low back pain, one_of: lbp}
      - {code: M54.59, when: if other low back pain, one_of: lbp}
    sequence: any
    why: [Back.]
    do_not_add: [R25.2]
    document_next_time: [Site.]
  - id: late
    heading: Late
    codes: [{code: M62.830}, {code: S39.012S}, {code: S33.5XXS}]
    sequence: first-listed
    why: [Sequela.]
    do_not_add: [A.]
    document_next_time: [Link.]
  - id: elsewhere
    kind: outside
    heading: Elsewhere
    index: [Strain]
    why: [Not here.]
  - id: ask
    kind: query
    heading: Ask
    codes: [{code: M62.830, when: if back}]
    why: [Ask.]
    do_not_add: [Guess.]
    document_next_time: [Site.]
    query:
      clinical_indicators: [Spasm.]
      question: Which site?
      options: [Back, Other (please specify), Clinically undetermined]
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Tree:
    path = tmp_path_factory.mktemp("tree") / "decision_tree.yml"
    path.write_text(SMALL_TREE, encoding="utf-8")
    loaded, errors = load_tree(path, "tree", {"M62.830", "M54.5-", "S39.012-"})
    assert not errors, errors
    return loaded


def case_errors(small: Tree, tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "cases.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    loaded, errors = load_cases(path, CASES)
    errors += check_cases(small, loaded, CASES)
    return [str(e) for e in errors]


def one_case(answers: str, outcome: str, codes: str, case_id: str = "a-case") -> str:
    return f"""\
- id: {case_id}
  topic: site-and-muscle
  level: foundation
  teaches: One thing.
  vignette: [A record.]
  answers: {answers}
  expected: {{outcome: {outcome}, codes: {codes}}}
  rationale: Because.
"""


ALL_REACHED = (
    one_case("[back]", "report", "[M62.830]", "back")
    + one_case("[late]", "report", "[M62.830, S39.012S, S33.5XXS]", "late")
    + one_case("[elsewhere]", "outside", "[]", "elsewhere")
    + one_case("[unclear]", "query", "[]", "ask")
)


def errors_with(small, tmp_path, extra: str) -> list[str]:
    """The errors of one extra case, next to cases that reach every result."""
    return case_errors(small, tmp_path, ALL_REACHED + extra)


def test_a_good_case_book_passes(small, tmp_path):
    assert case_errors(small, tmp_path, ALL_REACHED) == []


def test_an_answer_that_is_not_in_the_tree_is_named(small, tmp_path):
    [error] = errors_with(small, tmp_path, one_case("[calf]", "report", "[M62.831]"))
    assert error.startswith("data/cases.yml, case 'a-case': ")
    assert "answer 1 'calf' is not an answer of question 'site'" in error and "back, late" in error


def test_answers_that_stop_before_a_result_are_named(small, tmp_path):
    [error] = errors_with(small, tmp_path, one_case("[]", "report", "[M62.830]"))
    assert "case 'a-case'" in error and "answers" in error


def test_too_many_answers_are_named(small, tmp_path):
    [error] = errors_with(small, tmp_path, one_case("[back, more]", "report", "[M62.830]"))
    assert "already ended on result 'back-spasm'" in error


def test_a_wrong_outcome_is_named(small, tmp_path):
    [error] = errors_with(small, tmp_path, one_case("[back]", "query", "[M62.830]"))
    assert "case 'a-case'" in error and "expected outcome 'query'" in error and "a report result" in error


def test_a_wrong_code_is_named(small, tmp_path):
    errors = errors_with(small, tmp_path, one_case("[back]", "report", "[M62.838]"))
    assert "data/cases.yml, case 'a-case': code M62.838 is not on result 'back-spasm' (its codes: M62.830, M54.50, M54.59)" in errors
    assert "data/cases.yml, case 'a-case': result 'back-spasm' reports M62.830 in every case, but the case does not list it" in errors


def test_a_missing_required_code_is_named(small, tmp_path):
    [error] = errors_with(small, tmp_path, one_case("[late]", "report", "[M62.830, S39.012S]"))
    assert "reports S33.5XXS in every case" in error


def test_a_code_that_does_not_exist_is_named(small, tmp_path):
    [error] = errors_with(small, tmp_path, one_case("[back]", "report", "[M62.839]"))
    assert "case 'a-case'" in error and "M62.839 is not in the ICD-10-CM tabular" in error


def test_conditional_codes_may_be_listed_or_not(small, tmp_path):
    assert errors_with(small, tmp_path, one_case("[back]", "report", "[M54.50, M62.830]")) == []
    assert errors_with(small, tmp_path, one_case("[unclear]", "query", "[M62.830]")) == []


def test_alternatives_are_one_or_none(small, tmp_path):
    [error] = errors_with(small, tmp_path, one_case("[back]", "report", "[M62.830, M54.50, M54.59]"))
    assert "M54.50 and M54.59 are alternatives" in error and "one_of 'lbp'" in error


def test_first_listed_order_is_checked(small, tmp_path):
    assert errors_with(small, tmp_path, one_case("[late]", "report", "[M62.830, S33.5XXS, S39.012S]")) == []
    [error] = errors_with(small, tmp_path, one_case("[late]", "report", "[S39.012S, M62.830, S33.5XXS]"))
    assert "order" in error and "M62.830 first" in error


def test_an_outside_case_names_no_code(small, tmp_path):
    [error] = errors_with(small, tmp_path, one_case("[elsewhere]", "outside", "[M62.830]"))
    assert "outside this guide and names no code" in error


def test_an_unreached_result_is_named(small, tmp_path):
    text = ALL_REACHED.replace(one_case("[unclear]", "query", "[]", "ask"), "")
    [error] = case_errors(small, tmp_path, text)
    assert error == "data/cases.yml, result 'ask': no case reaches this result of the guide: add one"


def test_an_unknown_field_and_a_duplicate_id_are_named(small, tmp_path):
    errors = errors_with(small, tmp_path, one_case("[back]", "report", "[M62.830]", "back").replace(
        "  rationale: Because.\n", "  rationale: Because.\n  extra: field\n"))
    assert any("case 'back'" in e and "unknown field" in e for e in errors)
    errors = errors_with(small, tmp_path, one_case("[back]", "report", "[M62.830]", "back"))
    assert any("case 'back'" in e and "duplicate case id" in e for e in errors)


def test_compare_reports_every_difference_for_one_case(small):
    result = follow(small, ["late"])
    problems = compare(result, "report", ["M62.838"])
    assert len(problems) == 4  # M62.838 not on it; three required codes missing


def test_a_case_that_no_longer_fits_stops_the_build_naming_it(tmp_path, capsys):
    from backspasm import cli

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    raw = yaml.safe_load((data / "cases.yml").read_text(encoding="utf-8"))
    text = (data / "cases.yml").read_text(encoding="utf-8")
    assert "  expected: {outcome: report, codes: [S33.5XXA]}\n" in text
    (data / "cases.yml").write_text(
        text.replace("  expected: {outcome: report, codes: [S33.5XXA]}\n", "  expected: {outcome: report, codes: [S39.012A]}\n"),
        encoding="utf-8",
    )
    code = cli.main(["check", "--root", str(ROOT), "--stage-dir", str(tmp_path / "stage"), "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert code == 1 and raw
    assert "data/cases.yml, case 'lumbar-sprain-not-strain': code S39.012A is not on result 'sprain-lumbar-active'" in err
    assert "Traceback" not in err
