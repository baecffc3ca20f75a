"""Issue 4, point 1: no request leaves the host, and the build refuses outside assets."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_checks import open_all, outside, search, site_paths, watch
from conftest import ROOT, soup_of

from backspasm import deploy, htmlscan, postbuild
from backspasm.project import Project
from backspasm.errors import BuildFailed




def urls_named_in_bundles(site: Path) -> set[str]:
    """Outside addresses the theme's JavaScript names (mermaid, a polyfill, GitHub's API)."""
    found = set()
    for bundle in site.glob("assets/javascripts/**/*.js"):
        found |= set(re.findall(r"https?://[A-Za-z0-9.-]+\.[a-z]{2,}/[A-Za-z0-9./_@-]*", bundle.read_text(errors="replace")))
    return found


def test_every_feature_fetches_only_from_the_serving_host(site, served, browser):
    """Search, dark mode, the guide clicked through with JavaScript on, the back-to-top button:
    none of them requests the outside addresses the theme's bundle names."""
    named = urls_named_in_bundles(site)
    assert any("unpkg.com" in url for url in named), "the check needs the bundle's outside URLs"
    context = browser.new_context()
    try:
        visit = watch(context)
        page = context.new_page()
        for rel in ("index.html", "related-codes.html", "codes/M62.830.html", "matrix.html"):
            page.goto(served + rel, wait_until="networkidle")
            page.locator("label[for^='__palette']:visible").first.click()  # dark mode, and back
            page.locator("label[for^='__palette']:visible").first.click()
            page.mouse.wheel(0, 4000)
            page.mouse.wheel(0, -2000)  # shows "back to top"
        page.goto(served + "guide/index.html", wait_until="networkidle")
        while page.locator("a.guide-answer").count():
            page.locator("a.guide-answer").first.click()
            page.wait_for_load_state("networkidle")
        assert page.locator(".guide-result").count() == 1
        assert search(page, "lumbar strain")
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert [url for url in visit.requests if outside(url, served)] == []
    assert not {url for url in visit.requests} & named
    assert visit.failed == []


def test_search_shim_ships_with_the_site_instead_of_coming_from_unpkg(site, pages):
    for path in pages:
        srcs = [tag.get("src", "") for tag in soup_of(path).find_all("script")]
        assert not [s for s in srcs if "unpkg.com" in s], path.name
        assert any(s.endswith("assets/javascripts/iframe-worker/shim.js") for s in srcs), path.name
    assert (site / "assets/javascripts/iframe-worker/shim.js").stat().st_size > 500


def test_reference_hyperlinks_to_outside_sites_are_allowed(tmp_path):
    (tmp_path / "sources.html").write_text(
        '<link rel="canonical" href="https://intranet.example/x.html">'
        '<p><a href="https://www.nice.org.uk/guidance/ng59">NICE NG59</a></p>',
        encoding="utf-8",
    )
    assert htmlscan.find_outside_assets(tmp_path) == []


@pytest.mark.parametrize(
    "markup, what",
    [
        ('<script src="https://cdn.example/x.js"></script>', "<script src>"),
        ('<link rel="stylesheet" href="//fonts.example/css">', '<link rel="stylesheet" href>'),
        ('<link rel="icon" href="http://cdn.example/favicon.png">', '<link rel="icon" href>'),
        ('<img alt="" srcset="a.png 1x, https://img.example/b.png 2x">', "<img srcset>"),
        ('<iframe src="https://video.example/embed"></iframe>', "<iframe src>"),
        ('<div style="background: url(https://img.example/bg.png)"></div>', "<div style> url()"),
        ('<table background="https://img.example/bg.png"></table>', "<table background>"),
        ('<body background="//img.example/bg.png">', "<body background>"),
        ('<meta http-equiv="refresh" content="0; url=https://elsewhere.example/">', '<meta http-equiv="refresh">'),
        ('<meta http-equiv="Refresh" content="5;URL=\'//elsewhere.example/x\'">', '<meta http-equiv="refresh">'),
        ('<div style="background-image: image-set(\'https://img.example/a.png\' 1x)"></div>', "url()"),
        ('<pre class="mermaid">graph TD; A-->B</pre>', "mermaid"),
        ('<a href="x.html" ping="https://track.example/">x</a>', "<a ping>"),
        ('<svg><image href="https://img.example/a.png"/></svg>', "<image href>"),
    ],
)
def test_build_names_the_page_that_loads_an_outside_asset(tmp_path, markup, what):
    (tmp_path / "guide").mkdir()
    (tmp_path / "guide" / "step.html").write_text(f"<!doctype html>\n<p>hi</p>\n{markup}\n", encoding="utf-8")
    [error] = htmlscan.find_outside_assets(tmp_path)
    assert error.file == "built page guide/step.html"
    assert error.entry == "line 3"
    assert what in error.message and "outside the intranet" in error.message
    # With the page's source known, the message names it first.
    [error] = htmlscan.find_outside_assets(tmp_path, {"guide/step.html": "docs/guide/step.md"})
    assert error.file == "docs/guide/step.md" and error.entry == "built page guide/step.html, line 3"


def test_build_names_the_stylesheet_that_imports_from_outside(tmp_path):
    css = tmp_path / "stylesheets" / "extra.css"
    css.parent.mkdir()
    css.write_text('body{color:red}\n@import url("https://fonts.example/roboto.css");\n', encoding="utf-8")
    errors = htmlscan.find_outside_assets(tmp_path)
    assert [str(e) for e in errors] == [
        "built stylesheet stylesheets/extra.css, line 2: @import loads https://fonts.example/roboto.css "
        "from outside the intranet; ship the file with the site instead"
    ]


def test_build_names_the_stylesheet_that_uses_image_set_from_outside(tmp_path):
    css = tmp_path / "extra.css"
    css.write_text('a{background:-webkit-image-set("a.png" 1x, "https://img.example/b.png" 2x)}\n', encoding="utf-8")
    [error] = htmlscan.find_outside_assets(tmp_path)
    assert "image-set() loads https://img.example/b.png" in str(error)


def test_the_strict_check_runs_on_every_build(site, tmp_path):
    """A built page with an outside asset stops the post-build pass, before publication."""
    import shutil

    built = tmp_path / "built"
    shutil.copytree(site, built)
    (built / "index.html").write_text('<!doctype html><img src="https://img.example/x.png" alt="">', encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        postbuild.run(built, Project.at(ROOT), {"index.html": "docs/index.md"},
                      deploy.load_settings(ROOT / "deploy" / "settings.yml"))
    assert any(e.file == "docs/index.md" and "outside the intranet" in e.message for e in failed.value.errors)


def test_published_pages_and_stylesheets_pass_the_strict_check(site: Path):
    assert htmlscan.find_outside_assets(site) == []
