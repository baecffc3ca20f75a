"""The "Reported together?" page, as a coder checks a pair: verdict, the note behind it, both directions."""
from __future__ import annotations

import pytest

from conftest import soup_of


@pytest.fixture(scope="module")
def matrix(site):
    return soup_of(site / "matrix.html").select_one("article")


def row(matrix, code, other):
    found = matrix.select_one(f'tr[data-code="{code}"][data-other="{other}"]')
    assert found is not None, f"no row for {code} with {other}"
    return found


def note_link(li):
    return li.select_one('a[href*="#n-"]')


def sources(tr):
    return [(li["data-side"], li["data-kind"], li) for li in tr.select("li[data-side]")]


def test_low_back_pain_with_lower_back_strain_is_excludes1(matrix):
    for code, other in [("M54.50", "S39.012A"), ("S39.012A", "M54.50")]:
        tr = row(matrix, code, other)
        assert tr["data-verdict"] == "excludes1"
        assert "Excludes1: not together (unless unrelated, Guideline I.A.12.a)" in tr.get_text(" ")
    # The cell links to M54.5's Excludes1 note, as it appears on M54.50's code page.
    link = note_link([li for side, kind, li in sources(row(matrix, "M54.50", "S39.012A")) if kind == "excludes1"][0])
    assert link["href"].startswith("codes/M54.50.html#n-m545-excludes1-")
    assert "M54.5-" in link.get_text()


def test_cramp_and_spasm_with_back_spasm_is_resolved_to_the_stricter_note(matrix):
    tr = row(matrix, "R25.2", "M62.830")
    found = {(side, kind) for side, kind, _ in sources(tr)}
    assert ("R25.2", "excludes2") in found, "R25.2's own Excludes2 lists M62.830"
    assert ("M62.830", "excludes1") in found, "M62's Excludes1 (cramp and spasm) governs M62.830"
    m62 = [li for side, kind, li in sources(tr) if side == "M62.830" and kind == "excludes1"][0]
    assert "at M62" in note_link(m62).get_text() and note_link(m62)["href"] == "codes/M62.830.html#n-m62-excludes1-2"
    assert tr["data-verdict"] == "excludes1"
    assert "stricter note governs" in tr.get_text(" ")
    assert tr.select_one('a[href="#when-sides-disagree"]') is not None
    explained = matrix.find(id="when-sides-disagree").find_next_sibling("p").get_text(" ")
    assert "stricter note govern" in explained and "unrelated" in explained


def test_back_spasm_with_low_back_pain_is_allowed_by_the_tabular(matrix):
    tr = row(matrix, "M62.830", "M54.50")
    assert tr["data-verdict"] == "allowed"
    assert "May be reported together" in tr.get_text(" ")
    assert not sources(tr)
    assert {a["href"] for a in tr.find_all("a")} >= {"codes/M62.830.html#tabular-notes", "codes/M54.50.html#tabular-notes"}


def test_guideline_advice_is_marked_apart_from_the_tabular(matrix):
    # A back spasm with a spine condition: the provider's documentation decides (I.B.5, I.B.6).
    tr = row(matrix, "M62.830", "M51.26")
    assert tr["data-verdict"] == "allowed" and tr["data-advice-kind"] == "depends"
    tabular, guideline = tr.find_all("td")
    assert "May be reported together" in tabular.get_text(" ")
    assert "Depends on the documentation (I.B.5, I.B.6)" in guideline.get_text(" ")
    for condition in ["M41.26", "M48.061", "M47.816"]:
        assert row(matrix, "M62.830", condition)["data-advice-kind"] == "depends", condition
    # A spasm from an injury is part of the injury: advise against.
    tr = row(matrix, "M62.830", "S39.012A")
    assert tr["data-advice-kind"] == "against" and "Advise against (I.B.5)" in tr.get_text(" ")


def test_back_pain_with_back_spasm_has_no_advice_against(matrix):
    tr = row(matrix, "M62.830", "M54.50")
    assert not tr.has_attr("data-advice")
    assert "No guideline advice on this pair" in tr.get_text(" ")


def test_a_note_that_names_no_code_is_shown(matrix):
    # Block M50-M54, Excludes1: "current injury - see injury of spine by body region".
    tr = row(matrix, "M54.50", "S33.5XXA")
    assert tr["data-verdict"] == "excludes1"
    [note] = tr.select("li[data-text-note]")
    assert "Block M50-M54" in note.get_text(" ") and "current injury" in note.get_text(" ")
    assert note.select_one('a[href="#text-notes"]') is not None
    assert "current injury - see injury of spine by body region" in matrix.find(id="text-notes").find_next("ul").get_text(" ")


def test_a_traumatic_disc_rupture_is_excludes1_with_the_disc_codes(matrix):
    for disc in ["M51.26", "M51.16", "M51.27"]:
        tr = row(matrix, "S33.0XXA", disc)
        assert tr["data-verdict"] == "excludes1", disc
    # S33.0's own note names "M51.- with fifth character 6": the lumbar codes only.
    levels = lambda code: {li.select_one('a[href*="#n-"]').get_text() for li in row(matrix, "S33.0XXA", code).select('li[data-side="S33.0XXA"]')}
    assert "Excludes1 at S33.0-" in levels("M51.26")
    assert "Excludes1 at S33.0-" not in levels("M51.27") and "Excludes1 at S33" in levels("M51.27")


def test_strain_and_sprain_may_both_be_reported(matrix):
    assert row(matrix, "S39.012A", "S33.5XXA")["data-verdict"] == "excludes2"
    assert row(matrix, "S29.012A", "S23.3XXA")["data-verdict"] == "excludes2"
    assert row(matrix, "S16.1XXA", "S13.4XXA")["data-verdict"] == "excludes2"


def test_every_pair_appears_once_each_way(matrix):
    codes = [tr["data-code"] for tr in matrix.select("tr[data-code]")]
    distinct = sorted(set(codes))
    assert 15 <= len(distinct) <= 30
    for code in distinct:
        others = [tr["data-other"] for tr in matrix.select(f'tr[data-code="{code}"]')]
        assert sorted(others) == sorted(set(distinct) - {code})


def test_matrix_tables_are_accessible(matrix):
    for table in matrix.select("table.icd-pairs"):
        assert table.caption is not None
        assert all(th.get("scope") == "col" for th in table.select("thead th"))
        assert all(tr.th and tr.th.get("scope") == "row" for tr in table.select("tbody tr"))


def test_matrix_works_without_javascript(served, page_nojs):
    page_nojs.goto(served + "matrix.html#m62830-r252")
    row = page_nojs.locator("#m62830-r252")
    assert row.is_visible()
    assert "Excludes1" in row.inner_text()


def test_overview_grid_marks_each_pair_and_opens_its_notes(matrix):
    grid = matrix.select_one("table.icd-grid")
    assert grid.caption is not None
    cells = {a["href"]: a for a in grid.select("td a")}
    e1 = cells["#m5450-s39012a"]
    assert e1.select_one('[aria-hidden="true"]').get_text() == "E1"
    assert "M54.50 with S39.012A: Excludes1" in e1.get_text(" ")
    assert cells["#m62830-m5450"].select_one('[aria-hidden="true"]').get_text() == "\u2713"
    assert cells["#m62830-m5126"].select_one('[aria-hidden="true"]').get_text() == "\u2713 D"
    assert cells["#m62830-s39012a"].select_one('[aria-hidden="true"]').get_text() == "E2 G"
    # Every grid cell leads to a row that exists on the page.
    assert all(matrix.find(id=href[1:]) is not None for href in cells)
