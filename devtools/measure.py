"""Measurements for devtools/bench.py: bytes per page, search index, visits in Chromium, Lighthouse."""
from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"


@dataclass(frozen=True)
class PageBytes:
    path: str
    html: int  # bytes on disk
    sent: int  # body bytes sent when the browser accepts gzip


def html_pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not ({"assets", "_deploy"} & set(p.relative_to(site).parts))
    )


def sent_bytes(url: str) -> int:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:  # urllib leaves the body compressed
        return len(response.read())


def page_bytes(site: Path, base: str) -> list[PageBytes]:
    return [PageBytes(rel, (site / rel).stat().st_size, sent_bytes(base + rel)) for rel in html_pages(site)]


def search_index(site: Path, base: str) -> dict[str, int]:
    return {
        "json": (site / "search" / "search_index.json").stat().st_size,
        "json_sent": sent_bytes(base + "search/search_index.json"),
        "js": (site / "search" / "search_index.js").stat().st_size
        if (site / "search" / "search_index.js").exists() else 0,
    }


def pick_pages(site: Path) -> dict[str, str]:
    """A guide step (the page after the first answer) and the result the first answers lead to."""
    from bs4 import BeautifulSoup

    def soup(rel: str):
        return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")

    rel, step = "guide/index.html", None
    for _ in range(20):
        page = soup(rel)
        if page.select_one(".guide-result"):
            return {"step": step or "guide/index.html", "result": rel}
        answer = page.select_one("a.guide-answer")
        if answer is None:
            raise SystemExit(f"{rel}: no answer link and no result: is the guide built?")
        rel = urljoin(rel, answer["href"]).split("#", 1)[0]
        step = step or rel
    raise SystemExit("no guide result after 20 answers")


def visit_costs(base: str, pages: dict[str, str]) -> dict[str, int]:
    """Bytes on the wire: first visit to the home page, then a guide step with a warm cache.

    Each request counts its response headers and (compressed) body as Chromium reports
    them; for the first visit a body is never counted below what the server sends for
    that URL, because Chromium under-reports the search worker's script.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context().new_page()
        sizes: dict[str, int] = {}

        def record(request):
            s = request.sizes()
            sizes[request.url] = sizes.get(request.url, 0) + s["responseBodySize"] + s["responseHeadersSize"]

        page.on("requestfinished", record)
        page.goto(base + "index.html", wait_until="networkidle")
        first = {url: max(size, sent_bytes(url)) for url, size in sizes.items() if url.startswith(base)}
        sizes.clear()
        page.goto(base + pages["step"], wait_until="networkidle")
        step = sum(sizes.values())
        browser.close()
    return {"home_first": sum(first.values()), "home_requests": len(first), "step_cached": step}


def lighthouse_version() -> str:
    return subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip()


def lighthouse(url: str, report: Path, categories: list[str], preset: str = "desktop") -> dict[str, int]:
    """Scores 0-100 per category; the full JSON report is written to report.

    preset "desktop" (the readers: hospital desktops on the intranet) or "mobile"
    (Lighthouse's default: a mid-range phone on a slow 4G link, simulated).
    """
    extra = ["--preset=desktop"] if preset == "desktop" else []
    run = subprocess.run(
        [
            str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
            f"--only-categories={','.join(categories)}", f"--chrome-flags={CHROME_FLAGS}", *extra,
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if run.returncode != 0 or not report.exists():
        raise SystemExit(f"lighthouse failed on {url}:\n{run.stderr[-2000:]}")
    result = json.loads(report.read_text(encoding="utf-8"))
    return {c: round((result["categories"][c]["score"] or 0) * 100) for c in categories}


def failed_audits(report: Path) -> list[str]:
    """Audits below a full score in a Lighthouse report, for explaining a score under 100."""
    result = json.loads(report.read_text(encoding="utf-8"))
    out = []
    for category in result["categories"].values():
        for ref in category["auditRefs"]:
            audit = result["audits"][ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                out.append(f"{category['id']}: {ref['id']} ({audit.get('displayValue') or audit['score']})")
    return out


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
