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

from sitegen import codeset, linkcheck, pipeline, publish  # noqa: E402
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
    parser.add_argument("--debug", action="store_true", help="show a traceback for an internal error")
    args = parser.parse_args(argv)
    site = args.site_dir
    stage = args.stage_dir or pipeline.ROOT / "build" / "docs"
    data_dir = args.data_dir or pipeline.ROOT / "data"

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("mkdocs %(levelname)s: %(message)s"))
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    mkdocs_log.setLevel(logging.WARNING)

    started = time.perf_counter()
    try:
        problems = publish.check_outputs(site, stage, pipeline.ROOT, data_dir)
        if problems:
            raise BuildFailed(problems)
        if args.accept_release:
            from sitegen import release_check

            release_check.accept_new_release()
        print(f"ICD-10-CM code set: {codeset.release_name()} tabular (simple-icd-10-cm {codeset.package_version()})")
        with publish.stop_cleanly_on_sigterm(), publish.locked([site, stage]):
            for stale in publish.remove_stale_temp(site):
                print(f"Removed {stale}, left by a build that was stopped.")
            ctx = pipeline.generate(data_dir=data_dir, stage=stage)
            print(f"Checked {len(ctx.usage)} distinct codes on {len(ctx.source_of)} pages: all valid.")
            if args.check:
                return report_check(ctx)
            pipeline.mkdocs_build(pipeline.ROOT, ctx.stage, site, ctx.source_of)
    except BuildFailed as failed:
        print(f"\nBuild stopped: {len(failed.errors)} problem(s). Nothing was published.", file=sys.stderr)
        for error in failed.errors:
            print(f"  - {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nBuild interrupted. Nothing was published; the last good site is unchanged.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours: one readable line, the traceback on request
        if args.debug:
            raise
        print(f"\nBuild stopped by an internal error ({type(exc).__name__}: {exc}). Nothing was published. "
              "Run again with --debug and report the traceback.", file=sys.stderr)
        return 2
    print(f"Built {site} in {time.perf_counter() - started:.1f} s.")
    return 0


def report_check(ctx: pipeline.Context) -> int:
    """`--check`: what a full build would also refuse, short of rendering; and what it leaves out."""
    problems = linkcheck.check(ctx)
    if problems:
        raise BuildFailed(problems)
    print("Links, anchors and deploy settings: all valid.")
    print("Not checked without a full build (`make build`): the HTML the theme renders, inline scripts "
          "and the Content-Security-Policy, assets fetched from outside, and the server configs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
