#!/usr/bin/env python3
"""Benchmark the site the way readers meet it: `make bench`.

    .venv/bin/python -m devtools.bench              # everything, prints a report
    .venv/bin/python -m devtools.bench --runs 3 --no-lighthouse

1. Builds the site --runs times (default 5) into a temp folder; prints the median.
2. Serves the build with nginx and the generated config (site/_deploy/nginx.conf)
   when both exist, else with a local Python server that gzips like nginx does.
3. Prints HTML bytes and gzip bytes transferred for every page, the search index size,
   the bytes of a first visit to the home page and of a guide step once the shared
   assets are cached (measured in Chromium), and Lighthouse scores (performance,
   accessibility, best practices, SEO; desktop preset, Chromium from CHROME_PATH or
   /usr/bin/chromium) for the home, related-codes and a guide result page.

The Lighthouse JSON reports go to bench-results/ (git-ignored). Exit status 1 when a
target is missed: Lighthouse 100 in every category, a guide step under 15 KB once
cached, the home page under 150 KB on a first visit.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devtools import measure, nginx

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
STEP_BUDGET = 15 * 1024
HOME_BUDGET = 150 * 1024


BARE_BUILD = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config("mkdocs.yml", docs_dir=sys.argv[1], site_dir=sys.argv[2], strict=True))
"""


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:4])} failed:\n{done.stdout}{done.stderr}")
    return time.perf_counter() - started


def build(site: Path, stage: Path, runs: int) -> dict[str, list[float]]:
    """Interleaved runs (the machine's noise falls on all three alike): the full build, a bare
    MkDocs build of the same staged pages in a fresh process, and `backspasm check`."""
    times: dict[str, list[float]] = {"full": [], "bare": [], "check": []}
    for run in range(1, runs + 1):
        times["full"].append(timed([sys.executable, "-m", "backspasm", "build", "--site-dir", str(site),
                                    "--stage-dir", str(stage)]))
        times["bare"].append(timed([sys.executable, "-c", BARE_BUILD, str(stage), str(site.parent / "bare-site")]))
        times["check"].append(timed([sys.executable, "-m", "backspasm", "check", "--stage-dir",
                                     str(site.parent / "check-stage")]))
        print(f"  run {run}: full build {times['full'][-1]:.2f} s, bare mkdocs build {times['bare'][-1]:.2f} s, "
              f"check {times['check'][-1]:.2f} s")
    return times


def edit_to_reload(work: Path) -> float:
    """`make serve` on a throwaway copy: seconds from saving a page to the browser showing it."""
    from playwright.sync_api import sync_playwright

    root = work / "serve-project"
    for part in ("docs", "data", "deploy", "overrides", "mkdocs.yml"):
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, root / part)
    port = measure.free_port()
    server = subprocess.Popen([sys.executable, "-m", "devtools.serve", "--root", str(root), "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in server.stdout:
            if line.startswith("Serving "):
                break
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=measure.CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/index.html")
            page.wait_for_timeout(1000)
            marker = f"Edited at {time.time():.0f}"
            started = time.perf_counter()
            (root / "docs" / "index.md").write_text((root / "docs" / "index.md").read_text() + f"\n{marker}\n")
            page.wait_for_function("m => document.body.innerText.includes(m)", arg=marker, timeout=60000)
            elapsed = time.perf_counter() - started
            browser.close()
        return elapsed
    finally:
        server.terminate()
        server.wait(timeout=10)


def run_tests() -> dict[str, float]:
    """Wall time of `make test`'s pytest run, and of each tier on its own (warm venv)."""
    found = {}
    for label, marker in (("unit", ["-m", "unit"]), ("site", ["-m", "site"]), ("browser", ["-m", "browser"]),
                          ("all (make test)", [])):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "-q", *marker], cwd=ROOT, capture_output=True)
        found[label] = time.perf_counter() - started
        print(f"  {label}: {found[label]:.0f} s")
    return found


def kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def page_kind(path: str) -> str | None:
    """Generated pages are summed up by kind; the reference pages are listed one by one."""
    parts = path.split("/")
    if parts[0] == "practice" and len(parts) == 3:
        return "practice feedback pages (practice/<case>/<letter>.html)"
    if parts[0] == "practice" and parts[1] not in ("index.html", "worksheet.html", "answer-key.html"):
        return "practice case pages (practice/<case>.html)"
    if parts[0] in ("guide", "codes") and parts[-1] not in ("index.html", "all-paths.html"):
        return f"{parts[0]} pages ({parts[0]}/...)"
    return None


def print_page_table(rows: list[measure.PageBytes]) -> None:
    width = max(len(r.path) for r in rows if page_kind(r.path) is None)
    print(f"  {'page':<{width}}  {'HTML':>9}  {'gzip sent':>9}")
    kinds: dict[str, list[measure.PageBytes]] = {}
    for r in rows:
        kind = page_kind(r.path)
        if kind:
            kinds.setdefault(kind, []).append(r)
        else:
            print(f"  {r.path:<{width}}  {r.html:>9,}  {r.sent:>9,}")
    for kind, group in kinds.items():
        largest = max(group, key=lambda r: r.sent)
        print(f"  {kind}: {len(group)} pages, median HTML {statistics.median(r.html for r in group):,.0f} bytes, "
              f"median sent {statistics.median(r.sent for r in group):,.0f}; largest sent {largest.path} "
              f"({largest.sent:,})")
    print(f"  {len(rows)} pages: HTML {kb(sum(r.html for r in rows))} in all, "
          f"{kb(sum(r.sent for r in rows))} sent gzipped; largest page sent: "
          f"{max(rows, key=lambda r: r.sent).path} ({kb(max(r.sent for r in rows))})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="builds to time (median printed)")
    parser.add_argument("--no-lighthouse", action="store_true", help="skip the Lighthouse runs")
    parser.add_argument("--results", type=Path, default=ROOT / "bench-results", help="where Lighthouse reports go")
    parser.add_argument("--server", choices=["auto", "nginx", "python"], default="auto")
    parser.add_argument("--no-reload", dest="reload", action="store_false", help="skip the edit-to-reload timing")
    parser.add_argument("--tests", action="store_true", help="also time the test suite per tier (minutes)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    site = work / "site"
    misses: list[str] = []
    try:
        print(f"Build ({args.runs} runs of each, interleaved):")
        times = build(site, work / "stage", args.runs)
        full, bare, check = (statistics.median(times[k]) for k in ("full", "bare", "check"))
        print(f"  medians: full build {full:.2f} s, bare mkdocs build of the staged pages {bare:.2f} s, "
              f"check {check:.2f} s")
        print(f"  ratios: full / bare {full / bare:.2f} (target <= 1.5); check / full {check / full:.2f} "
              f"(target <= 0.3)\n")
        if full / bare > 1.5:
            misses.append(f"full / bare build {full / bare:.2f} > 1.5")
        if check / full > 0.3:
            misses.append(f"check / full build {check / full:.2f} > 0.3")
        if args.reload:
            print(f"make serve: edit-to-reload {edit_to_reload(work):.2f} s (a page saved until the browser shows it)\n")
        if args.tests:
            print("make test, wall time per tier (-n 2):")
            run_tests()
            print()

        with nginx.serve_best(site, work, mode=args.server) as (served_name, served_url):
            print(f"Served by {served_name} at {served_url}\n")
            rows = measure.page_bytes(site, served_url)
            print("Bytes per page (HTML on disk, bytes sent with Accept-Encoding: gzip):")
            print_page_table(rows)

            index = measure.search_index(site, served_url)
            print(f"\nSearch index: search_index.json {index['json']:,} bytes ({index['json_sent']:,} sent gzipped); "
                  f"search_index.js (file://) {index['js']:,} bytes")

            pages = measure.pick_pages(site)
            visits = measure.visit_costs(served_url, pages)
            print("\nIn Chromium (all requests, bytes on the wire):")
            print(f"  first visit, home page: {visits['home_first']:,} bytes ({kb(visits['home_first'])}) "
                  f"in {visits['home_requests']} requests; budget {kb(HOME_BUDGET)}")
            print(f"  then a guide step ({pages['step']}): {visits['step_cached']:,} bytes "
                  f"({kb(visits['step_cached'])}) with shared assets cached; budget {kb(STEP_BUDGET)}")
            if visits["home_first"] >= HOME_BUDGET:
                misses.append(f"home page first visit {kb(visits['home_first'])} >= {kb(HOME_BUDGET)}")
            if visits["step_cached"] >= STEP_BUDGET:
                misses.append(f"guide step {kb(visits['step_cached'])} >= {kb(STEP_BUDGET)}")

            if not args.no_lighthouse:
                args.results.mkdir(parents=True, exist_ok=True)
                print(f"\nLighthouse {measure.lighthouse_version()} (desktop preset: the readers' hospital desktops; "
                      f"reports in {args.results.relative_to(ROOT) if args.results.is_relative_to(ROOT) else args.results}):")
                print(f"  {'page':<44} " + " ".join(f"{c:>14}" for c in CATEGORIES))
                for label, rel in (("home", "index.html"), ("related codes", "related-codes.html"), ("guide result", pages["result"])):
                    scores = measure.lighthouse(served_url + rel, args.results / f"{label.replace(' ', '-')}.json", CATEGORIES)
                    print(f"  {label + ' (' + rel + ')':<44} " + " ".join(f"{scores[c]:>14}" for c in CATEGORIES))
                    misses += [f"Lighthouse {c} {scores[c]} on {rel}" for c in CATEGORIES if scores[c] != 100]
                    for audit in measure.failed_audits(args.results / f"{label.replace(' ', '-')}.json"):
                        print(f"      not full marks: {audit}")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    if misses:
        print("Targets missed:\n  " + "\n  ".join(misses))
        return 1
    print("All targets met: Lighthouse 100 x4 on each page, guide step < 15 KB cached, home < 150 KB first visit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
