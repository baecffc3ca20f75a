"""One parse of a built page (libxml2 through lxml, in C) for every post-build check.

It collects what the Content-Security-Policy must know (inline scripts and styles,
event handlers, javascript: addresses, style attributes) and what would be fetched from
outside the intranet (external_refs's rules), with the line of each.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from . import external_refs as refs
from .errors import DataError

# Script types the browser runs; anything else (application/json config) is data.
RUNNABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
# Browsers drop ASCII tab and newline from URLs and ignore leading spaces and controls.
_URL_NOISE = re.compile(r"[\x00-\x20]")


@dataclass
class Scan:
    scripts: set[str] = field(default_factory=set)  # bodies of runnable inline <script>
    styles: set[str] = field(default_factory=set)  # bodies of <style> elements
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, what, snippet) the CSP refuses
    outside: list[refs.OutsideRef] = field(default_factory=list)


# A browser merges the attributes of a second <html> or <body> tag into the first one;
# libxml2 drops them. Those tags are read from the text as well.
_ROOT_TAGS = re.compile(rb"<(html|body)\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(rb"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")


def _root_tags(data: bytes) -> list[tuple[str, dict[str, str], int]]:
    found = []
    for m in _ROOT_TAGS.finditer(data):
        values = {a.group(1).decode(errors="replace").lower():
                  (a.group(2) or a.group(3) or a.group(4) or b"").decode(errors="replace")
                  for a in _ATTRIBUTE.finditer(m.group(2))}
        found.append((m.group(1).decode().lower(), values, data.count(b"\n", 0, m.start()) + 1))
    return found


def scan(html: str | bytes) -> Scan:
    found = Scan()
    data = html.encode("utf-8") if isinstance(html, str) else html
    root = etree.fromstring(data, etree.HTMLParser(encoding="utf-8"))
    if root is None:
        return found
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):  # comments, processing instructions
            continue
        tag = tag.lower()
        attrib = element.attrib
        if not attrib and tag not in ("script", "style"):
            continue
        line = element.sourceline or 0
        values = {name.lower(): value or "" for name, value in attrib.items()}
        for name, value in values.items():
            if name.startswith("on"):
                found.problems.append((line, f"an inline event handler <{tag} {name}=...>", f"{name}="))
            if name in URL_ATTRIBUTES and _URL_NOISE.sub("", value).lower().startswith(("javascript:", "vbscript:")):
                found.problems.append((line, f"a javascript: address in <{tag} {name}>", value[:40]))
            if name == "style":
                found.problems.append((line, f"a style attribute on <{tag}>", f"style={value[:30]}"))
        if tag == "script" and "src" not in values and values.get("type", "").lower() in RUNNABLE_TYPES:
            found.scripts.add(element.text or "")
        elif tag == "style":
            found.styles.add(element.text or "")
            found.outside += [refs.OutsideRef(line, "<style> url()/@import", u) for u in refs.css_urls(element.text or "")
                              if refs.OUTSIDE.match(u)]
        found.outside += refs.element_refs(tag, values, line)
    for tag, values, line in _root_tags(data):
        for name in values:
            if name.startswith("on"):
                found.problems.append((line, f"an inline event handler <{tag} {name}=...>", f"{name}="))
        found.outside += refs.element_refs(tag, values, line)
    found.problems = list(dict.fromkeys(found.problems))
    found.outside = list(dict.fromkeys(found.outside))
    return found


def find_outside_assets(site: Path, source_of: dict[str, str] | None = None) -> list[DataError]:
    """Every outside asset reference in the built HTML pages and CSS files of a folder.

    source_of: built page -> the source named in messages (docs/x.md), where known.
    """
    source_of = source_of or {}
    errors: list[DataError] = []
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.suffix == ".html" and path.is_file():
            errors += refs.errors_for(scan(path.read_bytes()).outside, rel, source_of.get(rel))
        elif path.suffix == ".css" and path.is_file():
            errors += refs.errors_for(refs.scan_css(path.read_text(encoding="utf-8", errors="replace")), rel)
    return errors
