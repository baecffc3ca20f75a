"""The code-selection guide's decision tree: validation, the examples, and the pages built from it."""
from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, soup_of
from backspasm.guide.model import Result
from backspasm.guide.paths import complete_paths, follow, walk
from backspasm.guide.validate import load_tree
from backspasm.loader import load_list
from backspasm.models import RelatedCode

DISPLAY = "data/decision_tree.yml"
TREE = ROOT / "data" / "decision_tree.yml"


@pytest.fixture(scope="module")
def rows() -> set[str]:
    items, errors = load_list(ROOT / "data" / "related_codes.yml", "related", RelatedCode, key=lambda e: e.get("code", ""))
    assert not errors
    return {i.code for i in items}


@pytest.fixture(scope="module")
def tree(rows):
    loaded, errors = load_tree(TREE, DISPLAY, rows)
    assert errors == [], "\n".join(map(str, errors))
    return loaded


# A small tree that passes; each test below breaks it in one way.
GOOD = """\
start: site
questions:
  - id: site
    question: Which site?
    answers:
      - id: back
        label: Back
        next: back-spasm
      - id: calf
        label: Calf
        next: calf-spasm
results:
  - id: back-spasm
    heading: Back
    codes: [{code: M62.830}]
    why: [The back has its own code.]
    do_not_add: [R25.2]
    document_next_time: [The site.]
  - id: calf-spasm
    heading: Calf
    codes: [{code: M62.831}]
    why: [The calf has its own code.]
    do_not_add: [M62.830]
    document_next_time: [The side.]
"""


def errors_for(tmp_path: Path, rows: set[str], text: str) -> list[str]:
    path = tmp_path / "decision_tree.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    loaded, errors = load_tree(path, DISPLAY, rows)
    assert (loaded is None) == bool(errors)
    return [str(e) for e in errors]


def only_error(tmp_path, rows, text) -> str:
    errors = errors_for(tmp_path, rows, text)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{DISPLAY}, "), "every error names the file"
    return errors[0]


def test_a_good_tree_passes(tmp_path, rows):
    assert errors_for(tmp_path, rows, GOOD) == []


def test_the_real_tree_passes(tree):
    assert tree.start == "red-flags"


def test_the_tree_stays_a_reasonable_size(tree):
    paths = complete_paths(tree)
    assert len(paths) < 200, "ask only questions that change the code"
    assert len(list(walk(tree))) < 250


def test_an_answer_leading_nowhere_is_named(tmp_path, rows):
    error = only_error(tmp_path, rows, GOOD.replace("next: calf-spasm", "next: calf-spams"))
    assert "question 'site', answer 'calf'" in error
    assert "'calf-spams' is neither a question nor a result" in error


def test_a_duplicate_id_is_named(tmp_path, rows):
    error = only_error(tmp_path, rows, GOOD.replace("id: calf-spasm", "id: back-spasm").replace("next: calf-spasm", "next: back-spasm"))
    assert "result 'back-spasm'" in error and "duplicate id" in error


def test_a_loop_is_named(tmp_path, rows):
    side = (
        "  - id: side\n"
        "    question: Which side?\n"
        "    answers:\n"
        "      - {id: left, label: Left, next: site}\n"
        "      - {id: right, label: Right, next: calf-spasm}\n"
    )
    looped = GOOD.replace("next: calf-spasm", "next: side").replace("results:\n", side + "results:\n")
    error = only_error(tmp_path, rows, looped)
    assert "question 'site'" in error and "loop" in error and "site -> side -> site" in error


def test_an_unreachable_node_is_named(tmp_path, rows):
    orphan = GOOD + (
        "  - id: thigh-spasm\n"
        "    heading: Thigh\n"
        "    codes: [{code: M62.838}]\n"
        "    why: [Other muscle.]\n"
        "    do_not_add: [R25.2]\n"
        "    document_next_time: [The muscle.]\n"
    )
    error = only_error(tmp_path, rows, orphan)
    assert "result 'thigh-spasm'" in error and "unreachable" in error


def test_a_code_that_does_not_exist_is_named(tmp_path, rows):
    error = only_error(tmp_path, rows, GOOD.replace("code: M62.831", "code: M62.839"))
    assert "result 'calf-spasm'" in error
    assert "M62.839 is not in the ICD-10-CM tabular" in error


def test_a_header_code_is_not_a_result(tmp_path, rows):
    error = only_error(tmp_path, rows, GOOD.replace("code: M62.831", "code: M62.83-"))
    assert "result 'calf-spasm'" in error
    assert "header, not billable" in error and "M62.830" in error  # suggests billable codes


def test_a_code_without_its_7th_character_is_not_billable(tmp_path, rows):
    error = only_error(tmp_path, rows, GOOD.replace("code: M62.831", "code: S39.012-"))
    assert "header, not billable" in error and "S39.012A" in error


def test_malformed_yaml_gives_the_line(tmp_path, rows):
    error = only_error(tmp_path, rows, GOOD.replace("    heading: Calf\n", "    heading: Calf\n   codes: [\n"))
    assert "YAML syntax error" in error and re.search(r"line \d+", error)


def test_a_missing_field_names_the_node(tmp_path, rows):
    error = only_error(tmp_path, rows, GOOD.replace("    why: [The calf has its own code.]\n", ""))
    assert "result 'calf-spasm'" in error and "why: required field is missing" in error
    error = only_error(tmp_path, rows, GOOD.replace("    document_next_time: [The side.]\n", ""))
    assert "result 'calf-spasm'" in error and "document_next_time" in error


QUERY = """\
    kind: query
    query:
      clinical_indicators: [Spasm documented with no site.]
      question: Can you document the site of the spasm?
      options: [Back, Calf, {options}]
"""


def with_query(options: str, question: str = "Can you document the site of the spasm?") -> str:
    return GOOD.replace("    heading: Calf\n", "    heading: Calf\n" + QUERY.format(options=options).replace(
        "Can you document the site of the spasm?", question))


def test_a_query_needs_other_and_clinically_undetermined(tmp_path, rows):
    assert errors_for(tmp_path, rows, with_query("Other (please specify), Clinically undetermined")) == []
    error = only_error(tmp_path, rows, with_query("Other (please specify)"))
    assert "result 'calf-spasm'" in error and "Clinically undetermined" in error
    error = only_error(tmp_path, rows, with_query("Clinically undetermined"))
    assert "Other (please specify)" in error


def test_a_query_never_mentions_payment(tmp_path, rows):
    error = only_error(
        tmp_path, rows,
        with_query("Other (please specify), Clinically undetermined", "Can you document the site, for reimbursement?"),
    )
    assert "reimbursement" in error and "payment" in error


OUTSIDE = """\
  - id: elsewhere
    kind: outside
    heading: Elsewhere
    index: [Strain, followed by the site]
    why: [Not covered here.]
"""


def with_outside(extra: str = "") -> str:
    tree = GOOD.replace("next: calf-spasm", "next: elsewhere").replace("  - id: calf-spasm", "  - id: calf-unused", 1)
    tree = tree.replace("  - id: calf-unused\n    heading: Calf\n    codes: [{code: M62.831}]\n"
                        "    why: [The calf has its own code.]\n    do_not_add: [M62.830]\n"
                        "    document_next_time: [The side.]\n", "")
    return tree + OUTSIDE + extra


def test_an_outside_result_names_the_index_entry_and_no_code(tmp_path, rows):
    assert errors_for(tmp_path, rows, with_outside()) == []
    error = only_error(tmp_path, rows, with_outside("    codes: [{code: M62.838}]\n"))
    assert "result 'elsewhere'" in error and "names no code" in error
    error = only_error(tmp_path, rows, with_outside().replace("    index: [Strain, followed by the site]\n", ""))
    assert "Alphabetic Index entry" in error


def test_a_report_needs_one_code_without_a_condition(tmp_path, rows):
    error = only_error(tmp_path, rows, GOOD.replace("codes: [{code: M62.831}]", "codes: [{code: M62.831, when: if a calf}]"))
    assert "result 'calf-spasm'" in error and "without a condition" in error


def test_alternatives_need_a_condition_and_a_partner(tmp_path, rows):
    errors = errors_for(tmp_path, rows, GOOD.replace(
        "codes: [{code: M62.830}]", "codes: [{code: M62.830}, {code: M54.50, one_of: pain}]"))
    assert any("one_of needs a condition" in e for e in errors)
    assert any("one_of 'pain' has a single code" in e for e in errors)


def test_first_listed_needs_an_unconditional_first_code(tmp_path, rows):
    error = only_error(tmp_path, rows, GOOD.replace(
        "codes: [{code: M62.830}]",
        "codes: [{code: M54.50, when: if pain}, {code: M62.830}]\n    sequence: first-listed"))
    assert "first code cannot be conditional" in error


def test_every_error_is_reported_in_one_pass(tmp_path, rows):
    broken = GOOD.replace("code: M62.831", "code: M62.839").replace("code: M62.830", "code: M62.83-")
    errors = errors_for(tmp_path, rows, broken)
    assert len(errors) == 2 and "back-spasm" in errors[0] + errors[1] and "calf-spasm" in errors[0] + errors[1]


def test_a_broken_tree_stops_the_build_with_a_readable_message(tmp_path, capsys):
    from backspasm import cli

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    text = (data / "decision_tree.yml").read_text(encoding="utf-8")
    (data / "decision_tree.yml").write_text(text.replace("next: back-spasm", "next: back-spazm", 1), encoding="utf-8")
    code = cli.main(["build", "--root", str(ROOT), "--site-dir", str(tmp_path / "site"), "--stage-dir", str(tmp_path / "stage"), "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert code == 1
    assert "data/decision_tree.yml, question 'spasm-words', answer 'back'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "site").exists()


# Paths a reader takes, walked through the model. The case book (data/cases.yml,
# tests/test_cases.py) checks many more; these read as the issue's examples.
NO_INJURY = ["no-red-flag", "no-injury"]
SPASM = NO_INJURY + ["none"]
EXAMPLES = {
    "lower-back-spasm": (SPASM + ["back"], ["M62.830"]),
    "lumbar-strain-ed": (["no-red-flag", "current-injury", "strain", "lower-back", "active-treatment"], ["S39.012A"]),
    "lumbar-sprain-ed": (["no-red-flag", "current-injury", "sprain", "lumbar", "active-treatment"], ["S33.5XXA"]),
    "whiplash-ed": (["no-red-flag", "current-injury", "sprain", "cervical", "active-treatment"], ["S13.4XXA"]),
    "strain-and-sprain": (["no-red-flag", "current-injury", "strain-and-sprain", "lower-back", "active-treatment"], ["S39.012A", "S33.5XXA"]),
    "sequela": (["no-red-flag", "late-effect", "strain", "lower-back"], ["M62.830", "S39.012S"]),
    "thigh": (SPASM + ["other-muscle"], ["M62.838"]),
    "muscle-spasm-no-site": (SPASM + ["muscle-spasm-no-site"], ["M62.838"]),
    "spasm-alone": (SPASM + ["spasm-or-cramp"], ["R25.2"]),
    "sleep-cramps": (SPASM + ["sleep-leg-cramps"], ["G47.62"]),
    "lumbar-disc": (NO_INJURY + ["disc-displacement", "lumbar"], ["M51.26"]),
    "thoracolumbar-spondylosis": (NO_INJURY + ["spondylosis", "thoracolumbar"], ["M47.815"]),
}


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_the_examples_end_in_the_right_code(tree, name):
    answers, codes = EXAMPLES[name]
    result = follow(tree, answers)
    assert isinstance(result, Result)
    assert result.required_codes == codes, "the codes reported in every case (conditional ones apart)"


def test_the_lumbar_sprain_path_ends_at_s33_5xxa_not_the_strain(tree):
    result = follow(tree, EXAMPLES["lumbar-sprain-ed"][0])
    assert [c.code for c in result.codes] == ["S33.5XXA"]
    assert not any(c.code.startswith("S39") for c in result.codes)


def test_an_injury_event_without_a_diagnosis_is_a_query_never_an_injury_code(tree):
    result = follow(tree, ["no-red-flag", "event-no-injury-diagnosis"])
    assert result.kind == "query" and result.query is not None
    assert not any(c.code.startswith("S") for c in result.codes)
    assert "M62.830" in [c.code for c in result.codes]


def test_a_late_effect_is_reached_without_answering_yes_to_a_current_injury(tree):
    injury = follow(tree, ["no-red-flag"])
    assert {"current-injury", "event-no-injury-diagnosis", "late-effect", "no-injury"} == {a.id for a in injury.answers}
    for care in [q for q in tree.questions if q.id.endswith("-care")]:
        assert [a.id for a in care.answers] == ["active-treatment", "healing"], "S is not a care answer of a current injury"
    result = follow(tree, EXAMPLES["sequela"][0])
    assert result.sequence == "first-listed" and result.codes[0].code == "M62.830"


def test_whiplash_is_the_cervical_sprain_not_the_neck_strain(tree):
    sprain = follow(tree, ["no-red-flag", "current-injury", "sprain"])
    assert "whiplash" in next(a.label for a in sprain.answers if a.id == "cervical").lower()
    strain = follow(tree, ["no-red-flag", "current-injury", "strain"])
    assert not any("whiplash" in a.label.lower() for a in strain.answers)


def test_the_placeholder_text_counts_four_characters_before_the_xs(tree):
    result = follow(tree, ["no-red-flag", "current-injury", "strain", "neck", "active-treatment"])
    text = " ".join(result.why)
    assert "four characters" in text and "five" not in text


# Regions of the condition, per family: every region with its own code is offered.
FAMILIES = {
    "disc-displacement": ["thoracic", "thoracolumbar", "lumbar", "lumbosacral", "cervical", "not-stated"],
    "disc-radiculopathy": ["thoracic", "thoracolumbar", "lumbar", "lumbosacral", "cervical", "not-stated"],
    "disc-degeneration": ["thoracic", "thoracolumbar", "lumbar", "lumbosacral", "cervical", "not-stated"],
    "spondylosis": ["occipito-atlanto-axial", "cervical", "cervicothoracic", "thoracic", "thoracolumbar", "lumbar",
                    "lumbosacral", "sacral", "not-stated"],
    "spondylosis-radiculopathy": ["occipito-atlanto-axial", "cervical", "cervicothoracic", "thoracic", "thoracolumbar",
                                  "lumbar", "lumbosacral", "sacral", "not-stated"],
    "stenosis": ["occipito-atlanto-axial", "cervical", "cervicothoracic", "thoracic", "thoracolumbar", "lumbar",
                 "lumbosacral", "sacral", "not-stated"],
}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_region_of_each_family_is_offered(tree, family):
    question = follow(tree, NO_INJURY + [family])
    assert [a.id for a in question.answers] == FAMILIES[family]


def test_thoracolumbar_is_reachable_in_every_family_that_has_it(tree):
    expected = {
        "disc-displacement": "M51.25", "disc-radiculopathy": "M51.15", "disc-degeneration": "M51.35",
        "spondylosis": "M47.815", "spondylosis-radiculopathy": "M47.25", "stenosis": "M48.05",
    }
    for family, code in expected.items():
        assert follow(tree, NO_INJURY + [family, "thoracolumbar"]).codes[0].code == code
    for kind, code in [("adolescent-idiopathic", "M41.125"), ("idiopathic", "M41.25")]:
        assert follow(tree, NO_INJURY + ["scoliosis", kind, "thoracolumbar"]).codes[0].code == code


def test_region_not_stated_gives_the_unspecified_code_or_a_query(tree):
    for family in ["disc-displacement", "disc-radiculopathy", "disc-degeneration"]:
        assert follow(tree, NO_INJURY + [family, "not-stated"]).kind == "query", "M51 has no unspecified region"
    for family, code in [("spondylosis", "M47.819"), ("spondylosis-radiculopathy", "M47.20"), ("stenosis", "M48.00")]:
        result = follow(tree, NO_INJURY + [family, "not-stated"])
        assert result.kind == "report" and result.codes[0].code == code
    assert follow(tree, NO_INJURY + ["scoliosis", "idiopathic", "not-stated"]).codes[0].code == "M41.20"


def test_the_region_hint_asks_for_the_region_not_the_level(tree):
    hint = follow(tree, NO_INJURY + ["disc-displacement"]).hint
    assert "need the region, not the level" in hint


def test_a_diagnosed_condition_is_never_dropped_the_link_only_adds_the_spasm(tree):
    for stop in complete_paths(tree):
        ids = [s.answer.id for s in stop.steps]
        if ids[:2] != NO_INJURY or ids[2] in ("none", "other-condition") or stop.node.kind != "report":
            continue
        codes = stop.node.codes
        assert codes[0].when is None, stop.page  # the condition, always
        spasm = [c for c in codes if c.code in ("M62.830", "M62.838")]
        # I.B.5/I.B.6: the test is whether the spasm is routinely part of the condition.
        assert len(spasm) == 1 and spasm[0].when and "not routinely part" in spasm[0].when, stop.page


def test_no_text_says_the_provider_must_state_the_link_for_i_b_5(tree):
    for result in tree.results:
        for text in result.why:
            assert "applies once the link is documented" not in text


def test_other_branches_end_outside_the_guide_never_on_a_code(tree):
    for stop in complete_paths(tree):
        last = stop.steps[-1].answer.id
        # "Another named muscle" is not an "other" branch: the Index leads it to M62.838.
        if last.startswith("other-") and last != "other-muscle":
            assert stop.node.kind == "outside" and not stop.node.codes and stop.node.index, stop.page


def test_the_words_decide_spasm_muscle_spasm_and_cramp(tree):
    words = follow(tree, SPASM)
    targets = {a.id: follow(tree, SPASM + [a.id]) for a in words.answers}
    assert targets["calf"].codes[0].code == "M62.831"
    assert targets["limb-cramp"].codes[0].code == "R25.2"
    muscle = targets["muscle-spasm-no-site"]
    assert muscle.query_example == "query-site", "querying for the site remains good practice"


def test_red_flags_come_first_and_stop_the_guide(tree):
    first = follow(tree, [])
    assert first.id == "red-flags"
    assert follow(tree, ["cauda-equina"]).kind == "escalate"
    assert [c.code for c in follow(tree, ["cauda-equina"]).codes][0] == "G83.4"
    assert follow(tree, ["other-serious-cause"]).kind == "outside"
    setting = follow(tree, ["cause-not-established"])
    outpatient = follow(tree, ["cause-not-established", "outpatient"])
    assert outpatient.kind == "escalate" and "G83.4" not in [c.code for c in outpatient.codes]
    assert {"R32", "R33.9", "M62.830"} <= {c.code for c in outpatient.codes}, "incontinence, retention, the spasm"
    inpatient = follow(tree, ["cause-not-established", "inpatient-cauda-equina-uncertain"])
    assert inpatient.codes[0].code == "G83.4" and "II.H" in " ".join(inpatient.why)
    assert "weakness" in first.hint and "incontinence" in first.hint
    assert len(setting.answers) == 4


def test_results_without_a_sequencing_rule_do_not_say_in_this_order(tree):
    for result in tree.results:
        if len(result.codes) > 1 and result.sequence == "as-listed":
            pytest.fail(f"{result.id}: lists several codes 'in this order' without a rule")


def test_the_issue_answers_are_all_offered(tree):
    labels = " | ".join(a.label.lower() for q in tree.questions for a in q.answers)
    for words in ["lower back", "thoracic back", "neck", "calf", "another named muscle", "not stated",
                  "active treatment", "routine care", "late effect", "without radiculopathy", "with radiculopathy",
                  "disc degeneration", "spondylosis", "stenosis", "with neurogenic claudication", "scoliosis",
                  "no spine condition", "red flag", "sprain", "whiplash", "injury event", "sleep related",
                  "thoracolumbar", "cervicothoracic", "sacral", "inpatient", "outpatient"]:
        assert words in labels, words


# The pages built from the tree (real site, built once per session).


def guide_pages(site: Path) -> list[Path]:
    return sorted((site / "guide").rglob("*.html"))


def test_one_page_per_path_step(site, tree):
    assert len(guide_pages(site)) == len(list(walk(tree))) + 1  # + the all-paths page


def test_guide_pages_carry_no_script_of_their_own(site):
    for path in guide_pages(site):
        article = soup_of(path).find("article")
        assert article.find("script") is None, path
        assert not article.select("[onclick], [onload], [onerror]"), path


def test_the_question_is_the_page_heading(site, tree):
    for stop in walk(tree):
        h1 = soup_of(site / (stop.page[:-3] + ".html")).find("article").find_all("h1")
        assert len(h1) == 1
        expected = stop.node.question if hasattr(stop.node, "question") else stop.node.heading
        assert h1[0].get_text(strip=True) == expected


def test_every_link_on_a_guide_page_resolves(site):
    for path in guide_pages(site):
        for a in soup_of(path).find("article").find_all("a", href=True):
            href = a["href"]
            assert not href.startswith(("http:", "https:", "/")), (path, href)
            target, _, fragment = href.partition("#")
            file = (path.parent / target).resolve()
            assert file.is_file(), (path, href)
            if fragment:
                assert soup_of(file).find(id=fragment) is not None, (path, href)


def test_results_link_the_row_of_their_code(site):
    page = site / "guide/no-red-flag/current-injury/strain/lower-back/active-treatment.html"
    links = [a["href"] for a in soup_of(page).select("ul.guide-related a")]
    assert links == ["../../../../../related-codes.html#s39012"]
    page = site / "guide/no-red-flag/no-injury/disc-displacement/lumbar.html"
    assert [a["href"] for a in soup_of(page).select("ul.guide-related a")] == [
        "../../../../related-codes.html#m512", "../../../../related-codes.html#m62830"]


def test_titles_come_from_the_official_data(site):
    from backspasm import codeset

    page = site / "guide/no-red-flag/no-injury/none/other-muscle.html"
    item = soup_of(page).select_one("ol.guide-codes li")
    assert item.select_one(".code").get_text() == "M62.838"
    assert item.select_one(".guide-codes__title").get_text() == codeset.title("M62.838")


def test_only_the_start_and_all_paths_pages_are_searched(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    guide = {d["location"].split("#")[0] for d in index["docs"] if d["location"].startswith("guide/")}
    assert guide == {"guide/index.html", "guide/all-paths.html"}


def test_the_guide_is_in_the_nav_and_linked_from_home(site):
    home = soup_of(site / "index.html")
    nav_links = [a["href"] for a in home.select("nav.md-nav--primary a[href]")]
    assert "guide/index.html" in nav_links and "guide/all-paths.html" in nav_links
    assert home.find("article").find("a", href="guide/index.html") is not None


def test_the_all_paths_page_shows_every_path(site, tree):
    page = soup_of(site / "guide/all-paths.html").find("article")
    results = page.select(".guide-outline__result")
    assert len(results) == len(complete_paths(tree))
    shown = sorted(r.select_one("a.guide-outline__link")["href"] for r in results)
    assert shown == sorted(s.page[len("guide/"):-3] + ".html" for s in complete_paths(tree))


def test_a_step_page_is_small(site):
    step = site / "guide/no-red-flag/no-injury.html"  # the longest question: nine answers
    article = str(soup_of(step).find("article"))
    assert len(article.encode()) < 6_000, "the guide's own markup on a step page"
    assert step.stat().st_size < 30_000, "the whole step page, theme included"
