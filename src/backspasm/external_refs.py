"""Strict check of the built site: no page or stylesheet may load anything from outside.

Intranet browsers have no internet: a script, stylesheet, font, icon or image from
another host would fail (slowly) and leak the reader's visit. Hyperlinks a reader
clicks (<a href="https://...">) are not fetched and stay allowed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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


def element_refs(tag: str, values: dict[str, str], line: int) -> list[OutsideRef]:
    """What one element (its tag and attributes) would fetch from outside."""
    found: list[OutsideRef] = []
    if (tag not in FETCHED_ATTRS and tag not in ("link", "meta") and "background" not in values
            and "style" not in values and "mermaid" not in values.get("class", "")):
        return found  # most elements: nothing they carry is fetched

    def check(what: str, url: str) -> None:
        if OUTSIDE.match(url):
            found.append(OutsideRef(line, what, url.strip()))

    if tag == "link":
        rels = set(values.get("rel", "").lower().split())
        if not (rels and rels <= UNFETCHED_LINK_RELS):
            check(f'<link rel="{values.get("rel", "")}" href>', values.get("href", ""))
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
            check(f"<{tag} {attr}>", url)
    if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
        for url in META_REFRESH_URL.findall(values.get("content", "")):
            check('<meta http-equiv="refresh"> (the page goes there by itself)', url)
    if "mermaid" in values.get("class", "").split():
        found.append(OutsideRef(line, "a mermaid diagram (the theme loads mermaid from unpkg.com)",
                                "https://unpkg.com/mermaid"))
    if "style" in values:
        for url in css_urls(values["style"]):
            check(f"<{tag} style> url()", url)
    return found


def _srcset_urls(srcset: str) -> list[str]:
    return [part.split()[0] for part in srcset.split(",") if part.split()]


def _image_set_urls(css: str) -> list[str]:
    return [url for inner in CSS_IMAGE_SET.findall(css) for url in CSS_STRING.findall(inner)]


def css_urls(css: str) -> list[str]:
    return CSS_URL.findall(css) + CSS_IMPORT.findall(css) + _image_set_urls(css)


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


def errors_for(refs: list[OutsideRef], rel: str, source: str | None = None) -> list[DataError]:
    kind = "built page" if rel.endswith(".html") else "built stylesheet"
    return [
        DataError(source or f"{kind} {rel}",
                  f"{kind} {rel}, line {ref.line}" if source else f"line {ref.line}",
                  f"{ref.what} loads {ref.url} from outside the intranet; ship the file with the site instead")
        for ref in refs
    ]
