"""Practice for trainees: every case of the case book as an exercise with feedback on each
answer (data/practice.yml + data/cases.yml), a worksheet and an answer key.

Unit: the data as the build checks it (a distractor that is in fact right stops the
build, every code and note is found in the tabular). Site: the pages as built. Browser:
every case and every answer walked with JavaScript off; the worksheet and key on paper.
"""
from __future__ import annotations

import io
import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, soup_of
from backspasm import practice
from backspasm.guide.cases import load_cases, walk
from backspasm.site_paths import PRACTICE_INDEX, PRACTICE_KEY, PRACTICE_WORKSHEET, html

PRACTICE = ROOT / "data" / practice.PRACTICE_FILE
DISPLAY = "data/practice.yml"


@pytest.fixture(scope="module")
def cases():
    loaded, errors = load_cases(ROOT / "data" / "cases.yml", "data/cases.yml")
    assert not errors
    return loaded


@pytest.fixture(scope="module")
def exercises(tree, cases):
    book, errors = practice.load_practice(PRACTICE, DISPLAY)
    assert errors == [], "\n".join(map(str, errors))
    items, errors = practice.exercises(book, cases, tree, DISPLAY)
    assert errors == [], "\n".join(map(str, errors))
    return items


def checked(tmp_path: Path, tree, cases, change) -> list[str]:
    """The practice file with one change, as the build checks it: the messages."""
    raw = yaml.safe_load(PRACTICE.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / practice.PRACTICE_FILE
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=10_000), encoding="utf-8")
    book, errors = practice.load_practice(path, DISPLAY)
    if book is not None:
        errors = practice.exercises(book, cases, tree, DISPLAY)[1]
    return [str(e) for e in errors]


def first_case_with(cases, tree, test) -> str:
    for case in cases:
        result = walk(tree, case.answers)[0]
        if test(case, result):
            return case.id
    raise AssertionError("test setup: no case of the case book fits")


# ------------------------------------------------------------------ unit: the data


def test_every_case_of_the_case_book_is_an_exercise_with_3_to_6_options(exercises, cases):
    assert sorted(e.case.id for e in exercises) == sorted(c.id for c in cases)
    for item in exercises:
        assert 3 <= len(item.options) <= 6, item.case.id
        right = [o for o in item.options if o.right]
        assert len(right) == 1, item.case.id
        assert (right[0].outcome, [c.code for c in right[0].codes]) == (item.case.expected.outcome,
                                                                      item.case.expected.codes)
        answers = [(o.outcome, tuple(c.code for c in o.codes)) for o in item.options]
        assert len(set(answers)) == len(answers), f"{item.case.id}: two options are the same answer"


def test_every_wrong_answer_names_its_mistake_and_a_reason(exercises):
    for item in exercises:
        for option in item.options:
            if option.right:
                continue
            assert option.mistake and option.why, f"{item.case.id} {option.letter}"
            titles = [line.title for line in option.codes]
            assert all(titles), f"{item.case.id} {option.letter}: a code without its official title"


def test_the_right_answer_is_not_always_in_the_same_place(exercises):
    letters = Counter(item.right.letter for item in exercises)
    assert len(letters) >= 4, letters
    assert max(letters.values()) < 0.4 * len(exercises), letters


def test_the_confusions_the_issue_names_are_taught(exercises):
    """The calf/back mix-up, R25.2 beside M62.830, a strain when only a lifting event is
    documented, a missing 7th character, the wrong region: each stands behind some answer."""
    mistakes = Counter(o.mistake for item in exercises for o in item.options if not o.right)
    book, _ = practice.load_practice(PRACTICE, DISPLAY)
    ids = {book.confusions[k].mistake: k for k in book.confusions}
    taught = {ids[m] for m in mistakes}
    assert {"calf-for-back", "r252-beside-spasm", "strain-from-event", "missing-seventh",
            "wrong-spine-region", "wrong-injury-region"} <= taught


def test_notes_on_feedback_carry_the_level_they_are_printed_at(exercises):
    """An Excludes1 at category M62 reaches M62.830 by inheritance: the page says so."""
    notes = {n for item in exercises for o in item.options for n in o.notes}
    assert notes, "no feedback cites a tabular note"
    inherited = [n for n in notes if n.inherited]
    assert inherited and all(n.level != "code" for n in inherited)
    m62 = [n for n in notes if n.kind == "Excludes1" and n.item.startswith("M62") and "R25.2" in n.text]
    assert m62, "the Excludes1 note for R25.2 is not cited"


def test_a_distractor_that_is_the_right_answer_stops_the_build(tmp_path, tree, cases):
    case = next(c for c in cases if c.expected.outcome == "report")

    def change(raw):
        raw["cases"][case.id]["distractors"][0] = {"codes": list(case.expected.codes), "mistake": "nearest-code"}
    errors = checked(tmp_path, tree, cases, change)
    assert any(f"case '{case.id}', distractor 1: this is the case's own expected answer" in e for e in errors), errors


def test_a_distractor_the_guide_accepts_stops_the_build(tmp_path, tree, cases):
    """The same codes in another order, where the result fixes no order: right, not a distractor."""
    case_id = first_case_with(cases, tree, lambda c, r: r.sequence == "any" and len(c.expected.codes) >= 2)
    case = next(c for c in cases if c.id == case_id)

    def change(raw):
        raw["cases"][case_id]["distractors"][0] = {"outcome": case.expected.outcome,
                                                   "codes": list(reversed(case.expected.codes)),
                                                   "mistake": "nearest-code"}
    errors = checked(tmp_path, tree, cases, change)
    assert any(f"case '{case_id}', distractor 1: the guide's walk of this case accepts this answer" in e
               for e in errors), errors


def test_dropping_a_code_the_record_supports_is_a_fair_distractor(tree, cases):
    """A conditional code the record meets, left out: compare() alone would accept it; the
    case's own codes say the record meets the condition, so it is wrong for this record."""
    case_id = first_case_with(cases, tree, lambda c, r: any(x.when and x.code in c.expected.codes for x in r.codes))
    case = next(c for c in cases if c.id == case_id)
    result = walk(tree, case.answers)[0]
    conditional = next(x.code for x in result.codes if x.when and x.code in case.expected.codes)
    without = [c for c in case.expected.codes if c != conditional]
    assert not practice.accepted(result, case, case.expected.outcome, without) or not without


@pytest.mark.parametrize("name, change, message", [
    ("unknown-code", lambda raw: first(raw)["distractors"][0].update(codes=["M62.839"]),
     r"distractor 1: M62\.839 is not in the ICD-10-CM tabular"),
    ("header-without-dash", lambda raw: first(raw)["distractors"][0].update(codes=["M62.83"]),
     r"distractor 1: M62\.83 is a header, not billable: write it as M62\.83-"),
    ("unknown-mistake", lambda raw: first(raw)["distractors"][0].update(mistake="guessing"),
     r"distractor 1: mistake 'guessing' is not a confusion"),
    ("same-answer-twice", lambda raw: first(raw)["distractors"].append(dict(first(raw)["distractors"][0])),
     r"the same answer as distractor 1"),
    ("case-missing", lambda raw: drop_case(raw, next(iter(raw["cases"]))),
     r"every case of data/cases\.yml is an exercise"),
    ("unknown-case", lambda raw: raw["cases"].update({"no-such-case": {**first(raw), "title": "A case of no one"}}),
     r"case 'no-such-case': no case of data/cases\.yml has this id"),
    ("reserved-title", lambda raw: first(raw).update(title="Answer key"),
     r"the title makes the page name 'answer-key', which the practice folder uses itself"),
    ("same-title", lambda raw: list(raw["cases"].values())[1].update(title=first(raw)["title"]),
     r"the title makes the same page name as case"),
    ("unknown-section", lambda raw: first(raw)["distractors"][0].update(guideline=["I.Z.9"]),
     r"guideline section 'I\.Z\.9' is not one this site cites"),
    ("note-not-there", lambda raw: first(raw)["distractors"][0].update(
        notes=[{"code": "M62.830", "kind": "excludes1", "names": "S39.012A"}]),
     r"no Excludes1 note that names S39\.012A applies to M62\.830"),
    ("too-many-options", lambda raw: first(raw).update(distractors=first(raw)["distractors"] * 3),
     r"distractors: List should have at most 5 items"),
    ("outside-with-codes", lambda raw: first(raw)["distractors"][0].update(outcome="outside"),
     r"an outside answer names no code"),
    ("unused-confusion", lambda raw: raw["confusions"].update({"never-used": {"mistake": "x", "why": "y"}}),
     r"confusion 'never-used': no distractor stands for it"),
])
def test_bad_practice_data_is_refused_naming_the_case(tmp_path, tree, cases, name, change, message):
    errors = checked(tmp_path, tree, cases, change)
    assert any(re.search(message, e) for e in errors), f"{name}: {errors}"
    assert all(e.startswith(DISPLAY) for e in errors)


def first(raw) -> dict:
    return next(iter(raw["cases"].values()))


def drop_case(raw, case_id: str) -> None:
    """A case's entry removed, with the confusions only it used (they would be errors too)."""
    raw["cases"].pop(case_id)
    used = {d["mistake"] for entry in raw["cases"].values() for d in entry["distractors"]}
    for cid in [c for c in raw["confusions"] if c not in used]:
        raw["confusions"].pop(cid)


# ------------------------------------------------------------------ site: the pages


def resolve(page: Path, href: str) -> Path:
    return (page.parent / href.split("#")[0]).resolve()


def test_each_case_page_shows_the_record_the_question_and_its_answers_as_links(site, exercises):
    for item in exercises:
        path = site / html(item.page)
        soup = soup_of(path)
        assert soup.find("h1").get_text(" ", strip=True).startswith(item.title), item.page
        record = soup.select(".practice-record p")
        assert len(record) == len(item.case.vignette), item.page
        assert [h.get_text(strip=True) for h in soup.select("article h2")] == ["The record", "What do you report?"]
        assert soup.select_one("ul.practice-answers")["aria-label"] == "What do you report?"
        links = soup.select("ul.practice-answers a.practice-answer")
        assert len(links) == len(item.options), item.page
        for link, option in zip(links, item.options):
            target = resolve(path, link["href"])
            assert target == (site / html(option.page)).resolve(), item.page
            assert target.exists(), f"{item.page}: {link['href']} is not built"
            text = " ".join(link.get_text(" ", strip=True).split())
            for line in option.codes:
                assert line.code in text and " ".join(line.title.split()) in text, f"{item.page} {option.letter}"
            if option.action:
                assert option.action in text


def test_each_feedback_page_says_right_or_not_and_states_the_right_answer(site, exercises):
    for index, item in enumerate(exercises):
        following = exercises[index + 1].page if index + 1 < len(exercises) else PRACTICE_INDEX
        right = " ".join(c.code for c in item.right.codes)
        for option in item.options:
            path = site / html(option.page)
            soup = soup_of(path)
            verdict = soup.find("h1").get_text(" ", strip=True)
            assert verdict.startswith("Right" if option.right else "Not right"), option.page
            stated = soup.select(".practice-right-answer")
            assert stated, f"{option.page}: the right answer is not stated"
            codes = " ".join(c.get_text(strip=True) for c in stated[-1].select(".code"))
            assert codes == right, f"{option.page}: states {codes!r}, the case book says {right!r}"
            assert stated[-1]["data-outcome"] == item.case.expected.outcome
            if not option.right:
                assert soup.find(id="mistake") and soup.find(id="why-not"), option.page
                reasons = soup.select(".practice-reasons li")
                assert reasons, f"{option.page}: no reason given"
            links = {a.get_text(strip=True): resolve(path, a["href"]) for a in soup.select(".practice-links a")}
            assert links["Try again"] == (site / html(item.page)).resolve()
            nxt = links.get("Next case") or links.get("Back to the list")
            assert nxt == (site / html(following)).resolve(), option.page
            guide = links["This case in the code-selection guide"]
            assert guide.exists() and guide == (site / html(item.guide_page)).resolve()


def test_feedback_links_to_the_code_pages_and_the_note_on_them(site, exercises):
    item = next(i for i in exercises if any(n.inherited for o in i.options for n in o.notes))
    option = next(o for o in item.options if any(n.inherited for n in o.notes))
    path = site / html(option.page)
    soup = soup_of(path)
    note = next(n for n in option.notes if n.inherited)
    link = next(a for a in soup.select(".practice-reasons a") if note.text[:20] in a.get_text(" "))
    target, _, anchor = link["href"].partition("#")
    assert anchor == note.anchor
    assert soup_of(resolve(path, target)).find(id=anchor), f"{link['href']}: the note is not there"
    li = link.find_parent("li").get_text(" ", strip=True)
    assert f"inherited by {note.code}" in li and note.item in li
    code_links = [a for a in soup.select("article a") if re.fullmatch(r"[A-Z]\d\d\.\w+", a.get_text(strip=True))]
    assert code_links, f"{option.page}: the codes do not link to their pages"
    for a in code_links:
        assert resolve(path, a["href"]).exists(), a["href"]


def test_the_index_lists_every_case_by_topic_and_level_with_what_it_teaches(site, exercises):
    soup = soup_of(site / html(PRACTICE_INDEX))
    headings = [h.get_text(strip=True) for h in soup.select("article h2")]
    assert headings[1:] == list(practice.TOPICS.values())
    rows = soup.select(".practice-list tbody tr")
    assert len(rows) == len(exercises)
    for row, item in zip(rows, exercises):
        cells = [" ".join(td.get_text().split()) for td in row.find_all("td")]
        assert cells[0] == f"{item.number}. {item.title}" and cells[1] == item.level
        # What it teaches names the answer: closed until the trainee opens it.
        teaches = row.find("details")
        assert teaches is not None and not teaches.has_attr("open"), item.page
        teaches.summary.decompose()
        assert " ".join(teaches.get_text().split()) == " ".join(item.case.teaches.split())
    grid = soup.select(".practice-grid tbody tr")
    assert len(grid) == len(practice.TOPICS)
    listed = sorted(int(a.get_text(" ", strip=True).split()[-1]) for a in soup.select(".practice-grid td a"))
    assert listed == list(range(1, len(exercises) + 1))


def test_practice_is_in_the_nav_and_search_finds_a_case_by_its_topic_words(site, exercises):
    home = soup_of(site / "index.html")
    assert any(a.get_text(strip=True) == "Practice cases" for a in home.select(".md-nav a"))
    docs = json.loads((site / "search" / "search_index.json").read_text())["docs"]
    locations = {d["location"].split("#")[0] for d in docs}
    case_pages = {html(i.page) for i in exercises}
    assert case_pages <= locations, "a case page is not in the search index"
    feedback = {html(o.page) for i in exercises for o in i.options}
    assert not feedback & locations, "feedback pages would crowd the search results"
    assert html(PRACTICE_WORKSHEET) not in locations and html(PRACTICE_KEY) not in locations
    for item in exercises[:: max(1, len(exercises) // 10)]:
        text = " ".join(d["text"] + " " + d["title"] for d in docs if d["location"].split("#")[0] == html(item.page))
        assert item.topic in text and item.level in text, f"{item.page}: topic words not searchable"


def test_the_worksheet_has_every_record_and_no_answer_and_the_key_every_answer(site, exercises):
    sheet = soup_of(site / html(PRACTICE_WORKSHEET)).find("article")
    key = soup_of(site / html(PRACTICE_KEY)).find("article")
    sheet_cases = sheet.select("section.practice-sheet__case")
    key_cases = key.select("section.practice-key__case")
    assert len(sheet_cases) == len(key_cases) == len(exercises)
    assert not sheet.select(".practice-answer__code, .practice-key__answer, .practice-answers")
    for item, on_sheet, in_key in zip(exercises, sheet_cases, key_cases):
        assert item.title in on_sheet.find("h3").get_text() and item.title in in_key.find("h3").get_text()
        assert len(on_sheet.select(".practice-record p")) == len(item.case.vignette)
        assert len(on_sheet.select(".practice-sheet__write")) == 2
        answer = in_key.select_one(".practice-key__answer")
        assert [c.get_text(strip=True) for c in answer.select(".code")] == [c.code for c in item.right.codes]
        if item.right.action:
            assert item.right.action in answer.get_text(" ")


# ------------------------------------------------------------------ browser: JS off, print


def fetch(url: str):
    """A page as a client without JavaScript gets it: the HTML over HTTP, parsed."""
    import urllib.request

    from lxml import html as lxml_html

    with urllib.request.urlopen(url) as response:
        assert response.status == 200, url
        return lxml_html.fromstring(response.read())


def test_a_trainee_walks_every_case_and_every_answer_by_plain_links(served, exercises, capsys):
    """Every case page fetched from the local server, every answer link followed as a
    browser without JavaScript follows it (the href, nothing else), each feedback read,
    and its "Try again" and "Next case" links followed back: every practice page once."""
    from urllib.parse import urljoin

    started, visits = time.perf_counter(), 0
    for index, item in enumerate(exercises):
        url = served + html(item.page)
        case = fetch(url)
        visits += 1
        hrefs = case.xpath('//ul[contains(@class, "practice-answers")]//a/@href')
        assert len(hrefs) == len(item.options), url
        following = served + html(exercises[index + 1].page if index + 1 < len(exercises) else PRACTICE_INDEX)
        for href, option in zip(hrefs, item.options):
            feedback_url = urljoin(url, href)
            assert feedback_url == served + html(option.page), url
            feedback = fetch(feedback_url)
            visits += 1
            verdict = " ".join(feedback.xpath("string(//article//h1)").split())
            assert verdict.startswith("Right" if option.right else "Not right"), feedback_url
            stated = feedback.xpath('(//*[contains(@class, "practice-right-answer")])[last()]//*[@class="code"]')
            assert [" ".join(c.text_content().split()) for c in stated] == [c.code for c in item.right.codes], \
                feedback_url
            links = {" ".join(a.text_content().split()): urljoin(feedback_url, a.get("href"))
                     for a in feedback.xpath('//p[contains(@class, "practice-links")]/a')}
            assert links["Try again"] == url
            assert (links.get("Next case") or links["Back to the list"]) == following
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n[practice] {len(exercises)} cases and their answers: {visits} pages fetched and every "
              f"answer link followed in {elapsed:.1f} s")


def test_in_chromium_with_javascript_off_a_trainee_answers_a_case_of_each_topic(page_nojs, served, exercises):
    """The same walk by clicks in Chromium with JavaScript off, for the first case of each
    topic: every answer clicked, Try again back to the case, Next case onwards."""
    page = page_nojs
    firsts = {}
    for index, item in enumerate(exercises):
        firsts.setdefault(item.case.topic, index)
    assert len(firsts) == len(practice.TOPICS)
    for index in firsts.values():
        item = exercises[index]
        url = served + html(item.page)
        page.goto(url)
        for number, option in enumerate(item.options):
            if number:
                page.get_by_role("link", name="Try again").click()
                page.wait_for_url(url)
            page.locator("ul.practice-answers a.practice-answer").nth(number).click()
            page.wait_for_url(served + html(option.page))
            verdict = page.locator("article h1").inner_text().strip()
            assert verdict.startswith("Right" if option.right else "Not right"), option.page
            codes = page.locator(".practice-right-answer").last.locator(".code").all_inner_texts()
            assert codes == [c.code for c in item.right.codes], option.page
        page.get_by_role("link", name="Next case").click()
        page.wait_for_url(served + html(exercises[index + 1].page))
        assert page.locator("article h1").inner_text().startswith(exercises[index + 1].title)


# Each stretch of a grid heading between spaces and soft hyphens, with the number of lines
# its letters sit on (the tops of their boxes): 1 when it is never split inside a word.
GRID_HEADING_LINES = """() => [...document.querySelectorAll('.practice-grid th')].flatMap(th => {
    const text = th.textContent, node = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    const found = [];
    for (let n = node.nextNode(); n; n = node.nextNode()) {
        const re = /[^\\s\\u00ad]+/g;
        for (let m = re.exec(n.data); m; m = re.exec(n.data)) {
            const tops = new Set();
            for (let i = m.index; i < m.index + m[0].length; i++) {
                const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
                // a letter just after a break also gets the box of the hyphen drawn before it: its own is the last
                const boxes = r.getClientRects();
                tops.add(Math.round(boxes[boxes.length - 1].top));
            }
            found.push([m[0], text.replace(/\\u00ad/g, ''), tops.size]);
        }
    }
    return found;
})"""


@pytest.mark.parametrize("width", [320, 390])
def test_on_a_phone_the_case_grid_headings_break_only_between_syllables(browser, served, width):
    """At 320 px (WCAG reflow) and a common phone width, no heading of the case grid is cut
    inside a word ("Founda" / "tion"); a word may break only where the page marks it."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(served + html(PRACTICE_INDEX))
        stretches = page.evaluate(GRID_HEADING_LINES)
    finally:
        context.close()
    assert len(stretches) >= 8
    assert [(part, heading) for part, heading, lines in stretches if lines > 1] == []


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_worksheet_and_the_key_print_cleanly(print_page_nojs, served, exercises, paper, capsys):
    print_page = print_page_nojs
    from pypdf import PdfReader
    from test_print import nav_labels_absent_from, printed_text

    counts = {}
    for rel, name in ((PRACTICE_WORKSHEET, "worksheet"), (PRACTICE_KEY, "answer key")):
        print_page.goto(served + html(rel), wait_until="load")
        reader = PdfReader(io.BytesIO(print_page.pdf(format=paper, print_background=False)))
        text = printed_text(" ".join(p.extract_text() or "" for p in reader.pages))
        counts[name] = len(reader.pages)
        squashed = text.replace(" ", "")
        for item in exercises:
            assert f"Case{item.number}·{item.level}:{item.title}".replace(" ", "") in squashed, \
                f"{name} on {paper}: case {item.number} is not on paper"
        assert not nav_labels_absent_from(print_page, text), f"{name}: site chrome on paper"
        assert not re.search(r"\(see \S+\.html", text), f"{name}: link targets printed"
        cut = print_page.eval_on_selector_all("section", "s => s.map(e => getComputedStyle(e).breakInside)")
        assert set(cut) == {"avoid"}, f"{name}: a case may be cut across pages"
        if rel == PRACTICE_WORKSHEET:
            assert "Answer:" not in text
            ruled = print_page.eval_on_selector(".practice-sheet__write", "p => getComputedStyle(p).borderBottomStyle")
            assert ruled == "solid", "no room to write"
        else:
            for item in exercises:
                assert item.right.codes[0].code.replace(" ", "") in squashed if item.right.codes else True
    assert counts["answer key"] < counts["worksheet"]
    with capsys.disabled():
        print(f"\n[practice] print on {paper}: worksheet {counts['worksheet']} pages, "
              f"answer key {counts['answer key']} pages")

