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
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .errors import DataError

# Script types the browser runs; anything else (application/json config) is data.
RUNNABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
# Browsers drop ASCII tab and newline from URLs and ignore leading spaces and controls.
_URL_NOISE = re.compile(r"[\x00-\x20]")


@dataclass
class InlineCode:
    scripts: set[str] = field(default_factory=set)  # bodies of runnable inline <script>
    styles: set[str] = field(default_factory=set)  # bodies of <style> elements
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, what, snippet)


class _InlineScanner(HTMLParser):
    def __init__(self, found: InlineCode) -> None:
        # convert_charrefs=False: the hash must cover the exact text between the tags.
        super().__init__(convert_charrefs=False)
        self.found = found
        self._collect: set[str] | None = None
        self._body: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.found.problems.append((line, f"an inline event handler <{tag} {name}=...>", f"{name}="))
            if name in URL_ATTRIBUTES and _URL_NOISE.sub("", value).lower().startswith(("javascript:", "vbscript:")):
                self.found.problems.append((line, f"a javascript: address in <{tag} {name}>", value[:40]))
            if name == "style":
                self.found.problems.append((line, f"a style attribute on <{tag}>", f"style={value[:30]}"))
        if tag == "script" and "src" not in values and values.get("type", "").lower() in RUNNABLE_TYPES:
            self._collect, self._body = self.found.scripts, []
        elif tag == "style":
            self._collect, self._body = self.found.styles, []

    def handle_endtag(self, tag: str) -> None:
        if self._collect is not None and tag in ("script", "style"):
            self._collect.add("".join(self._body))
            self._collect = None

    def handle_data(self, data: str) -> None:
        if self._collect is not None:
            self._body.append(data)

    # With convert_charrefs off, entities arrive apart: keep them in the body as written.
    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")


def scan_html(text: str) -> InlineCode:
    found = InlineCode()
    scanner = _InlineScanner(found)
    scanner.feed(text)
    scanner.close()
    return found


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
        found = scan_html(page.read_text(encoding="utf-8"))
        scripts |= found.scripts
        styles |= found.styles
    return Allowlist(frozenset(scripts), frozenset(styles))


def _snippet_line(source_text: str | None, snippet: str) -> str:
    if not source_text:
        return ""
    at = source_text.find(snippet)
    return f"line {source_text.count(chr(10), 0, at) + 1}" if at >= 0 else ""


def check_page(html: str, allowed: Allowlist, source: str, rel: str, source_text: str | None) -> list[DataError]:
    """Every inline script or style of a built page that is not the theme's, every handler
    and javascript: address, named by the page's source (docs/x.md; the line when found)."""
    found = scan_html(html)
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
