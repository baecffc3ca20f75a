"""Material's search, used as a reader uses it: type the words, read the first result."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

# query -> the page the first result must be on
EXPECTED = {
    "back spasm": "index.html",
    "muscle spasm of back": "index.html",
    "paraspinal spasm": "also-known-as.html",
    "charley horse": "also-known-as.html",
    "M62.830": "codes/M62.830.html",
    "M62.831": "codes/M62.831.html",
    "lumbar strain": "pitfalls.html",  # pitfall 2: strain or spasm, and the strain codes
    "scoliosis": "related-codes.html",
    "myalgia": "also-known-as.html",
    "cauda equina": "qa.html",
}


def first_result(page, base: str, query: str) -> str:
    page.goto(base + "index.html", wait_until="networkidle")  # search worker and index loaded
    page.click("input.md-search__input")  # opens the search dialog, as a reader does
    # Material reads the query on keyup: set the whole value, then one key, so only the
    # full query is searched (typing letter by letter would race partial results).
    page.fill("input.md-search__input", query)
    page.keyboard.press("End")
    # Under load the worker may still be building its index: allow time, then read the
    # first result until it is stable (results re-render as the query settles).
    page.wait_for_selector(".md-search-result__item a", timeout=60000)
    href, previous = None, ""
    for _ in range(20):
        href = page.get_attribute(".md-search-result__item a", "href")
        if href == previous:
            break
        previous = href
        page.wait_for_timeout(250)
    path = urlparse(href).path
    return path[len(urlparse(base).path):] if path.startswith(urlparse(base).path) else path


@pytest.mark.browser
@pytest.mark.parametrize("query", list(EXPECTED))
def test_search_puts_the_right_page_first(page, served, query):
    got = first_result(page, served, query)
    assert got == EXPECTED[query], f"search {query!r}: first result {got}, expected {EXPECTED[query]}"
