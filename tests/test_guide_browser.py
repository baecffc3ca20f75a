"""The code-selection guide in Chromium with JavaScript switched off, as a coder uses it."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import ROOT, build_into
from backspasm.guide.model import Question
from backspasm.guide.paths import complete_paths, follow
from backspasm.site_paths import guide_page as page_path




def heading(page) -> str:
    return page.locator("article h1").inner_text().strip()


def answer_link(page, label: str):
    return page.locator("ul.guide-answers a.guide-answer", has_text=label).filter(
        has=page.locator(f"xpath=self::*[normalize-space(.)={_xpath_literal(label)}]")
    )


def _xpath_literal(text: str) -> str:
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ", '\"', ".join(f'"{part}"' for part in text.split('"')) + ")"


def test_every_path_ends_on_its_result(page_nojs, served, tree, capsys):
    """Every page of the guide, each opened once with JavaScript off: a question shows its
    answers, each a link to the page of that answer; a result shows the tree's codes. The
    links chain every path from the start page to its result."""
    from backspasm.guide.paths import walk

    started = time.perf_counter()
    results = []
    for stop in walk(tree):
        url = served + page_path(tuple(s.answer.id for s in stop.steps))[:-3] + ".html"
        page_nojs.goto(url, wait_until="domcontentloaded")
        node = stop.node
        if isinstance(node, Question):
            assert heading(page_nojs) == node.question, url
            links = page_nojs.locator("ul.guide-answers a.guide-answer")
            assert links.all_inner_texts() == [a.label for a in node.answers], url
            ids = tuple(s.answer.id for s in stop.steps)
            expected = [served + page_path(ids + (a.id,))[:-3] + ".html" for a in node.answers]
            assert links.evaluate_all("as => as.map(a => a.href)") == expected, url
            continue
        assert heading(page_nojs) == node.heading, url
        assert page_nojs.locator("ol.guide-codes .code").all_inner_texts() == [c.code for c in node.codes], url
        if node.kind == "outside":
            assert page_nojs.locator("ul.guide-index li").all_inner_texts() == node.index, url
        results.append(stop.page)
    elapsed = time.perf_counter() - started
    assert results == [stop.page for stop in complete_paths(tree)]
    with capsys.disabled():
        print(f"\n[guide] opened every page of all {len(results)} paths with JavaScript off in {elapsed:.1f} s")


def test_a_reader_clicks_through_a_path_and_back(page_nojs, served, tree):
    """Clicking answers follows the path; the browser's back button goes back one step."""
    answers = ["no-red-flag", "no-injury", "disc-degeneration", "lumbosacral", "back-and-leg-pain"]
    page_nojs.goto(served + "guide/index.html")
    for index, answer_id in enumerate(answers):
        question = follow(tree, answers[:index])
        label = next(a.label for a in question.answers if a.id == answer_id)
        answer_link(page_nojs, label).click()
        assert page_nojs.url == served + "guide/" + "/".join(answers[: index + 1]) + ".html"
    result = follow(tree, answers)
    expect(page_nojs.locator("ol.guide-codes .code")).to_have_text([c.code for c in result.codes])
    for index in reversed(range(len(answers))):
        page_nojs.go_back()
        expected = "guide/index.html" if index == 0 else "guide/" + "/".join(answers[:index]) + ".html"
        assert page_nojs.url == served + expected, "back goes back one step"


def test_answers_are_links_a_keyboard_reaches_in_order(page_nojs, served, tree):
    page_nojs.goto(served + "guide/no-red-flag/no-injury/none.html")
    question = follow(tree, ["no-red-flag", "no-injury", "none"])
    links = page_nojs.locator("ul.guide-answers a.guide-answer")
    links.first.focus()
    reached = []
    for _ in question.answers:
        reached.append(page_nojs.evaluate("document.activeElement.textContent.trim()"))
        page_nojs.keyboard.press("Tab")
    assert reached == [a.label for a in question.answers]
    # Enter on a focused answer follows it, like a click.
    links.nth(2).focus()
    page_nojs.keyboard.press("Enter")
    page_nojs.wait_for_url(served + "guide/no-red-flag/no-injury/none/calf.html")
    assert page_nojs.locator("ol.guide-codes .code").inner_text() == "M62.831"


def test_change_links_return_to_the_question(page_nojs, served, tree):
    answers = ["no-red-flag", "no-injury", "disc-degeneration", "lumbosacral", "back-and-leg-pain"]
    result_url = served + "guide/" + "/".join(answers) + ".html"
    for index in range(len(answers)):
        page_nojs.goto(result_url)
        asked = follow(tree, answers[:index])
        assert isinstance(asked, Question)
        rows = page_nojs.locator("dl.guide-summary .guide-summary__row")
        assert rows.count() == len(answers)
        # The link's accessible name names the question (visually hidden text).
        change = page_nojs.get_by_role("link", name=f"Change your answer to: {asked.question}", exact=True)
        assert change.count() == 1
        change.click()
        expected = "guide/index.html" if index == 0 else "guide/" + "/".join(answers[:index]) + ".html"
        assert page_nojs.url == served + expected
        assert heading(page_nojs) == asked.question
        assert page_nojs.locator("dl.guide-summary .guide-summary__row").count() == index


def test_the_summary_lists_the_answers_given(page_nojs, served, tree):
    answers = ["no-red-flag", "current-injury", "strain", "neck", "active-treatment"]
    page_nojs.goto(served + "guide/" + "/".join(answers) + ".html")
    questions = page_nojs.locator(".guide-summary__question").all_inner_texts()
    given = page_nojs.locator(".guide-summary__answer").all_inner_texts()
    expected_q, expected_a = [], []
    for i, answer_id in enumerate(answers):
        node = follow(tree, answers[:i])
        expected_q.append(node.question)
        expected_a.append(next(a.label for a in node.answers if a.id == answer_id))
    assert questions == expected_q and given == expected_a
    assert page_nojs.locator("ol.guide-codes .code").inner_text() == "S16.1XXA"


def test_the_back_button_goes_back_one_step(page_nojs, served, tree):
    page_nojs.goto(served + "guide/index.html")
    labels = []
    for answer_id in ["no-red-flag", "no-injury", "none"]:
        node = follow(tree, [a for a in labels])
        label = next(a.label for a in node.answers if a.id == answer_id)
        answer_link(page_nojs, label).click()
        labels.append(answer_id)
    assert heading(page_nojs) == follow(tree, labels).question
    for depth in (2, 1, 0):
        page_nojs.go_back()
        assert heading(page_nojs) == follow(tree, labels[:depth]).question
        expected = "guide/index.html" if depth == 0 else "guide/" + "/".join(labels[:depth]) + ".html"
        assert page_nojs.url == served + expected
    page_nojs.go_forward()
    assert heading(page_nojs) == follow(tree, labels[:1]).question


def test_a_result_links_to_its_row_in_the_related_codes_table(page_nojs, served):
    page_nojs.goto(served + "guide/no-red-flag/current-injury/strain/lower-back/active-treatment.html")
    page_nojs.locator("ul.guide-related a").first.click()
    assert page_nojs.url == served + "related-codes.html#s39012"
    expect(page_nojs.locator("tr#s39012")).to_be_visible()


def test_the_all_paths_page_links_each_result(page_nojs, served, tree):
    page_nojs.goto(served + "guide/all-paths.html")
    results = page_nojs.locator("a.guide-outline__link")
    assert results.count() == len(complete_paths(tree))
    results.first.click()
    assert heading(page_nojs) == complete_paths(tree)[0].node.heading


SCRIPT_LABEL = "No red flag <script>alert(1)</script> is documented"


def test_text_from_the_data_file_is_shown_as_text(tmp_path, page, tree):
    """A label with a script tag is escaped: shown as text, never run (JavaScript on here)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "decision_tree.yml"
    text = path.read_text(encoding="utf-8")
    assert text.count("label: No red flag is documented\n") == 1
    path.write_text(text.replace("label: No red flag is documented\n", f'label: "{SCRIPT_LABEL}"\n'), encoding="utf-8")
    site = build_into(tmp_path, data)

    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((site / "guide" / "index.html").as_uri())
    link = page.locator("ul.guide-answers a.guide-answer").first
    assert link.inner_text() == SCRIPT_LABEL
    assert page.locator("article script").count() == 0
    link.click()
    assert page.locator(".guide-summary__answer").first.inner_text() == SCRIPT_LABEL
    page.goto((site / "guide" / "all-paths.html").as_uri())
    assert SCRIPT_LABEL in page.locator("article").inner_text()
    assert dialogs == []
    raw = (site / "guide" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in raw
