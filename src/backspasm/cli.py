"""The command line: `backspasm build | check | accept-release | deploy-config`.

Problems are printed as "file, entry: what is wrong", all at once, and nothing is
published: site/ keeps its last good build. Exit status: 0 done, 1 problems found,
2 an internal error (rerun with --debug for the traceback), 130 interrupted.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from . import codeset, deploy, engine, pipeline, publish
from .errors import BuildFailed, DataError
from .project import Mode, Project


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backspasm", description="Build the back muscle spasm coding reference.")
    commands = parser.add_subparsers(dest="command", required=True)
    for mode, text in [(Mode.WRITE, "check everything, build and publish site/"),
                       (Mode.CHECK, "check data, pages, links and settings; build nothing"),
                       (Mode.ACCEPT, "after a code-set upgrade: record the new release in the snapshot, then build")]:
        sub = commands.add_parser(mode.value, help=text, description=text)
        sub.set_defaults(mode=mode)
        sub.add_argument("--root", type=Path, default=Path.cwd(), help="the project folder (default: here)")
        sub.add_argument("--site-dir", type=Path, help="where the site goes (default: site/)")
        sub.add_argument("--stage-dir", type=Path, help="where staged Markdown goes (default: build/docs/)")
        sub.add_argument("--data-dir", type=Path, help="the data files (default: data/)")
        sub.add_argument("--tabular", type=Path, help="CMS's tabular XML of a release to build against "
                                                     "(with --codes), instead of the one simple-icd-10-cm ships")
        sub.add_argument("--codes", type=Path, help="CMS's codes file of the same release (icd10cm_codes_YYYY.txt)")
        sub.add_argument("--today", type=date.fromisoformat, help="build as of this day (YYYY-MM-DD), "
                                                                 "for the coverage line and its check")
        sub.add_argument("--debug", action="store_true", help="show a traceback for an internal error")
    sub = commands.add_parser("deploy-config", help="rewrite a built site's server configs for another prefix",
                              description="Rewrite a built site's server configs and 404 page for another URL "
                                          "prefix or server folder; no rebuild needed.")
    sub.set_defaults(mode=None)
    sub.add_argument("--root", type=Path, default=Path.cwd(), help="the project folder (default: here)")
    sub.add_argument("--site", type=Path, help="the built site folder (default: site/)")
    sub.add_argument("--prefix", help="URL path, e.g. /coding/back-spasm/ (default: deploy/settings.yml)")
    sub.add_argument("--server-root", help="nginx: the folder holding the site on the server")
    sub.add_argument("--debug", action="store_true", help="show a traceback for an internal error")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.mode is None:
            return deploy_config(args)
        return build(args)
    except BuildFailed as failed:
        what = "Build stopped" if args.mode else "Stopped"
        print(f"\n{what}: {len(failed.errors)} problem(s). Nothing was published.", file=sys.stderr)
        for error in failed.errors:
            print(f"  - {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nBuild interrupted. Nothing was published; the last good site is unchanged.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours: one readable line, the traceback on request
        if args.debug:
            raise
        print(f"\nStopped by an internal error ({type(exc).__name__}: {exc}). Nothing was published. "
              "Run again with --debug and report the traceback.", file=sys.stderr)
        return 2


def build(args) -> int:
    project = Project.at(args.root, data=args.data_dir, site=args.site_dir, stage=args.stage_dir, today=args.today)
    problems = publish.check_outputs(project.site, project.stage, project.root, project.data)
    if problems:
        raise BuildFailed(problems)
    engine.show_warnings()
    if args.tabular or args.codes:
        if not (args.tabular and args.codes):
            raise BuildFailed([DataError("--tabular, --codes", "", "give both files of the release: the tabular "
                                                                   "XML and the codes file (make build TABULAR=... CODES=...)")])
        release = codeset.use_release(args.tabular, args.codes)
        print(f"ICD-10-CM code set: {release.name}, CMS's files {release.tabular} and {release.codes}")
    else:
        print(f"ICD-10-CM code set: {codeset.release_name()} tabular (simple-icd-10-cm {codeset.package_version()})")
    with publish.stop_cleanly_on_sigterm(), publish.locked([project.site, project.stage]):
        for stale in publish.remove_stale_temp(project.site):
            print(f"Removed {stale}, left by a build that was stopped.")
        report = pipeline.run(project, args.mode)
    for note in report.notes:
        print(note)

    print(f"Checked {report.codes_checked} distinct codes on {report.pages} pages: all valid.")
    if args.mode is Mode.CHECK:
        print("Links, anchors and deploy settings: all valid.")
        print("Not checked without a full build (`make build`): the HTML the theme renders, inline scripts "
              "and the Content-Security-Policy, assets fetched from outside, and the server configs.")
    else:
        print(f"Built {project.site} in {report.seconds:.1f} s.")
    return 0


def deploy_config(args) -> int:
    root = args.root.resolve()
    site = args.site or root / "site"
    settings = deploy.load_settings(root / "deploy" / "settings.yml")
    changes = {k: v for k, v in (("prefix", args.prefix), ("server_root", args.server_root)) if v}
    try:
        settings = deploy.DeploySettings.model_validate(settings.model_dump() | changes)
    except ValidationError as exc:
        raise BuildFailed([DataError(f"--{e.entry.replace('_', '-')}", "", e.message)
                           for e in deploy.settings_errors(exc, "option")]) from None
    if not (site / "index.html").is_file():
        raise BuildFailed([DataError(str(site), "", "no built site here: run `make build` first")])
    policy = deploy.prepare(site, settings, root / "deploy")
    print(f"Configs for {settings.prefix} written into {site} (.htaccess, web.config, _deploy/nginx.conf).")
    print(f"Content-Security-Policy: {policy}")
    return 0
