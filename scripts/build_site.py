#!/usr/bin/env python3
"""Build the site: check the data against the official code set, generate, mkdocs build.

    python scripts/build_site.py            # check, generate and build into site/
    python scripts/build_site.py --check    # check data and pages only, build nothing
    python scripts/build_site.py --accept-release   # after a code-set upgrade: refresh the snapshot

Problems are printed as "file, entry: what is wrong", all at once, and nothing is
published: site/ keeps its last good build.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sitegen import codeset, pipeline  # noqa: E402
from sitegen.errors import BuildFailed  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check data and pages, build nothing")
    parser.add_argument("--site-dir", type=Path, default=pipeline.ROOT / "site")
    parser.add_argument("--stage-dir", type=Path, default=None, help="where staged Markdown goes")
    parser.add_argument("--data-dir", type=Path, default=None, help="data files (default: data/)")
    parser.add_argument(
        "--accept-release",
        action="store_true",
        help="after a code-set upgrade: record the new release in data/codeset_snapshot.yml",
    )
    args = parser.parse_args(argv)

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("mkdocs %(levelname)s: %(message)s"))
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    mkdocs_log.setLevel(logging.WARNING)

    if args.accept_release:
        from sitegen import release_check

        release_check.accept_new_release()
    started = time.perf_counter()
    print(f"ICD-10-CM code set: {codeset.release_name()} tabular (simple-icd-10-cm {codeset.package_version()})")
    try:
        ctx = pipeline.generate(data_dir=args.data_dir, stage=args.stage_dir)
        checked = len(ctx.usage)
        print(f"Checked {checked} distinct codes on {len(list(ctx.stage.rglob('*.md')))} pages: all valid.")
        if args.check:
            return 0
        pipeline.mkdocs_build(pipeline.ROOT, ctx.stage, args.site_dir)
    except BuildFailed as failed:
        print(f"\nBuild stopped: {len(failed.errors)} problem(s). Nothing was published.", file=sys.stderr)
        for error in failed.errors:
            print(f"  - {error}", file=sys.stderr)
        return 1
    print(f"Built {args.site_dir} in {time.perf_counter() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
