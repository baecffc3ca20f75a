"""Print: pages printed from Chromium, the way a coder pins them to the wall.

Chromium renders the print media to PDF (A4 and US Letter); pypdf counts the pages and
reads the text back, so a nav label that reaches the paper is caught.
"""
from __future__ import annotations

import io
import re
import unicodedata

import pytest
from conftest import html_pages, soup_of

PAPER = ["A4", "Letter"]
# Words only the site chrome prints: header, skip link, footer, table-of-contents sidebar.
CHROME_TEXT = ["Skip to content", "Table of contents", "Made with", "Back to top", "Back muscle spasm coding reference"]
HIDDEN_IN_PRINT = [".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-search", ".md-footer", ".md-top", ".md-skip"]


def pdf_of(page, paper: str) -> bytes:
    return page.pdf(format=paper, print_background=False)


def pdf_pages_and_text(pdf: bytes) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), printed_text(" ".join(p.extract_text() or "" for p in reader.pages))


def printed_text(raw: str) -> str:
    """Text read back from a PDF, independent of the fonts a machine has.

    A font may print "fl" as one ligature glyph (U+FB02) or break a word with a soft
    hyphen; NFKC folds ligatures and compatibility forms back to plain letters.
    """
    text = unicodedata.normalize("NFKC", raw).replace("\u00ad", "")
    return " ".join(text.split())


def test_printed_text_reads_the_same_whatever_the_font():
    assert printed_text("Red-\ufb02ag  screen\n") == "Red-flag screen"
    assert printed_text("of\ufb01ce docu\u00admentation") == "office documentation"


def nav_labels_absent_from(page, text: str) -> list[str]:
    """Labels of the site nav that are not also part of the page's own content."""
    content = page.evaluate("() => document.querySelector('article').textContent")
    labels = page.eval_on_selector_all(".md-sidebar--primary .md-nav__link", "els => els.map(e => e.textContent.trim())")
    nav_only = {label for label in labels if label and label not in content}
    return sorted(label for label in nav_only | set(CHROME_TEXT) if label in text)


def guide_result_pages(site) -> list[str]:
    """The pages that end a path of the guide (results carry the class guide-result)."""
    return sorted(p.relative_to(site).as_posix() for p in (site / "guide").rglob("*.html")
                  if 'class="guide guide-result' in p.read_text(encoding="utf-8"))


@pytest.mark.browser
@pytest.mark.parametrize("rel", ["index.html", "related-codes.html", "pitfalls.html", "404.html"])
def test_print_shows_the_content_without_site_chrome(print_page, served, rel):
    print_page.goto(served + rel)
    for selector in HIDDEN_IN_PRINT:
        for display in print_page.eval_on_selector_all(selector, "els => els.map(e => getComputedStyle(e).display)"):
            assert display == "none", f"{rel}: {selector} is printed (display {display})"
    assert print_page.eval_on_selector("article", "e => getComputedStyle(e).display") != "none"
    _, text = pdf_pages_and_text(pdf_of(print_page, "A4"))
    h1 = print_page.eval_on_selector(
        "h1", "e => [...e.childNodes].filter(n => !(n.classList && n.classList.contains('headerlink')))"
        ".map(n => n.textContent).join('').trim()"
    )
    assert " ".join(h1.split()) in text, f"{rel}: the page heading is not on paper"
    leaked = nav_labels_absent_from(print_page, text)
    assert not leaked, f"{rel}: site chrome on paper: {leaked}"


@pytest.mark.browser
def test_printed_links_show_where_they_go(print_page, served):
    print_page.goto(served + "sources.html")
    after = print_page.eval_on_selector(
        "article a[href^='http']", "a => [a.getAttribute('href'), getComputedStyle(a, '::after').content]"
    )
    assert after[0] in after[1], f"an outbound link prints without its address: {after}"
    print_page.goto(served + "index.html")
    internal = print_page.eval_on_selector(
        "article a[href^='pitfalls.html']", "a => [a.getAttribute('href'), getComputedStyle(a, '::after').content]"
    )
    assert internal[0] in internal[1], f"a link to another page prints without its target: {internal}"
    _, text = pdf_pages_and_text(pdf_of(print_page, "A4"))
    assert "pitfalls.html" in text.replace(" ", "")


@pytest.mark.browser
def test_printed_tables_keep_rows_whole_and_repeat_headers(print_page, served):
    print_page.goto(served + "related-codes.html")
    styles = print_page.evaluate(
        """() => [...document.querySelectorAll('article table')].map(t => ({
             head: t.tHead ? getComputedStyle(t.tHead).display : 'table-header-group',
             rows: [...t.rows].map(r => getComputedStyle(r).breakInside),
             overflow: getComputedStyle(t.parentElement).overflowX }))"""
    )
    assert styles, "related-codes.html has no table"
    for table in styles:
        assert table["head"] == "table-header-group"
        assert set(table["rows"]) == {"avoid"}
        assert table["overflow"] == "visible", "a scrolling table wrapper would cut the table on paper"


@pytest.mark.browser
@pytest.mark.parametrize("paper", PAPER)
def test_documentation_template_prints_as_a_fill_in_form_on_one_or_two_pages(print_page, served, paper):
    print_page.goto(served + "documentation-template.html")
    count, text = pdf_pages_and_text(pdf_of(print_page, paper))
    assert 1 <= count <= 2, f"the template prints on {count} {paper} pages"
    for field in ("Presenting problem", "Red-flag screen", "Saddle anesthesia", "Diagnosis", "Follow-up"):
        assert field in text, f"the printed form lacks {field!r}"
    assert "What each placeholder must say" not in text, "the explanations belong on screen, not on the form"
    # Room to write: each field is followed by a ruled line.
    border = print_page.eval_on_selector("article ul li", "li => getComputedStyle(li).borderBottomStyle")
    assert border == "solid"
    assert not nav_labels_absent_from(print_page, text)


@pytest.mark.browser
def test_every_guide_result_prints_on_one_page(print_page_nojs, served, site):
    """On A4 and on Letter; with its code (or the Index entry to follow) on the paper."""
    from pypdf import PdfReader

    page = print_page_nojs
    results = guide_result_pages(site)
    assert results, "no guide result page in the build"
    too_long = []
    for rel in results:
        page.goto(served + rel, wait_until="domcontentloaded")
        count, text = pdf_pages_and_text(pdf_of(page, "A4"))
        letter = len(PdfReader(io.BytesIO(pdf_of(page, "Letter"))).pages)
        too_long += [f"{rel}: {n} {paper} pages" for n, paper in ((count, "A4"), (letter, "Letter")) if n != 1]
        # The first code, or for a result outside the guide the Index entry to follow.
        code = page.eval_on_selector(".guide-codes .code, .guide-index__entry", "e => e.textContent.trim()")
        assert " ".join(code.split()[:4]) in " ".join(text.split()), f"{rel}: {code} is not on paper"
        assert not re.search(r"Start again|The whole guide on one page", text), f"{rel}: on-screen guide links printed"
    assert not too_long, "guide results longer than one page:\n" + "\n".join(too_long)
