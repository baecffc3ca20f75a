#!/usr/bin/env python3
"""Screenshots for reviewers who do not build: `make screenshots`.

    .venv/bin/python -m devtools.screenshots [--out screenshots] [--site-dir DIR]

Builds the site into a temp folder (or uses --site-dir), then renders the home page,
the related-codes page, a guide step and a guide result, in the light and the dark
palette, at desktop (1280 px) and phone (390 px) width: 16 full-page PNGs named
<page>-<palette>-<width>.png.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from devtools import measure, nginx

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
PALETTES = ("light", "dark")


def build(site: Path, stage: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "backspasm", "build", "--site-dir", str(site), "--stage-dir", str(stage)],
        cwd=ROOT,
    )
    if done.returncode != 0:
        sys.exit("the build failed: no screenshots")


def shoot(base: str, pages: dict[str, str], out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=measure.CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for palette in PALETTES:
            for width_name, (width, height) in WIDTHS.items():
                context = browser.new_context(
                    color_scheme=palette,
                    viewport={"width": width, "height": height},
                    device_scale_factor=1,
                    is_mobile=width_name == "phone",
                    has_touch=width_name == "phone",
                )
                page = context.new_page()
                for name, rel in pages.items():
                    page.goto(base + rel, wait_until="networkidle")
                    target = out / f"{name}-{palette}-{width_name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    written.append(target)
                context.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--site-dir", type=Path, default=None, help="an existing build (default: build now)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="screenshots-"))
    try:
        site = args.site_dir
        if site is None:
            site = work / "site"
            build(site, work / "stage")
        guide = measure.pick_pages(site)
        pages = {
            "home": "index.html",
            "related-codes": "related-codes.html",
            "guide-step": guide["step"],
            "guide-result": guide["result"],
        }
        args.out.mkdir(parents=True, exist_ok=True)
        with nginx.serve_best(site, work, mode="python") as (served_name, served_url):
            written = shoot(served_url, pages, args.out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for name, rel in pages.items():
        print(f"{name}: {rel}")
    print(f"{len(written)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
