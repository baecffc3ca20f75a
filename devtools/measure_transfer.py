#!/usr/bin/env python3
"""Measure what a reader's browser fetches from the site served by nginx under its prefix.

    .venv/bin/python devtools/measure_transfer.py [--site site] [--page guide/no-red-flag.html] [--json]

For each page: a first visit (empty cache) and a warm visit (same browser, page opened
again): requests and bytes on the wire, read from nginx's access log ($bytes_sent:
headers plus compressed body), so the search worker's own requests count too. Every
request is same-origin by construction; the script also fails if Chromium asked for
any other host. Needs Chromium (/usr/bin/chromium) and nginx, as `make test` installs.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from backspasm import deploy
from devtools import nginx

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@dataclass
class Visit:
    page: str
    visit: str  # "first" or "warm"
    requests: int
    bytes: int
    statuses: dict[str, int]


def default_pages(site: Path) -> list[str]:
    """The home page and the guide's first step (any other guide page if renamed)."""
    steps = sorted(p.relative_to(site).as_posix() for p in (site / "guide").glob("*.html")
                   if p.name not in ("index.html", "all-paths.html"))
    return ["index.html", *(["guide/no-red-flag.html"] if "guide/no-red-flag.html" in steps else steps[:1])]


def _outside(urls: list[str], base: str) -> list[str]:
    host = urlsplit(base).netloc
    return [u for u in urls if not u.startswith(("data:", "blob:")) and urlsplit(u).netloc != host]


def read_new_lines(log: Path, seen: int) -> tuple[list[str], int]:
    lines = log.read_text(encoding="utf-8").splitlines()
    return lines[seen:], len(lines)


def summarise(page: str, kind: str, lines: list[str]) -> Visit:
    statuses: dict[str, int] = {}
    total = 0
    for line in lines:
        status, sent, _ = line.split(" ", 2)
        statuses[status] = statuses.get(status, 0) + 1
        total += int(sent)
    return Visit(page, kind, len(lines), total, statuses)


def measure(site: Path, pages: list[str]) -> tuple[list[Visit], str, list[str]]:
    from playwright.sync_api import sync_playwright

    settings = deploy.load_settings(ROOT / "deploy" / "settings.yml")
    results: list[Visit] = []
    foreign: list[str] = []
    with tempfile.TemporaryDirectory(prefix="measure-") as tmp, \
            nginx.serve(site, Path(tmp), settings.prefix, ROOT / "deploy") as base, \
            sync_playwright() as pw:
        log = Path(tmp) / "access.log"
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        policy = ""
        for page_path in pages:
            context = browser.new_context()  # an empty cache per page
            context.on("request", lambda request: foreign.extend(_outside([request.url], base)))
            _, seen = read_new_lines(log, 0)
            for kind in ("first", "warm"):
                page = context.new_page()
                response = page.goto(base + page_path, wait_until="networkidle")
                policy = response.headers.get("content-security-policy", "")
                page.close()
                lines, seen = read_new_lines(log, seen)
                results.append(summarise(page_path, kind, lines))
            context.close()
        browser.close()
    return results, policy, foreign


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--page", action="append", help="site path to measure (repeatable)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"No built site in {args.site}: run `make build` first.", file=sys.stderr)
        return 1
    results, policy, foreign = measure(args.site, args.page or default_pages(args.site))
    if args.json:
        print(json.dumps({"csp": policy, "outside_requests": foreign, "visits": [asdict(r) for r in results]}, indent=2))
    else:
        print(f"{'page':32} {'visit':6} {'requests':>8} {'bytes':>9}  statuses")
        for r in results:
            codes = ", ".join(f"{n}x{s}" for s, n in sorted(r.statuses.items()))
            print(f"{r.page:32} {r.visit:6} {r.requests:8d} {r.bytes:9d}  {codes}")
        print(f"\nRequests to other hosts: {len(foreign)}")
        print(f"Content-Security-Policy: {policy}")
    return 1 if foreign else 0


if __name__ == "__main__":
    sys.exit(main())
