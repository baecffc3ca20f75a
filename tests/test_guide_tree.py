"""The code-selection guide's decision tree: validation, the examples, and the pages built from it."""
from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, soup_of
from sitegen.guide.model import Result
from sitegen.guide.paths import complete_paths, follow, walk
from sitegen.guide.validate import load_tree
from sitegen.loader import load_list
from sitegen.models import RelatedCode

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
    error = only_error(tmp_path, rows, GOOD.replace("    document_next_time: [The side.]\n", ""))
    assert "result 'calf-spasm'" in error and "document_next_time: required field is missing" in error


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


def test_every_error_is_reported_in_one_pass(tmp_path, rows):
    broken = GOOD.replace("code: M62.831", "code: M62.839").replace("code: M62.830", "code: M62.83-")
    errors = errors_for(tmp_path, rows, broken)
    assert len(errors) == 2 and "back-spasm" in errors[0] + errors[1] and "calf-spasm" in errors[0] + errors[1]


def test_a_broken_tree_stops_the_build_with_a_readable_message(tmp_path, capsys):
    import build_site

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    text = (data / "decision_tree.yml").read_text(encoding="utf-8")
    (data / "decision_tree.yml").write_text(text.replace("next: back-spasm", "next: back-spazm", 1), encoding="utf-8")
    code = build_site.main(["--site-dir", str(tmp_path / "site"), "--stage-dir", str(tmp_path / "stage"), "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert code == 1
    assert "data/decision_tree.yml, question 'lower-back-condition', answer 'no-condition'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "site").exists()


# The examples of issue 3, walked through the model as a reader answers.
EXAMPLES = [
    (["no-red-flag", "no-injury", "lower-back", "no-condition"], ["M62.830"]),
    (["no-red-flag", "injury", "lower-back", "active-treatment"], ["S39.012A"]),
    (["no-red-flag", "no-injury", "other-muscle"], ["M62.838"]),
    (["no-red-flag", "no-injury", "lower-back", "disc-displacement", "lumbar"], ["M51.26"]),
]


@pytest.mark.parametrize("answers, codes", EXAMPLES, ids=["lower-back-spasm", "lumbar-strain-ed", "thigh", "lumbar-disc"])
def test_the_examples_end_in_the_right_code(tree, answers, codes):
    result = follow(tree, answers)
    assert isinstance(result, Result)
    assert [c.code for c in result.codes] == codes


def test_the_thigh_is_another_named_muscle(tree):
    site = follow(tree, ["no-red-flag", "no-injury"])
    assert any("thigh" in a.label for a in site.answers if a.id == "other-muscle")


def test_disc_displacement_says_when_the_spasm_code_is_added(tree):
    result = follow(tree, EXAMPLES[3][0])
    assert any("M62.830" in item and "separate problem" in item for item in result.do_not_add)


def test_red_flags_come_first_and_stop_the_guide(tree):
    first = follow(tree, [])
    assert first.id == "red-flags"
    for answer in first.answers:
        node = follow(tree, [answer.id])
        if answer.id != "no-red-flag":
            assert isinstance(node, Result) and node.kind == "escalate"
    assert [c.code for c in follow(tree, ["cauda-equina"]).codes] == ["G83.4"]
    assert "G83.4" not in [c.code for c in follow(tree, ["red-flag-no-diagnosis"]).codes]


def test_not_documented_leads_to_a_query(tree):
    queries = [s for s in complete_paths(tree) if "not-documented" in s.steps[-1].answer.id]
    assert len(queries) >= 3
    for stop in queries:
        assert stop.node.kind == "query" and stop.node.query is not None


def test_the_issue_answers_are_all_offered(tree):
    labels = " | ".join(a.label.lower() for q in tree.questions for a in q.answers)
    for words in ["lower back", "thoracic back", "neck", "calf", "another named muscle", "not documented",
                  "active treatment", "routine care", "sequela", "without radiculopathy", "with radiculopathy",
                  "disc degeneration", "spondylosis", "stenosis", "with neurogenic claudication", "scoliosis",
                  "no underlying condition", "red flag"]:
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
    page = site / "guide/no-red-flag/injury/lower-back/active-treatment.html"
    links = [a["href"] for a in soup_of(page).select("ul.guide-related a")]
    assert links == ["../../../../related-codes.html#s39012"]
    page = site / "guide/no-red-flag/no-injury/lower-back/disc-displacement/lumbar.html"
    assert [a["href"] for a in soup_of(page).select("ul.guide-related a")] == ["../../../../../related-codes.html#m512"]


def test_titles_come_from_the_official_data(site):
    from sitegen import codeset

    page = site / "guide/no-red-flag/no-injury/other-muscle.html"
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
    step = site / "guide/no-red-flag/no-injury/lower-back.html"
    article = str(soup_of(step).find("article"))
    assert len(article.encode()) < 6_000, "the guide's own markup on a step page"
    assert step.stat().st_size < 30_000, "the whole step page, theme included"
