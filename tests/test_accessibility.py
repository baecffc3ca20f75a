"""WCAG 2.2 AA checks aimed at one feature each: the search dialog's name, the footer's
contrast, one h1 and a working skip link on every page, the skip link as first tab stop.

axe-core on every page in both palettes is in test_every_page.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import AXE, AXE_URL_PATH, soup_of
from local_site import keep_local


def require_axe() -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make node-deps` (npm ci installs axe-core)")


def new_axe_context(browser, served: str, site: Path, **options):
    context = browser.new_context(**options)
    keep_local(context, served, site)
    body = AXE.read_bytes()
    context.route(
        served + AXE_URL_PATH,
        lambda route: route.fulfill(
            body=body, headers={"Content-Type": "text/javascript", "Cache-Control": "max-age=3600"}
        ),
    )
    return context


def run_axe(page, served: str, options: dict) -> dict:
    page.add_script_tag(url=served + AXE_URL_PATH)
    return page.evaluate("options => axe.run(document, options)", options)


@pytest.mark.browser
def test_search_dialog_has_an_accessible_name(browser, served, site):
    """Material's search dialog has no name of its own; overrides/partials/search.html adds one."""
    require_axe()
    context = new_axe_context(browser, served, site, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(served + "index.html")
        page.keyboard.press("/")  # Material's shortcut opens the search dialog
        page.wait_for_selector(".md-search__input:focus")
        result = run_axe(page, served, {"runOnly": {"type": "rule", "values": ["aria-dialog-name"]}})
        assert not result["violations"], result["violations"]
        checked = [n["target"] for r in result["passes"] for n in r["nodes"]]
        assert [".md-search"] in checked, f"axe did not see the search dialog: {checked}"
    finally:
        context.close()


@pytest.mark.browser
def test_footer_text_meets_contrast(browser, served, site):
    """Material's footer text is 4.47:1; a11y.css lifts it to at least 4.5:1."""
    require_axe()
    context = new_axe_context(browser, served, site)
    page = context.new_page()
    try:
        page.goto(served + "index.html")
        result = run_axe(page, served, {"runOnly": {"type": "rule", "values": ["color-contrast"]}})
        footer_failures = [n for r in result["violations"] for n in r["nodes"] if "copyright" in str(n["target"])]
        assert not footer_failures, footer_failures
        checked = [n["target"] for r in result["passes"] for n in r["nodes"]]
        assert [".md-copyright"] in checked or any("copyright" in str(t) for t in checked)
    finally:
        context.close()


def test_every_page_has_one_h1_and_a_working_skip_link(pages, site):
    problems = []
    for path in pages:
        rel = path.relative_to(site).as_posix()
        soup = soup_of(path)
        h1s = soup.find_all("h1")
        if len(h1s) != 1:
            problems.append(f"{rel}: {len(h1s)} h1 elements")
        skip = soup.select_one("a.md-skip[href*='#']")
        if skip is None:
            problems.append(f"{rel}: no skip link")
            continue
        # "#id", or "404.html#id" on the 404 page (served at any URL, with a <base>).
        file_part, target = skip["href"].split("#", 1)
        if file_part not in ("", path.name):
            problems.append(f"{rel}: skip link {skip['href']} leaves the page")
        elif soup.find(id=target) is None:
            problems.append(f"{rel}: skip link points to #{target}, which is not on the page")
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_skip_link_is_the_first_tab_stop_and_is_visible(browser, served, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    keep_local(context, served, site)
    page = context.new_page()
    try:
        # Material's own skip link, and the fallback main.html adds where Material has none.
        for rel in ("index.html", "guide/index.html"):
            page.goto(served + rel)
            page.keyboard.press("Tab")
            focused = page.locator(":focus")
            assert focused.get_attribute("class").split()[0] == "md-skip", rel
            assert focused.inner_text().strip() == "Skip to content"
            page.wait_for_function("() => getComputedStyle(document.activeElement).opacity === '1'")
            box = focused.bounding_box()
            assert box and box["width"] > 20 and box["height"] > 10, f"{rel}: skip link not shown on focus"
    finally:
        context.close()
