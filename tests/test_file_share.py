"""Issue 4, point 2: the site works opened from a file share (file://.../site/index.html)."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from browser_checks import open_all, search, site_paths, watch
from conftest import soup_of



LINKING = {"a": "href", "link": "href", "script": "src", "img": "src", "form": "action"}


def local_targets(site: Path, page: Path) -> list[tuple[str, Path]]:
    """(link as written, file it opens from a file share) for every relative link on a page."""
    targets = []
    soup = soup_of(page)
    for tag, attr in LINKING.items():
        for element in soup.find_all(tag):
            link = element.get(attr)
            if not link or link.startswith(("#", "mailto:", "data:")) or urlsplit(link).scheme:
                continue
            resolved = urljoin(page.as_uri(), link)
            targets.append((link, Path(unquote(urlsplit(resolved).path))))
    return targets


def test_every_relative_link_opens_a_file_not_a_folder(site):
    broken = []
    for page in site_paths(site):
        for link, target in local_targets(site, site / page):
            if not target.is_file():
                broken.append(f"{page}: {link}")
    assert broken == [], "from a file share a folder link shows a file listing, a missing file an error"


def one_page_per_folder(site: Path) -> list[str]:
    """A page of each folder depth and kind: every page's links are checked above, without
    a browser; what a browser adds (scripts, styles, the search shim from file://) is the
    same for every page of a folder."""
    chosen: dict[tuple[str, int], str] = {}
    for rel in site_paths(site):
        chosen.setdefault((rel.split("/")[0] if "/" in rel else "", rel.count("/")), rel)
    return sorted(chosen.values())


def test_pages_open_from_the_share_with_all_their_files(site, browser):
    sample = one_page_per_folder(site)
    assert len(sample) >= 5, sample
    context = browser.new_context()
    try:
        visit = watch(context)
        open_all(context, [(site / path).as_uri() for path in sample])
        page = context.new_page()
        page.goto((site / "guide" / "index.html").as_uri())
        # Material's stylesheet applied: the header bar is laid out, not plain text.
        assert page.locator("header.md-header").evaluate("e => getComputedStyle(e).position") == "sticky"
    finally:
        context.close()
    opened = {url for url in visit.requests if url.endswith(".html")}
    assert {(site / path).as_uri() for path in sample} <= opened
    assert [url for url in visit.requests if not url.startswith("file://")] == []
    assert visit.failed == []
    assert visit.console_errors == []


def test_reader_walks_the_navigation_and_reaches_the_guide(site, page):
    page.goto((site / "index.html").as_uri())
    nav = page.locator("nav.md-nav--primary a.md-nav__link[href]")
    hrefs = [h for h in nav.evaluate_all("links => links.map(a => a.getAttribute('href'))") if h]
    assert hrefs and all(h.split("#")[0].endswith(".html") for h in hrefs if not h.startswith("#"))
    page.locator("nav.md-nav--primary a.md-nav__link[href='guide/index.html']").first.click()
    page.wait_for_load_state()
    assert page.url.startswith("file://") and page.url.endswith("/guide/index.html")
    # Answer each question with its first answer until a result: every step a file on the share.
    steps = 0
    while page.locator("article a.guide-answer").count() and steps < 12:
        page.locator("article a.guide-answer").first.click()
        page.wait_for_load_state()
        steps += 1
        assert page.url.startswith("file://") and "/guide/" in page.url and page.url.endswith(".html")
        assert page.locator("h1").first.is_visible()
    assert steps >= 2, "the guide should lead through at least two steps"


def test_search_returns_results_from_the_share(site, page):
    visit = watch(page.context)
    page.goto((site / "index.html").as_uri())
    titles = search(page, "spasm")
    assert titles, "search from file:// found nothing"
    assert any("spasm" in t.lower() for t in titles)
    # The worker ran through the local iframe-worker shim and the inlined index.
    assert any(url.endswith("assets/javascripts/iframe-worker/shim.js") for url in visit.requests)
    assert any(url.endswith("search/search_index.js") for url in visit.requests)
    assert [url for url in visit.requests if not url.startswith("file://")] == []
