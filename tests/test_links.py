"""Every internal link and anchor in the built folder resolves.

mkdocs --strict with the validation block in mkdocs.yml checks the Markdown links; this
checks what was actually published, including links written in generated HTML (guide,
code pages, tables) that mkdocs does not validate, and Material's own links and assets.
"""
from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import html_pages

# Attributes that point to another file or anchor, by element.
LINKING = {"a": "href", "area": "href", "link": "href", "script": "src", "img": "src", "source": "src", "iframe": "src"}
NOT_INTERNAL = ("http:", "https:", "mailto:", "tel:", "javascript:", "data:")


@dataclass(frozen=True)
class Parsed:
    ids: frozenset[str]
    links: tuple[tuple[str, str, str], ...]  # (element, attribute, value)
    base: str | None  # <base href>, if the page has one


class _Collector(HTMLParser):
    """Collects ids, links and <base> in one streaming pass (no tree: 200 pages in seconds)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, str]] = []
        self.base: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "base" and attrs.get("href") and self.base is None:
            self.base = attrs["href"]
        attr = LINKING.get(tag)
        if attr and attrs.get(attr) is not None:
            self.links.append((tag, attr, attrs[attr].strip()))

    handle_startendtag = handle_starttag


@functools.lru_cache(maxsize=None)
def parse(path: Path) -> Parsed:
    """One parse per page: its ids (anchor targets), its links and its <base>."""
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    collector.close()
    return Parsed(frozenset(collector.ids), tuple(collector.links), collector.base)


def broken_links(site: Path) -> list[str]:
    """'page: href: why' for every internal link or anchor that does not resolve."""
    site = site.resolve()
    problems = []
    for page in html_pages(site):
        rel_page = page.relative_to(site).as_posix()
        for tag_name, attr, href in parse(page).links:
            if not href or href.lower().startswith(NOT_INTERNAL) or href.startswith("//"):
                continue
            why = why_broken(site, page, href)
            if why:
                problems.append(f"{rel_page}: {tag_name} {attr}={href!r}: {why}")
    return problems


def why_broken(site: Path, page: Path, href: str) -> str | None:
    parts = urlsplit(href)
    base = parse(page).base
    # The 404 page is served at whatever URL was mistyped, so its links are written from
    # the site root (mkdocs: "/", the deploy step: a <base> with the URL prefix).
    root_prefix = base or "/" if page.relative_to(site).as_posix() == "404.html" else None
    if base and not parts.path and parts.fragment:
        return f"a same-page anchor on a page with <base href={base!r}> leads to the home page"
    folder = page.parent.relative_to(site).as_posix()
    path = unquote(parts.path)
    if path.startswith("/"):
        if not (root_prefix and path.startswith(root_prefix)):
            return "absolute path: breaks under a sub-path and from a file share"
        folder, path = "", path[len(root_prefix):]
    elif root_prefix and base:
        folder = ""
    target = page
    if parts.path:
        joined = posixpath.normpath(posixpath.join(folder, path or "."))
        if joined.startswith(".."):
            return "points outside the site folder"
        target = site / joined
        if target.is_dir():
            return "points to a folder: from a file share the browser shows a listing, not the page"
        if not target.is_file():
            return "no such file in the built site"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in parse(target).ids:
        return f"no element with id '{fragment}' on {target.relative_to(site).as_posix()}"
    return None


def test_every_internal_link_and_anchor_resolves(site):
    problems = broken_links(site)
    assert not problems, f"{len(problems)} broken link(s):\n" + "\n".join(problems[:80])


def test_the_link_check_reports_each_kind_of_broken_link(tmp_path):
    """A checker that finds nothing proves nothing: feed it each fault once."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "ok.html").write_text('<h2 id="here">x</h2>', encoding="utf-8")
    (tmp_path / "sub" / "page.html").write_text(
        "\n".join(
            [
                '<p id="top">x</p>',
                '<a href="../ok.html#here">fine</a>',
                '<a href="#top">fine, same page</a>',
                '<a href="https://example.org/x">outbound: not checked</a>',
                '<a href="../missing.html">missing file</a>',
                '<a href="../ok.html#nowhere">missing anchor</a>',
                '<a href="#gone">missing anchor on the same page</a>',
                '<a href="/ok.html">absolute</a>',
                '<a href="../sub/">folder</a>',
                '<img src="pic.png" alt="">',
            ]
        ),
        encoding="utf-8",
    )
    problems = broken_links(tmp_path)
    found = "\n".join(problems)
    assert len(problems) == 6, found
    for expected in ("missing.html", "#nowhere", "#gone", "'/ok.html'", "'../sub/'", "pic.png"):
        assert expected in found, f"{expected} not reported:\n{found}"
