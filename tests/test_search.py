"""Material's search, used as a reader uses it: type the words, read the first result."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

# query -> page the first result must be on (first match wins, so a code page or the
# reference page for that topic)
EXPECTED = {
    "back spasm": "index.html",
    "muscle spasm of back": "index.html",
    "paraspinal spasm": "also-known-as.html",
    "charley horse": "also-known-as.html",
    "M62.830": ("codes/M62.830.html", "index.html"),
    "M62.831": ("codes/M62.831.html", "related-codes.html"),
    "lumbar strain": ("also-known-as.html", "related-codes.html", "pitfalls.html"),
    "scoliosis": "related-codes.html",
    "myalgia": "also-known-as.html",
    "cauda equina": "qa.html",
}


def first_result(page, base: str, query: str) -> str:
    page.goto(base + "index.html")
    page.click("label.md-search__icon[for='__search']") if page.is_visible(
        "label.md-search__icon[for='__search']"
    ) else page.keyboard.press("/")
    page.fill("input.md-search__input", query)
    page.wait_for_selector(".md-search-result__item a", timeout=10000)
    href = page.get_attribute(".md-search-result__item a", "href")
    path = urlparse(href).path
    return path[len(urlparse(base).path):] if path.startswith(urlparse(base).path) else path


@pytest.mark.browser
@pytest.mark.parametrize("query", list(EXPECTED))
def test_search_puts_the_right_page_first(page, served, query):
    expected = EXPECTED[query]
    expected = (expected,) if isinstance(expected, str) else expected
    got = first_result(page, served, query)
    assert got in expected, f"search {query!r}: first result {got}, expected {expected}"
