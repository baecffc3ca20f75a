"""The Content-Security-Policy of the built site: the theme's own inline scripts, by hash.

Material writes a few small inline <script> blocks into every page (palette, local
storage helpers; one of them names the page's depth). Which ones are the theme's is
learnt from the theme itself, by building empty probe pages at every folder depth the
site uses with the same configuration; never from the pages being checked, so an
injected script can never allow itself. The policy lists the sha256 of each theme
script. Every other inline script, <style> element, style or event-handler attribute
and javascript: address in a built page stops the build, naming the source of the page.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from . import htmlscan
from .errors import DataError

def sha256_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@dataclass(frozen=True)
class Allowlist:
    """The theme's own inline code, learnt from probe pages."""

    scripts: frozenset[str]
    styles: frozenset[str]

    def hashes(self) -> list[str]:
        return sorted(sha256_source(s) for s in self.scripts)

    def style_hashes(self) -> list[str]:
        return sorted(sha256_source(s) for s in self.styles)


def allowlist_from_probe(probe_site: Path) -> Allowlist:
    """Inline code in the pages of a probe build of empty pages (the theme's alone)."""
    scripts: set[str] = set()
    styles: set[str] = set()
    for page in sorted(probe_site.rglob("*.html")):
        found = htmlscan.scan(page.read_bytes())
        scripts |= found.scripts
        styles |= found.styles
    return Allowlist(frozenset(scripts), frozenset(styles))


def _snippet_line(source_text: str | None, snippet: str) -> str:
    if not source_text:
        return ""
    at = source_text.find(snippet)
    return f"line {source_text.count(chr(10), 0, at) + 1}" if at >= 0 else ""


def check_page(found, allowed: Allowlist, source: str, rel: str, source_text: str | None) -> list[DataError]:
    """Every inline script or style of a built page (its htmlscan.Scan) that is not the
    theme's, every handler and javascript: address, named by the page's source (docs/x.md;
    the line when found)."""
    errors: list[DataError] = []

    def where(snippet: str) -> str:
        return _snippet_line(source_text, snippet) or f"built page {rel}"

    for body in sorted(found.scripts - allowed.scripts):
        errors.append(DataError(source, where(body.strip()[:40]),
                                "an inline <script> that is not the theme's: it would run on readers' machines; "
                                "remove it (the Content-Security-Policy allows the theme's own scripts only)"))
    for body in sorted(found.styles - allowed.styles):
        errors.append(DataError(source, where(body.strip()[:40]),
                                "a <style> element: put styles in overrides/stylesheets/ instead"))
    for _, what, snippet in found.problems:
        errors.append(DataError(source, where(snippet),
                                f"{what}: blocked by the Content-Security-Policy and not allowed on a page"))
    return errors


def policy(allowed: Allowlist) -> str:
    """The policy string: same origin only, the theme's inline scripts by hash, no framing by others."""
    directives = [
        ("default-src", ["'none'"]),
        ("script-src", ["'self'", *allowed.hashes()]),
        ("style-src", ["'self'", *allowed.style_hashes()]),
        # Material's CSS draws its icons from data: SVG masks.
        ("img-src", ["'self'", "data:"]),
        ("font-src", ["'self'"]),
        # The search worker fetches search/search_index.json.
        ("connect-src", ["'self'"]),
        ("worker-src", ["'self'"]),
        ("manifest-src", ["'self'"]),
        ("form-action", ["'self'"]),
        ("base-uri", ["'self'"]),
        ("object-src", ["'none'"]),
        ("frame-ancestors", ["'self'"]),
    ]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives)


def save(allowed: Allowlist, path: Path) -> None:
    path.write_text(json.dumps({"scripts": sorted(allowed.scripts), "styles": sorted(allowed.styles)}), encoding="utf-8")


def load(path: Path) -> Allowlist | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Allowlist(frozenset(raw["scripts"]), frozenset(raw["styles"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
