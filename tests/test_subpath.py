"""Issue 4, point 3: the site works served under a URL prefix such as /coding/back-spasm/.

A small Python server stands in for the intranet server here (test_nginx.py runs the
real one): files under the prefix, nothing outside it, and 404.html with status 404 for
a missing page, as nginx's error_page, Apache's ErrorDocument and IIS's httpErrors do.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from browser_checks import open_all, outside, search, site_paths, watch
from conftest import ROOT, soup_of

from backspasm import deploy
from devtools import server



PREFIX = deploy.load_settings(ROOT / "deploy" / "settings.yml").prefix


@contextmanager
def serve_under(site: Path, prefix: str):
    """The one development server (devtools.server), under a URL prefix."""
    with server.serve(site, prefix) as running:
        yield running.url


@pytest.fixture(scope="module")
def under_prefix(site):
    with serve_under(site, PREFIX) as base:
        yield base


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_site_is_built_for_the_documented_prefix():
    assert PREFIX == "/coding/back-spasm/"


def test_every_link_and_asset_on_every_page_resolves_under_the_prefix(site, under_prefix):
    targets: dict[str, str] = {}  # URL -> first page linking to it
    for path in site_paths(site):
        page_url = under_prefix + path
        soup = soup_of(site / path)
        links = [a.get("href") for a in soup.find_all(["a", "link"])]
        links += [s.get("src") for s in soup.find_all(["script", "img"])]
        for link in filter(None, links):
            target = urljoin(page_url, link).split("#")[0]
            if not outside(target, under_prefix):
                assert urlsplit(target).path.startswith(PREFIX), f"{path}: {link} leaves the prefix"
                targets.setdefault(target, f"{path}: {link}")
    broken = [where for url, where in targets.items() if status_of(url) != 200]
    assert broken == []


def sample_pages(site: Path) -> list[str]:
    """The top-level pages and the first page of each guide folder depth.

    Every page is loaded in Chromium under the prefix by test_nginx.py; links of every
    page are checked above. Here a sample per folder depth keeps this server's run short.
    """
    by_depth: dict[int, str] = {}
    for path in site_paths(site):
        by_depth.setdefault(path.count("/"), path)
    return sorted({p for p in site_paths(site) if "/" not in p} | set(by_depth.values()))


def test_pages_at_every_depth_load_in_a_browser_under_the_prefix_and_search_works(site, under_prefix, browser):
    context = browser.new_context()
    try:
        visit = watch(context)
        pages = sample_pages(site)
        open_all(context, [under_prefix + path for path in pages])
        page = context.new_page()
        page.goto(under_prefix + pages[-1])
        titles = search(page, "charley horse")
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert titles
    assert max(p.count("/") for p in pages) >= 2
    assert set(visit.responses.values()) == {200}
    assert visit.failed == [] and visit.console_errors == []
    assert all(urlsplit(url).path.startswith(PREFIX) for url in visit.requests if not outside(url, under_prefix))


def test_prefix_without_trailing_slash_redirects_to_the_home_page(under_prefix):
    with urllib.request.urlopen(under_prefix.rstrip("/"), timeout=10) as response:
        assert response.url == under_prefix
        assert "<h1" in response.read().decode()


def check_not_found_page(base: str, browser) -> None:
    """A mistyped deep URL shows the styled 404 page whose links and search work."""
    context = browser.new_context()
    try:
        visit = watch(context)
        page = context.new_page()
        response = page.goto(base + "guide/no/such/step.html", wait_until="networkidle")
        assert response.status == 404
        assert "404" in page.locator("h1").first.inner_text()
        # Styles and scripts came from the site root, not from guide/no/such/.
        assert page.locator("header.md-header").evaluate("e => getComputedStyle(e).position") == "sticky"
        assert [f for f in visit.failed if "no/such/step.html" not in f] == []
        assert search(page, "spasm")
        page.keyboard.press("Escape")
        page.goto(base + "guide/no/such/step.html")
        page.locator("nav.md-nav--primary a.md-nav__link", has_text="Related codes").first.click()
        page.wait_for_load_state()
        assert page.url == base + "related-codes.html"
    finally:
        context.close()


def test_a_mistyped_deep_address_shows_a_working_404_page(under_prefix, browser):
    check_not_found_page(under_prefix, browser)


def test_moving_the_site_to_another_prefix_is_one_command(site, tmp_path, browser):
    moved = tmp_path / "site"
    shutil.copytree(site, moved)
    subprocess.run(
        [sys.executable, "-m", "backspasm", "deploy-config", "--root", str(ROOT), "--site", str(moved),
         "--prefix", "/intranet/coding/"],
        check=True, capture_output=True, text=True,
    )
    assert "ErrorDocument 404 /intranet/coding/404.html" in (moved / ".htaccess").read_text()
    with serve_under(moved, "/intranet/coding/") as base:
        check_not_found_page(base, browser)
