"""Shared fixtures: the real site built once into a temp folder, a local server, Chromium."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import socketserver
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

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
    """Run the real build script into tmp/site; returns the site folder."""
    import build_site

    site = tmp / "site"
    args = ["--site-dir", str(site), "--stage-dir", str(tmp / "stage")]
    if data_dir:
        args += ["--data-dir", str(data_dir)]
    code = build_site.main(args)
    assert code == 0, "the real site must build"
    return site


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The real site, built with a strict build into a temporary folder."""
    return build_into(tmp_path_factory.mktemp("build"))


def html_pages(site_dir: Path) -> list[Path]:
    return sorted(p for p in site_dir.rglob("*.html") if "assets" not in p.parts)


@pytest.fixture(scope="session")
def pages(site) -> list[Path]:
    return html_pages(site)


def soup_of(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


@pytest.fixture(scope="session")
def served(site):
    """The built site over HTTP on a loopback port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


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
