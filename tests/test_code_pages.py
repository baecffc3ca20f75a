"""The code pages, as a coder reads them: notes with the level they come from, 7th characters, links."""
from __future__ import annotations

import re

import pytest

from conftest import soup_of

from backspasm import codeset

# Ranges (S00-T88, T18.2-T18.4) name blocks and chapters, which have no code pages.
RANGE = re.compile(r"\b[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]+)?-[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]+)?\b")
CODE_TOKEN = re.compile(r"(?<![A-Za-z0-9.\-/#_])[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?(?:\.?-)?(?![A-Za-z0-9]|\.[A-Za-z0-9])")


def article(path):
    return soup_of(path).select_one("article")


def section(soup, heading_id):
    """The elements after a heading, up to the next heading of the same or a higher level."""
    heading = soup.find(id=heading_id)
    assert heading is not None, f"no heading #{heading_id}"
    parts = []
    for sibling in heading.find_next_siblings():
        if sibling.name in {"h1", "h2", "h3"}:
            break
        parts.append(sibling)
    return parts


def test_m62830_shows_the_excludes1_it_inherits_from_m62(site):
    page = article(site / "codes" / "M62.830.html")
    heading = page.find(id="from-m62")
    assert "Inherited from M62" in heading.get_text(" ")
    notes = " ".join(" ".join(p.get_text(" ").split()) for p in section(page, "from-m62"))
    # The Excludes1 list of M62 is the one holding note n-m62-excludes1-1.
    excludes1 = page.find(id="n-m62-excludes1-1").find_parent("ul").find_previous_sibling("h4")
    assert excludes1.get_text() == "Excludes1"
    assert "myalgia ( M79.1- )" in notes or "myalgia (M79.1-)" in notes
    assert "cramp and spasm ( R25.2 )" in notes or "cramp and spasm (R25.2)" in notes
    # Both are listed under Excludes1 (not Excludes2) of M62.
    items = [li.get_text(" ") for li in excludes1.find_next_sibling("ul").find_all("li")]
    assert any("R25.2" in i for i in items) and any("M79.1-" in i for i in items)


def test_inherited_note_links_to_the_code_it_names(site):
    note = article(site / "codes" / "M62.830.html").find(id="n-m62-excludes1-2")
    link = note.find("a", class_="icd-code")
    assert link.get_text() == "R25.2" and link["href"] == "R25.2.html"


def test_s39012a_shows_the_7th_character_table(site):
    page = article(site / "codes" / "S39.012A.html")
    table = page.select_one("table.icd-seventh")
    assert table is not None
    rows = {tr.th.get_text(): " ".join(tr.get_text(" ").split()) for tr in table.select("tbody tr")}
    assert set(rows) == {"A", "D", "S"}
    assert "initial encounter" in rows["A"] and "(this code)" in rows["A"]
    assert "subsequent encounter" in rows["D"] and "S39.012D" in rows["D"]
    assert "sequela" in rows["S"]
    assert "S39" in table.caption.get_text()
    note = page.select_one(".icd-seventh-note").get_text(" ")
    assert "7th character" in note and "S39" in note


def test_breadcrumb_walks_from_chapter_to_code_with_links_where_pages_exist(site):
    nav = article(site / "codes" / "M62.830.html").find("nav", attrs={"aria-label": "Breadcrumb"})
    items = [" ".join(li.get_text(" ").split()) for li in nav.find_all("li")]
    assert items[0].startswith("Chapter 13") and items[1].startswith("Block M60-M63")
    assert [i.split()[0] for i in items[2:]] == ["M62", "M62.8-", "M62.83-", "M62.830"]
    links = {a.get_text(): a["href"] for a in nav.find_all("a")}
    assert links["M62"] == "M62.html" and links["M62.83-"] == "M62.83.html"
    assert nav.find("a", attrs={"aria-current": "page"}).get_text() == "M62.830"


def test_a_header_page_lists_its_billable_codes(site):
    page = article(site / "codes" / "M62.83.html")
    assert "Header, not billable" in page.get_text(" ")
    children = [li.get_text(" ") for li in page.select("ul.icd-children li")]
    assert [c.split()[0] for c in children] == ["M62.830", "M62.831", "M62.838"]


def test_code_page_lists_the_pages_that_use_it(site):
    usage = article(site / "codes" / "M62.830.html").select_one(".icd-usage")
    hrefs = {a["href"] for a in usage.find_all("a")}
    assert "../pitfalls.html" in hrefs and "../index.html" in hrefs
    assert any(h.startswith("../matrix.html#m62830") for h in hrefs)


@pytest.mark.parametrize("code", ["M62.830", "S39.012A", "M79.1"])
def test_code_page_names_the_release(site, code):
    text = article(site / "codes" / f"{code}.html").get_text(" ")
    assert f"{codeset.release_name()} release" in text


def test_every_code_in_the_site_content_links_to_its_code_page(site, pages):
    """Hand-written and generated pages: every code outside headings links to its page."""
    unlinked = []
    for path in pages:
        rel = path.relative_to(site).as_posix()
        body = article(path)
        if body is None:
            continue
        for tag in body.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "a", "code", "pre", "script", "style"]):
            tag.decompose()
        for match in CODE_TOKEN.finditer(RANGE.sub(" ", body.get_text(" "))):
            written = match.group(0)
            bare = codeset.strip_dash(written)[0]
            # Quoted official notes may name codes outside this topic (G72.1): no page needed.
            if codeset.exists(bare) and not rel.startswith("codes/"):
                unlinked.append(f"{rel}: {written}")
    assert not unlinked, "codes written without a link to their page: " + ", ".join(unlinked[:20])


def test_code_links_point_to_existing_code_pages(site, pages):
    for path in pages:
        for link in soup_of(path).select("a.icd-code"):
            target = (path.parent / link["href"].split("#")[0]).resolve()
            assert target.exists(), f"{path.name}: {link.get_text()} links to a missing page"


def test_code_pages_rank_below_the_home_page_in_search(site):
    import json

    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    boosts = {doc["location"]: doc.get("boost", 1) for doc in index["docs"]}
    assert boosts["codes/M62.830.html"] < boosts["index.html"]
