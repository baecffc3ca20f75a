"""What a reader finds in the built pages: every page, official titles, no wrong back code."""
from __future__ import annotations

import json
import re

import pytest
import yaml

from conftest import ROOT, soup_of

from backspasm import codeset

NAV_PAGES = [
    "index.html",
    "also-known-as.html",
    "related-codes.html",
    "pitfalls.html",
    "qa.html",
    "documentation-template.html",
    "sources.html",
    "404.html",
]


def text_of(path) -> str:
    soup = soup_of(path)
    article = soup.select_one("article") or soup
    return " ".join(article.get_text(" ").split())


@pytest.mark.parametrize("name", NAV_PAGES)
def test_every_page_is_built_with_one_heading(site, name):
    page = site / name
    assert page.exists(), f"{name} missing from the built site"
    assert len(soup_of(page).select("article h1")) == 1


def test_home_gives_the_answer_with_the_official_title(site):
    text = text_of(site / "index.html")
    assert f"M62.830 {codeset.title('M62.830')}" in text


def test_related_codes_rows_carry_official_titles(site):
    rows = yaml.safe_load((ROOT / "data" / "related_codes.yml").read_text())
    soup = soup_of(site / "related-codes.html")
    for row in rows:
        code = row["code"]
        anchor = codeset.strip_dash(code)[0].replace(".", "").lower()
        cell = soup.select_one(f"tr#{anchor} th")
        assert cell is not None, f"no row for {code}"
        assert codeset.title(code) in " ".join(cell.get_text(" ").split()), code
    for required in ["M62.830", "M62.831", "M62.838", "R25.2", "M79.1-", "S39.012-", "S29.012-", "S16.1-",
                     "M54.5-", "M51.1-", "M51.2-", "M51.3-", "M51.36-", "M47.81-", "M47.2-", "M48.0-", "M41.-", "G83.4",
                     "S33.5-", "S23.3-", "S13.4-", "S33.0-", "G47.62"]:
        assert required in {r["code"] for r in rows}, required


def test_seventh_character_shown_for_strain_rows(site):
    soup = soup_of(site / "related-codes.html")
    row = " ".join(soup.select_one("tr#s39012").get_text(" ").split())
    assert "Required" in row and "A initial encounter" in row and "S sequela" in row
    assert "S39.012A" in row


def test_myalgia_is_its_own_family_not_a_synonym(site):
    soup = soup_of(site / "also-known-as.html")
    row = soup.select_one("tr#myalgia")
    text = " ".join(row.get_text(" ").split())
    assert "not a synonym" in text and "M79.1-" in text and codeset.title("M79.1") in text
    assert "Excludes1" in text


def test_search_index_holds_the_synonyms(site):
    index = json.loads((site / "search" / "search_index.json").read_text())
    words = " ".join(doc["text"] + " " + doc["title"] for doc in index["docs"]).lower()
    for row in yaml.safe_load((ROOT / "data" / "synonyms.yml").read_text()):
        assert row["term"].lower() in words, row["term"]


CODE_RE = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?-?")


def back_goes_with_m62831(sentence: str) -> bool:
    """True when the code nearest to a mention of 'back' is M62.831, in a sentence that
    does not negate it ("M62.831 is never the back code" is fine)."""
    if re.search(r"\b(never|not|no|wrong|instead)\b", sentence, re.I):
        return False
    codes = [(m.start(), m.group(0)) for m in CODE_RE.finditer(sentence)]
    for back in re.finditer(r"\bback\b", sentence, re.I):
        nearest = min(codes, key=lambda c: abs(c[0] - back.start()))[1]
        if nearest == "M62.831":
            return True
    return False


def test_the_pairing_check_catches_the_seed_error():
    assert back_goes_with_m62831("ICD-10 code M62.831 (Muscle spasm of back) is documented.")
    assert not back_goes_with_m62831("Back (M62.830) or calf (M62.831).")
    assert not back_goes_with_m62831("M62.831 is never the back code.")


def test_no_page_pairs_m62831_with_the_back(pages):
    """M62.831 is the calf code. It may sit next to 'back' only inside a warning about the
    mix-up, or in a sentence that says it is not the back code."""
    offenders = []
    for path in pages:
        soup = soup_of(path)
        main = soup.select_one("article") or soup.body
        for warning in main.select(".admonition.warning, .admonition.danger, details.warning"):
            warning.decompose()
        # Practice: the answers a trainee chooses from, and a wrong answer's own page (what
        # was chosen and why it is wrong), show the mix-up on purpose. The right answer,
        # its reasons and the answer key are read like every other page.
        for taught in main.select(".practice-answers, .practice-wrong-answer"):
            taught.decompose()
        # Each list item and table cell is read on its own: lists of official titles
        # (M62.830 back; M62.831 calf) are separate statements.
        blocks = [" ".join(el.get_text(" ").split()) for el in main.select("li, td, th, p, dd, dt, caption")]
        for block in blocks:
            for sentence in re.split(r"(?<=[.!?;])\s+", block):
                if "M62.831" in sentence and back_goes_with_m62831(sentence):
                    offenders.append(f"{path.name}: {sentence[:160]}")
    assert not offenders, "\n".join(sorted(set(offenders)))


def test_seed_error_is_warned_about(site):
    soup = soup_of(site / "pitfalls.html")
    warnings = " ".join(w.get_text(" ") for w in soup.select(".admonition.warning"))
    assert "M62.831" in warnings and "M62.830" in warnings


def test_sources_page_names_the_release(site):
    text = text_of(site / "sources.html")
    assert f"{codeset.release_name()} release" in text
    assert f"simple-icd-10-cm {codeset.package_version()}" in text
