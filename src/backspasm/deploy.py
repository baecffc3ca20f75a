"""Make the built folder ready for an intranet web server at a URL prefix.

Writes the three server configs from the templates in deploy/ (nginx, Apache, IIS),
all sharing one list of MIME types, one cache rule and one set of security headers
with the Content-Security-Policy computed from the built pages; and pins the 404 page
to the prefix, because a 404 is served at whatever (deep) URL was mistyped and its
relative links would otherwise point nowhere.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import escape
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import engine
from .errors import BuildFailed, DataError
from .loader import read_yaml

# Material puts an 8-hex-digit content hash in the names of its bundles: those can be
# cached for a year, a new build gets new names.
HASHED_ASSET = re.compile(r"\.[0-9a-f]{8}\.min\.(?:js|css)$")
LONG_CACHE = "public, max-age=31536000, immutable"
# Everything else (pages, search index, unhashed files) is revalidated on each visit:
# a 304 costs a few hundred bytes and readers never see a stale code after an update.
SHORT_CACHE = "no-cache"

MIME_TYPES = {
    "html": "text/html",
    "css": "text/css",
    "js": "text/javascript",
    "json": "application/json",
    "map": "application/json",
    "xml": "application/xml",
    "gz": "application/gzip",
    "svg": "image/svg+xml",
    "png": "image/png",
    "ico": "image/x-icon",
    "woff2": "font/woff2",
    "woff": "font/woff",
    "txt": "text/plain",
    "webmanifest": "application/manifest+json",
}
# Text types worth compressing (HTML is always compressed by nginx, listed for the others).
COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/json",
                    "application/xml", "image/svg+xml", "text/plain"]
CHARSET_TYPES = ["text/css", "text/javascript", "application/json", "application/xml", "text/plain"]

# Generated config files inside the published folder; every config hides them.
OUTPUTS = {"nginx.conf.j2": "_deploy/nginx.conf", "htaccess.j2": ".htaccess", "web.config.j2": "web.config"}
HIDDEN = ["_deploy", ".htaccess", "web.config"]

PATH_SEGMENTS = r"(?:[A-Za-z0-9._~-]+/)*"
PATH_HINT = "a path like /coding/back-spasm/: starts and ends with /, letters, digits, '.', '-', '_', '~' only"


class DeploySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Checked so strictly because the values go unescaped into nginx and Apache syntax.
    prefix: str = Field(pattern=rf"^/{PATH_SEGMENTS}$")
    server_root: str = Field(pattern=rf"^/{PATH_SEGMENTS}$")

    @field_validator("prefix", "server_root")
    @classmethod
    def _no_dot_segments(cls, value: str) -> str:
        # /coding/../../etc/ would make an alias outside the site folder, or a prefix no
        # browser ever sends (browsers remove . and .. segments from addresses).
        if any(segment in (".", "..") for segment in value.split("/")):
            raise ValueError("'.' and '..' segments are not allowed: write the path without them")
        return value


def settings_errors(exc: ValidationError, where: str) -> list[DataError]:
    return [DataError(where, ".".join(str(p) for p in e["loc"]) or "settings",
                      explain_one(e) + f" ({PATH_HINT})") for e in exc.errors()]


def explain_one(error: dict) -> str:
    if error["type"] == "string_pattern_mismatch":
        return "not a URL path"
    msg = error["msg"]
    return msg[len("Value error, "):] if msg.startswith("Value error, ") else msg


def load_settings(path: Path, display: str = "deploy/settings.yml") -> DeploySettings:
    raw, errors = read_yaml(path, display)
    if errors:
        raise BuildFailed(errors)
    if not isinstance(raw, dict):
        raise BuildFailed([DataError(display, "", "expected a mapping with prefix and server_root")])
    try:
        return DeploySettings.model_validate(raw)
    except ValidationError as exc:
        raise BuildFailed(settings_errors(exc, display)) from None


def security_headers(policy: str) -> list[tuple[str, str]]:
    return [
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "SAMEORIGIN"),
    ]


def hashed_assets(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if HASHED_ASSET.search(p.name))


def _environment(templates: Path) -> Environment:
    # web.config is XML: escaped. nginx and Apache syntax is not HTML; their values are
    # validated (settings) or built from base64 hashes and fixed words (policy).
    return Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(enabled_extensions=("config.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_configs(site: Path, settings: DeploySettings, policy: str, templates: Path) -> dict[str, str]:
    """Output path inside the site -> text of each server config."""
    env = _environment(templates)
    env.filters["regex"] = re.escape
    values = {
        "prefix": settings.prefix,
        "server_root": settings.server_root,
        "headers": security_headers(policy),
        "mime_types": MIME_TYPES,
        "compressed_types": COMPRESSED_TYPES,
        "charset_types": CHARSET_TYPES,
        "long_cache": LONG_CACHE,
        "short_cache": SHORT_CACHE,
        "hashed_pattern": HASHED_ASSET.pattern,
        "hashed_assets": hashed_assets(site),
        "hidden": HIDDEN,
    }
    return {out: env.get_template(name).render(**values) for name, out in OUTPUTS.items()}


BASE_TAG = re.compile(r"<base\b[^>]*>\s*", re.IGNORECASE)
# mkdocs renders the 404 page with root-absolute links ("/assets/...") when site_url is
# unset, which is right only for a site at the root of its host.
ROOT_ABSOLUTE = re.compile(r'\b(href|src|action)="/(?!/)([^"]*)"')


def pin_not_found_page(site: Path, prefix: str) -> None:
    """Make the 404 page's links work under the prefix, whatever URL it is served at.

    A 404 answers a mistyped (possibly deep) URL, so neither relative nor root-absolute
    links fit. Links become relative to a <base href="prefix">, which a later run
    can change; Material's config block gets the prefix too, because its script resolves
    "base" against the address bar, not <base>.
    """
    page = site / "404.html"
    if not page.exists():
        return
    text = BASE_TAG.sub("", page.read_text(encoding="utf-8"))
    text = ROOT_ABSOLUTE.sub(lambda m: f'{m.group(1)}="{m.group(2) or "./"}"', text)
    text = re.sub(r"<head>", lambda m: f'{m.group(0)}\n    <base href="{escape(prefix)}">', text, count=1)
    page.write_text(engine.pin_config_to_prefix(text, prefix), encoding="utf-8")


BUILD_INFO = "_deploy/build-output.json"


def recorded_policy(site: Path) -> str:
    """The Content-Security-Policy the build recorded for this site (derived from the theme)."""
    try:
        return json.loads((site / BUILD_INFO).read_text(encoding="utf-8"))["content_security_policy"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BuildFailed([DataError(str(site), "", "no record of the build's Content-Security-Policy "
                                                   f"({BUILD_INFO}): rebuild the site with `make build`")]) from None


def prepare(site: Path, settings: DeploySettings, templates: Path, policy: str | None = None) -> str:
    """Write the configs and pin the 404 page; returns the Content-Security-Policy.

    policy: the build's own; a later run for another prefix reuses the recorded one.
    """
    policy = policy or recorded_policy(site)
    pin_not_found_page(site, settings.prefix)
    for out, text in render_configs(site, settings, policy, templates).items():
        dest = site / out
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
    return policy
