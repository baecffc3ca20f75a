"""Every page of the site, opened once in Chromium the way a reader meets it: served by
Debian's nginx with the generated config (headers, Content-Security-Policy) under the
deploy prefix.

On each page: axe-core (WCAG 2.0/2.1/2.2 A and AA) in the light palette, then in the
dark one; and for the whole visit, no CSP violation and no console error (the policy,
default-src 'none' with 'self' only, turns any request to another host into a
violation), and no request nginx answered with an error (its access log). Pages are split
into shares by a hash of their path so pytest-xdist spreads the work; a failure names
each page.
"""
from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from browser_checks import REPORT_VIOLATIONS, site_paths
from conftest import AXE, AXE_URL_PATH
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
        "resultTypes": ["violations"]}
# The dark palette changes colours only (the same page, other CSS custom properties): in it,
# the rules that read colours run again; the structure was checked in the light one.
COLOUR_RULES = ["color-contrast", "link-in-text-block", "non-text-contrast"]
SHARES = 12  # about 90 pages each: the last share to finish leaves the other worker idle briefly
PALETTES = {"light": "default", "dark": "slate"}


def share_of(rel: str) -> int:
    return zlib.crc32(rel.encode()) % SHARES


def pages_in_share(site: Path, share: int) -> list[str]:
    return [rel for rel in site_paths(site, with_404=True) if share_of(rel) == share]


def describe(rel: str, palette: str, violation: dict) -> str:
    node = violation["nodes"][0]
    summary = " ".join(node.get("failureSummary", "").split())
    return (f"{rel} ({palette}): {violation['id']} on {len(violation['nodes'])} element(s), "
            f"first {node['target']}: {summary[:300]}")


def axe(page, base: str, options: dict = WCAG) -> list[dict]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(url=base + AXE_URL_PATH)
    return page.evaluate("options => axe.run(document, options)", options)["violations"]


def colour_rules(page) -> dict:
    known = set(page.evaluate("() => axe.getRules().map(r => r.ruleId)"))
    return {"runOnly": {"type": "rule", "values": [r for r in COLOUR_RULES if r in known]}, "resultTypes": ["violations"]}


def switch_to_dark(page) -> None:
    """What the palette toggle does: the dark scheme's colours on the same page, at once
    (the theme's colour transitions are switched off through the CSS object model, which
    the Content-Security-Policy allows, so the colours are measured at their end)."""
    page.evaluate("""scheme => {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync("*, *::before, *::after { transition: none !important; }");
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
        document.body.setAttribute("data-md-color-scheme", scheme);
    }""", PALETTES["dark"])


@pytest.mark.parametrize("share", range(SHARES))
def test_every_page_passes_axe_in_both_palettes_under_the_served_policy(browser, nginx_server, site, share):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make node-deps` (npm ci installs axe-core)")
    nginx, work = nginx_server
    rels = pages_in_share(site, share)
    assert rels, f"no page falls in share {share}"
    log = work / "access.log"
    seen = log.stat().st_size
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    context.add_init_script(REPORT_VIOLATIONS)
    # axe-core in every page from the start (the DevTools protocol, not a page request):
    # a script tag added after load costs a fetch and a parse per page, a third of the visit.
    context.add_init_script(path=str(AXE))
    console_errors: list[str] = []
    context.on("console", lambda m: m.type == "error" and console_errors.append(f"{m.location.get('url')}: {m.text}"))
    page = context.new_page()
    problems = []
    try:
        for rel in rels:
            response = page.goto(nginx + rel, wait_until="load")
            assert response and response.status == 200, f"{rel}: HTTP {response and response.status}"
            assert page.get_attribute("body", "data-md-color-scheme") == PALETTES["light"], rel
            problems += [describe(rel, "light", v) for v in axe(page, nginx)]
            switch_to_dark(page)
            problems += [describe(rel, "dark", v) for v in axe(page, nginx, colour_rules(page))]
    finally:
        context.close()
    assert not problems, f"{len(problems)} axe violation(s):\n" + "\n".join(problems)
    assert console_errors == [], "console errors or Content-Security-Policy violations"
    with open(log, encoding="utf-8") as f:
        f.seek(seen)
        answered = [line.split() for line in f if line.strip()]
    assert answered, "nginx logged none of the requests"
    assert [line for line in answered if int(line[0]) >= 400] == []


def test_the_shares_cover_every_page(site):
    """Together the shares are the whole site: the reference pages, the guide, the code
    pages, the practice cases and every answer's feedback page, 404."""
    covered = sorted(rel for share in range(SHARES) for rel in pages_in_share(site, share))
    assert covered == site_paths(site, with_404=True)
    assert {"index.html", "related-codes.html", "guide/index.html", "codes/M62.830.html", "404.html",
            "practice/index.html", "practice/worksheet.html", "practice/answer-key.html"} <= set(covered)
    assert sum(1 for rel in covered if rel.startswith("practice/") and rel.count("/") == 2) >= 500
