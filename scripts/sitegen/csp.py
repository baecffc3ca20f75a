"""The Content-Security-Policy of the built site, with hashes instead of 'unsafe-inline'.

Material writes a few small inline <script> blocks into every page (palette, local
storage helpers). Rather than allowing every inline script, the policy lists the
sha256 of each one found in the built pages, so an injected script would not run.
Inline event handlers (onclick=...) and javascript: URLs cannot be allowed by a hash,
so they fail the build instead.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .errors import DataError

# Script types the browser runs; anything else (application/json config) is data.
RUNNABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}


@dataclass
class InlineCode:
    scripts: set[str] = field(default_factory=set)  # bodies of runnable inline <script>
    styles: set[str] = field(default_factory=set)  # bodies of <style> elements
    style_attributes: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, what)


class _InlineScanner(HTMLParser):
    def __init__(self, found: InlineCode) -> None:
        # convert_charrefs=False: the hash must cover the exact bytes between the tags.
        super().__init__(convert_charrefs=False)
        self.found = found
        self._collect: set[str] | None = None
        self._body: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        line = self.getpos()[0]
        for name, value in values.items():
            if name.startswith("on"):
                self.found.problems.append((line, f"<{tag} {name}=...> inline event handler"))
            if name in ("href", "src", "action") and value.strip().lower().startswith("javascript:"):
                self.found.problems.append((line, f"<{tag} {name}=\"javascript:...\">"))
        if "style" in values:
            self.found.style_attributes += 1
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


def sha256_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def scan_site(site: Path) -> tuple[InlineCode, list[DataError]]:
    """Inline scripts and styles of every built page; errors for what no hash can allow."""
    found = InlineCode()
    errors: list[DataError] = []
    for path in sorted(site.rglob("*.html")):
        before = len(found.problems)
        scanner = _InlineScanner(found)
        scanner.feed(path.read_text(encoding="utf-8"))
        scanner.close()
        rel = path.relative_to(site).as_posix()
        for line, what in found.problems[before:]:
            errors.append(
                DataError(f"built page {rel}", f"line {line}",
                          f"{what} would be blocked by the Content-Security-Policy; use a script file")
            )
    return found, errors


def policy(found: InlineCode) -> str:
    """The policy string: same origin only, inline scripts by hash, no framing by others."""
    script_src = ["'self'", *sorted(sha256_source(s) for s in found.scripts)]
    style_src = ["'self'", *sorted(sha256_source(s) for s in found.styles)]
    directives = [
        ("default-src", ["'none'"]),
        ("script-src", script_src),
        ("style-src", style_src),
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
    if found.style_attributes:
        # style="..." attributes need this (the issue allows it for styles, never scripts).
        directives.insert(3, ("style-src-attr", ["'unsafe-inline'"]))
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives)

