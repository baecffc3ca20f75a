#!/usr/bin/env python3
"""Rewrite a built site's server configs and 404 page for another URL prefix or folder.

    python scripts/deploy_configs.py --site site --prefix /intranet/coding/ \\
        --server-root /var/www/coding/site/

The build already did this for deploy/settings.yml; run this when the site goes to
another place, no rebuild needed. Writes site/.htaccess, site/web.config,
site/_deploy/nginx.conf and pins site/404.html to the prefix.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sitegen import deploy  # noqa: E402
from sitegen.errors import BuildFailed, DataError  # noqa: E402
from pydantic import ValidationError  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site folder")
    parser.add_argument("--prefix", help="URL path, e.g. /coding/back-spasm/ (default: deploy/settings.yml)")
    parser.add_argument("--server-root", help="nginx: folder holding the site on the server")
    args = parser.parse_args(argv)
    try:
        settings = deploy.load_settings(ROOT / "deploy" / "settings.yml")
        changes = {k: v for k, v in (("prefix", args.prefix), ("server_root", args.server_root)) if v}
        settings = deploy.DeploySettings.model_validate(settings.model_dump() | changes)
        if not (args.site / "index.html").is_file():
            raise BuildFailed([DataError(str(args.site), "", "no built site here: run `make build` first")])
        policy = deploy.prepare(args.site, settings, ROOT / "deploy")
    except ValidationError as exc:
        for error in deploy.settings_errors(exc, "option"):
            print(f"  - --{error.entry.replace('_', '-')}: {error.message}", file=sys.stderr)
        return 1
    except BuildFailed as failed:
        for error in failed.errors:
            print(f"  - {error}", file=sys.stderr)
        return 1
    print(f"Configs for {settings.prefix} written into {args.site} (.htaccess, web.config, _deploy/nginx.conf).")
    print(f"Content-Security-Policy: {policy}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
