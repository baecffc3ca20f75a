"""Strict check of the built site: no page or stylesheet may load anything from outside.

Intranet browsers have no internet: a script, stylesheet, font, icon or image from
another host would fail (slowly) and leak the reader's visit. Hyperlinks a reader
clicks (<a href="https://...">) are not fetched and stay allowed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .errors import DataError

# http://, https:// and protocol-relative //host are outside; data: and relative are not.
OUTSIDE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?['"]?([^'")\s;]+)""", re.IGNORECASE)
# image-set("a.png" 1x, "https://..." 2x) names images in plain strings, without url().
CSS_IMAGE_SET = re.compile(r"""(?:-webkit-)?image-set\(([^;{}]*)""", re.IGNORECASE)
CSS_STRING = re.compile(r"""['"]([^'"]+)['"]""")
META_REFRESH_URL = re.compile(r"""url\s*=\s*['"]?([^'";\s]+)""", re.IGNORECASE)

# Attributes whose URL the browser fetches by itself, per element.
FETCHED_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),  # SVG <image>
    "use": ("href", "xlink:href"),  # SVG <use> of an outside sprite
    "feimage": ("href", "xlink:href"),
    "a": ("ping",),  # a click sends a request to every ping address
    "area": ("ping",),
}
# Fetched on whichever element carries it (body, table, td: an old background image).
FETCHED_ON_ANY = ("background",)
# <link rel=...> values the browser does not fetch (navigation hints for people and bots).
UNFETCHED_LINK_RELS = {"canonical", "alternate", "next", "prev", "author", "license", "help", "me", "bookmark"}


@dataclass(frozen=True)
class OutsideRef:
    line: int
    what: str
    url: str


class _AssetScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[OutsideRef] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        line = self.getpos()[0]
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if rels and rels <= UNFETCHED_LINK_RELS:
                return
            self._check(line, f'<link rel="{values.get("rel", "")}" href>', values.get("href", ""))
        for attr in (*FETCHED_ATTRS.get(tag, ()), *FETCHED_ON_ANY):
            if attr not in values:
                continue
            if attr == "srcset":
                urls = _srcset_urls(values[attr])
            elif attr == "ping":
                urls = values[attr].split()
            else:
                urls = [values[attr]]
            for url in urls:
                self._check(line, f"<{tag} {attr}>", url)
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            for url in META_REFRESH_URL.findall(values.get("content", "")):
                self._check(line, '<meta http-equiv="refresh"> (the page goes there by itself)', url)
        if "mermaid" in values.get("class", "").split():
            self.found.append(OutsideRef(line, "a mermaid diagram (the theme loads mermaid from unpkg.com)",
                                         "https://unpkg.com/mermaid"))
        if "style" in values:
            for url in _css_urls(values["style"]):
                self._check(line, f"<{tag} style> url()", url)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            for url in _css_urls(data):
                self._check(self.getpos()[0], "<style> url()/@import", url)

    def _check(self, line: int, what: str, url: str) -> None:
        if OUTSIDE.match(url):
            self.found.append(OutsideRef(line, what, url.strip()))


def _srcset_urls(srcset: str) -> list[str]:
    return [part.split()[0] for part in srcset.split(",") if part.split()]


def _image_set_urls(css: str) -> list[str]:
    return [url for inner in CSS_IMAGE_SET.findall(css) for url in CSS_STRING.findall(inner)]


def _css_urls(css: str) -> list[str]:
    return CSS_URL.findall(css) + CSS_IMPORT.findall(css) + _image_set_urls(css)


def scan_html(text: str) -> list[OutsideRef]:
    scanner = _AssetScanner()
    scanner.feed(text)
    scanner.close()
    return scanner.found


def scan_css(text: str) -> list[OutsideRef]:
    found = []
    imports = list(CSS_IMPORT.finditer(text))
    urls = [m for m in CSS_URL.finditer(text) if not any(i.start() <= m.start() < i.end() for i in imports)]
    for m, what in [(m, "@import") for m in imports] + [(m, "url()") for m in urls]:
        if OUTSIDE.match(m.group(1)):
            found.append(OutsideRef(text.count("\n", 0, m.start()) + 1, what, m.group(1)))
    for m in CSS_IMAGE_SET.finditer(text):
        for url in CSS_STRING.findall(m.group(1)):
            if OUTSIDE.match(url):
                found.append(OutsideRef(text.count("\n", 0, m.start()) + 1, "image-set()", url))
    return sorted(found, key=lambda ref: ref.line)


def page_errors(text: str, rel: str, source: str | None = None) -> list[DataError]:
    """Outside asset references of one built page (.html) or stylesheet (.css), as errors
    naming the page's source where known."""
    refs = scan_html(text) if rel.endswith(".html") else scan_css(text)
    kind = "built page" if rel.endswith(".html") else "built stylesheet"
    return [
        DataError(source or f"{kind} {rel}",
                  f"{kind} {rel}, line {ref.line}" if source else f"line {ref.line}",
                  f"{ref.what} loads {ref.url} from outside the intranet; ship the file with the site instead")
        for ref in refs
    ]


def find_outside_assets(site: Path, source_of: dict[str, str] | None = None) -> list[DataError]:
    """Every outside asset reference in the built HTML pages and CSS files."""
    source_of = source_of or {}
    errors: list[DataError] = []
    for path in sorted(site.rglob("*")):
        if path.suffix in (".html", ".css") and path.is_file():
            rel = path.relative_to(site).as_posix()
            errors += page_errors(path.read_text(encoding="utf-8", errors="replace"), rel, source_of.get(rel))
    return errors
