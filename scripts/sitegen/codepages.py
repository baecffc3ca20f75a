"""One page per code the site mentions, generated from the official tabular.

A code page shows the official title, the hierarchy as a breadcrumb, billable or
header (with the billable codes below it), every tabular note level by level (the
notes inherited from above are often the ones that matter), the 7th character table,
and the pages of this site that use the code.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from . import codeset, matrix
from .pipeline import Context
from .render import render
from .tabular_notes import Level, levels, written

FOLDER = "codes"
INDEX = f"{FOLDER}/index.md"
# Code pages rank below the hand-written pages in search: a reader typing
# "back spasm" wants the home page, a reader typing "M62.830" still finds the code page.
SEARCH_BOOST = 0.1
FRONT_MATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.S)
TITLE_LINE = re.compile(r"^title:\s*(?P<title>.+)$", re.M)
HEADING = re.compile(r"^#\s+(?P<title>.+?)\s*(?:\{[^}]*\})?$", re.M)


def page_path(code: str) -> str:
    return f"{FOLDER}/{code}.md"


def href(from_page: str, to_page: str, fragment: str = "") -> str:
    """Relative .html link between two site paths (the site works from any sub-path)."""
    target = posixpath.relpath(to_page[:-3] + ".html", posixpath.dirname(from_page) or ".")
    return f"{target}#{fragment}" if fragment else target


@dataclass(frozen=True)
class Crumb:
    label: str
    title: str
    href: str | None


@dataclass(frozen=True)
class Child:
    code: str
    title: str


@dataclass(frozen=True)
class SeventhRow:
    char: str
    meaning: str
    code: str | None  # the completed code, when the page is about one code family
    current: bool


@dataclass(frozen=True)
class SitePage:
    title: str
    href: str


@dataclass(frozen=True)
class CodePage:
    code: str
    written: str
    title: str
    billable: bool
    crumbs: list[Crumb]
    levels: list[Level]  # chapter first, the code itself last
    children: list[Child]
    seventh_from: Level | None
    seventh_rows: list[SeventhRow]
    used_on: list[SitePage]
    guide_results: list[SitePage]
    in_matrix: bool


def codes_with_pages(ctx: Context, matrix_codes: list[str]) -> list[str]:
    """Every code the pages mention, the matrix codes, and the headers above them (for breadcrumbs)."""
    mentioned = {c for c in ctx.usage if codeset.exists(c)} | set(matrix_codes)
    with_headers = set(mentioned)
    for code in mentioned:
        with_headers.update(codeset.ancestors(code))
    return sorted(with_headers)


def _seventh(code: str, page_levels: list[Level]) -> tuple[Level | None, list[SeventhRow]]:
    source = next((lv for lv in reversed(page_levels) if lv.seventh), None)
    if source is None:
        return None, []
    # A code family that takes the 7th character directly: S39.012 -> S39.012A, D, S.
    extended = len(code.replace(".", "")) == 7 and codeset.lookup(code).billable
    base = code[:-1] if extended else code
    family = [] if extended else codeset.children(base)
    one_family = extended or (bool(family) and all(len(c.replace(".", "")) == 7 for c in family))
    rows = []
    for char, meaning in source.seventh.items():
        completed = codeset.with_seventh(base, char) if one_family else None
        if completed and not codeset.exists(completed):
            completed = None
        rows.append(SeventhRow(char, meaning, completed, extended and code.endswith(char)))
    return source, rows


def _page_title(markdown: str, fallback: str) -> str:
    front = FRONT_MATTER.match(markdown)
    if front:
        found = TITLE_LINE.search(front.group("yaml"))
        if found:
            return found.group("title").strip().strip("\"'")
    heading = HEADING.search(markdown)
    return heading.group("title").strip() if heading else fallback


def _site_pages(ctx: Context, code: str, from_page: str) -> tuple[list[SitePage], list[SitePage]]:
    """(content pages, guide pages) that mention the code."""
    pages, guide = [], []
    for rel in sorted(ctx.usage.get(code, ())):
        if rel.startswith(f"{FOLDER}/"):
            continue
        source = ctx.pages.get(rel)
        if source is None:
            path: Path = ctx.docs_src / rel
            source = path.read_text(encoding="utf-8") if path.exists() else ""
        entry = SitePage(_page_title(source, rel), href(from_page, rel))
        (guide if rel.startswith("guide/") else pages).append(entry)
    return pages, guide


def build_page(ctx: Context, code: str, have_pages: set[str], matrix_codes: set[str]) -> CodePage:
    page = page_path(code)
    page_levels = levels(code)
    crumbs = [
        Crumb(lv.label, lv.title, href(page, page_path(lv.item)) if lv.item in have_pages else None)
        for lv in page_levels
    ]
    found = codeset.lookup(code)
    children = [] if found.billable else [Child(c, codeset.title(c)) for c in codeset.billable_descendants(code)]
    seventh_from, seventh_rows = _seventh(code, page_levels)
    used_on, guide_results = _site_pages(ctx, code, page)
    return CodePage(
        code=code,
        written=written(code),
        title=found.title or "",
        billable=found.billable,
        crumbs=crumbs,
        levels=page_levels,
        children=children,
        seventh_from=seventh_from,
        seventh_rows=seventh_rows,
        used_on=used_on,
        guide_results=guide_results,
        in_matrix=code in matrix_codes,
    )


def generate(ctx: Context) -> None:
    """Late generator: needs ctx.usage, so it runs after every page was scanned for codes."""
    matrix_codes = matrix.matrix_codes(ctx)
    codes = codes_with_pages(ctx, matrix_codes)
    have_pages = set(codes)
    release = {"name": codeset.release_name(), "version": codeset.package_version()}
    for code in codes:
        ctx.code_pages[code] = page_path(code)
    built = []
    for code in codes:
        page = build_page(ctx, code, have_pages, set(matrix_codes))
        ctx.pages[page_path(code)] = render(
            "codes/code_page.md.j2", page=page, release=release, boost=SEARCH_BOOST, kinds=codeset.NOTE_KINDS,
            matrix_href=href(page_path(code), matrix.PAGE, matrix.anchor(code)),
        )
        built.append(page)
    chapters: dict[str, list[CodePage]] = {}
    for page in built:
        chapters.setdefault(page.crumbs[0].title, []).append(page)
    ctx.pages[INDEX] = render("codes/index.md.j2", chapters=chapters, release=release, boost=SEARCH_BOOST)
