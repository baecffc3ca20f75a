"""The published folder carries nothing the site never loads, and search still works."""
from __future__ import annotations

import pytest
from browser_checks import search
from local_site import keep_local
from backspasm.engine import needed_lunr_files


def test_no_source_maps_are_published(site):
    maps = [p.relative_to(site).as_posix() for p in site.rglob("*.map")]
    assert not maps, maps
    pointing = [
        p.relative_to(site).as_posix()
        for p in [*site.glob("assets/**/*.js"), *site.glob("assets/**/*.css")]
        if b"sourceMappingURL=" in p.read_bytes()
    ]
    assert not pointing, f"assets still point to deleted source maps: {pointing}"


def test_lunr_language_packs_are_gone_for_an_english_site(site):
    lunr = site / "assets" / "javascripts" / "lunr"
    left = [p.relative_to(site).as_posix() for p in lunr.rglob("*")] if lunr.exists() else []
    assert not left, f"unused lunr files published: {left[:10]}"
    # The search worker and the index it needs are still there.
    assert list(site.glob("assets/javascripts/workers/search.*.min.js"))
    assert (site / "search" / "search_index.json").stat().st_size > 1000


def test_lunr_files_kept_follow_material_search_worker_rule():
    assert needed_lunr_files(["en"]) == set()
    assert needed_lunr_files(["de"]) == {"min/lunr.de.min.js", "min/lunr.stemmer.support.min.js"}
    assert needed_lunr_files(["en", "ja"]) == {
        "tinyseg.js",
        "min/lunr.ja.min.js",
        "min/lunr.multi.min.js",
        "min/lunr.stemmer.support.min.js",
    }


@pytest.mark.browser
def test_search_still_finds_the_back_spasm_code_after_pruning(browser, served, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    keep_local(context, served, site)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(served + "index.html")
        assert search(page, "M62.830"), "no search result"
    finally:
        context.close()
    assert not errors, errors
