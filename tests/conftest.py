"""Shared fixtures: the real site built once for all workers, a local server, Chromium.

Tiers, marked from what a test needs (pytest -m unit | site | browser):
- unit: no built site (loaders, checks, scanners, templates, staging in a throwaway copy);
- site: reads the one shared build (or builds a throwaway project of its own: slow);
- browser: drives Chromium, nginx or Apache.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest
from local_site import keep_local

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def build_into(tmp: Path, data_dir: Path | None = None) -> Path:
    """Run the real build command into tmp/site; returns the site folder."""
    from backspasm import cli

    site = tmp / "site"
    args = ["build", "--root", str(ROOT), "--site-dir", str(site), "--stage-dir", str(tmp / "stage")]
    if data_dir:
        args += ["--data-dir", str(data_dir)]
    code = cli.main(args)
    assert code == 0, "the real site must build"
    return site


def stage_project(root: Path, tmp: Path, data: Path | None = None):
    """Load, derive, render and stage a project (no engine build); returns the Staged pages."""
    from backspasm import pipeline
    from backspasm.project import Mode, Project

    project = Project(root=root, data=data or root / "data", site=tmp / "site", stage=tmp / "stage")
    return pipeline.prepare(project, Mode.WRITE)[1]


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The real site, built once with a strict build and shared by every test worker.

    The first worker to get the lock builds into the session's shared folder; the others
    wait for it and read the same files (the site is never written by a test).
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the session folder all workers share
    folder = shared / "shared-build"
    folder.mkdir(exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder / ".built"
        if not done.exists():
            build_into(folder)
            done.write_text("ok")
    return folder / "site"


def html_pages(site_dir: Path) -> list[Path]:
    return sorted(p for p in site_dir.rglob("*.html") if "assets" not in p.parts)


@pytest.fixture(scope="session")
def pages(site) -> list[Path]:
    return html_pages(site)


def soup_of(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="session")
def served(site):
    """The built site over HTTP on a loopback port (devtools.server); yields the base URL."""
    from devtools import server

    with server.serve(site) as running:
        yield running.url


def cms_codes_file(xml: str, package_list: str) -> str:
    """CMS's codes file for a tabular: its billable codes with titles, from the XML and
    simple-icd-10-cm's list of which 7th-character codes exist."""
    import xml.etree.ElementTree as ET

    titles, leaves = {}, set()
    for diag in ET.fromstring(xml).iter("diag"):
        code = diag.findtext("name").replace(".", "")
        titles[code] = diag.findtext("desc")
        if diag.find("diag") is None:
            leaves.add(code)
    listed = set(package_list.split())
    extended = {c for c in listed if len(c) == 7 and c not in titles and c[:6].rstrip("X") in leaves}
    bases = {c[:6].rstrip("X") for c in extended}
    lines = [f"{c:<8}{titles[c]}" for c in sorted(leaves - bases)]
    lines += [f"{c:<8}{titles[c[:6].rstrip('X')]}, 7th character {c[6]}" for c in sorted(extended)]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def altered_release_files(tmp_path_factory) -> tuple[Path, Path]:
    """CMS's two files for an altered copy of the packaged release: M62.838 deleted,
    M62.830 retitled, M62.839 added, an Excludes1 note added to M62.83."""
    import re

    from backspasm import codeset

    folder = tmp_path_factory.mktemp("release")
    xml = codeset.packaged_tabular().read_text(encoding="utf-8")
    edits = [
        (r"<diag>\s*<name>M62\.838</name>.*?</diag>",
         "<diag><name>M62.839</name><desc>Muscle spasm, site unspecified</desc></diag>"),
        (r"(<name>M62\.830</name>\s*<desc>)Muscle spasm of back(</desc>)", r"\1Spasm of the back muscles\2"),
        (r"(<name>M62\.83</name>\s*<desc>Muscle spasm</desc>)",
         r"\1<excludes1><note>cramp of limb (R25.2)</note></excludes1>"),
    ]
    for pattern, replacement in edits:
        xml, count = re.subn(pattern, replacement, xml, count=1, flags=re.S)
        assert count == 1, f"the test's edit {pattern!r} no longer applies to the packaged tabular"
    package_list = (codeset._DATA_DIR / "code-list-April-2026.txt").read_text(encoding="utf-8")
    tabular, codes = folder / "icd10cm_tabular_2026.xml", folder / "icd10cm_codes_2026.txt"
    tabular.write_text(xml, encoding="utf-8")
    codes.write_text(cms_codes_file(xml, package_list), encoding="utf-8")
    return tabular, codes


def require_nginx() -> None:
    from devtools import nginx

    if nginx.nginx_path():
        return
    message = "nginx not found: run `make test` (it installs Debian's nginx)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL_PATH = "__axe-core__/axe.min.js"  # in the served copy only: the tests inject it


@pytest.fixture(scope="session")
def nginx_server(site, tmp_path_factory):
    """The built site under Debian's nginx with the generated config, at the deploy prefix:
    (base URL http://127.0.0.1:PORT/coding/back-spasm/, nginx's work folder with access.log).
    The served copy also holds axe-core, so a page can load it from its own origin."""
    from backspasm import deploy
    from devtools import nginx as harness

    require_nginx()
    prefix = deploy.load_settings(ROOT / "deploy" / "settings.yml").prefix
    work = tmp_path_factory.mktemp("nginx")
    with harness.serve(site, work, prefix, ROOT / "deploy") as base:
        if AXE.exists():
            (work / "site" / AXE_URL_PATH).parent.mkdir()
            shutil.copy(AXE, work / "site" / AXE_URL_PATH)
        yield base, work


@pytest.fixture(scope="session")
def nginx(nginx_server):
    """Base URL of the site under nginx (see nginx_server)."""
    return nginx_server[0]


def require_chromium() -> str:
    """Chromium's path. Without it: a skip on a laptop, a failure in CI."""
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    message = f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    path = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def page_nojs(browser):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def print_page(browser, served, site):
    context = browser.new_context()
    keep_local(context, served, site)
    page = context.new_page()
    page.emulate_media(media="print")
    yield page
    context.close()


@pytest.fixture
def print_page_nojs(browser, served, site):
    """The guide is built to work without JavaScript: its results are printed that way too."""
    context = browser.new_context(java_script_enabled=False)
    keep_local(context, served, site)
    page = context.new_page()
    page.emulate_media(media="print")
    yield page
    context.close()


@pytest.fixture(scope="module")
def tree():
    """The guide's decision tree, loaded and checked as the build does."""
    from backspasm.guide.validate import load_tree
    from backspasm.loader import load_list
    from backspasm.models import RelatedCode

    items, _ = load_list(ROOT / "data" / "related_codes.yml", "related", RelatedCode, key=lambda e: e.get("code", ""))
    loaded, errors = load_tree(ROOT / "data" / "decision_tree.yml", "data/decision_tree.yml", {i.code for i in items})
    assert not errors, "\n".join(map(str, errors))
    return loaded


BROWSER_FIXTURES = {"browser", "page", "page_nojs", "print_page", "print_page_nojs", "nginx", "nginx_server",
                    "under_prefix"}
SITE_FIXTURES = {"site", "pages", "served", "buildable"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        needs = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("browser") or needs & BROWSER_FIXTURES:
            tier = "browser"
        elif item.get_closest_marker("slow") or needs & SITE_FIXTURES:
            tier = "site"
        else:
            tier = "unit"
        item.add_marker(getattr(pytest.mark, tier))
