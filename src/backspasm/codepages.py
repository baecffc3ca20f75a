"""One page per code the site mentions, generated from the official tabular.

A code page shows the official title, the hierarchy as a breadcrumb, billable or
header (with the billable codes below it), every tabular note level by level (the
notes inherited from above are often the ones that matter), the 7th character table,
and the pages of this site that use the code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import codeset, service_dates
from .render import render
from .site_paths import CODES, CODES_INDEX, GUIDE, MATRIX, code_anchor, code_page, href
from .tabular_notes import Level, levels, written

# Code pages rank below the hand-written pages in search: a reader typing
# "back spasm" wants the home page, a reader typing "M62.830" still finds the code page.
SEARCH_BOOST = 0.1
FRONT_MATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.S)
TITLE_LINE = re.compile(r"^title:\s*(?P<title>.+)$", re.M)
HEADING = re.compile(r"^#\s+(?P<title>.+?)\s*(?:\{[^}]*\})?$", re.M)


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
    dates: service_dates.CodeDates | None  # a billable code's standing by date of service
    split: service_dates.SplitView | None  # a header whose old code was divided


def codes_with_pages(usage: dict[str, set[str]], matrix_codes: list[str]) -> list[str]:
    """Every code the pages mention, the matrix codes, and the headers above them (for breadcrumbs)."""
    mentioned = {c for c in usage if codeset.exists(c)} | set(matrix_codes)
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


def _site_pages(used_on: set[str], texts: dict[str, str], from_page: str) -> tuple[list[SitePage], list[SitePage]]:
    """(content pages, guide pages) that mention the code."""
    pages, guide = [], []
    for rel in sorted(used_on):
        if rel.startswith(f"{CODES}/"):
            continue
        entry = SitePage(_page_title(texts.get(rel, ""), rel), href(from_page, rel))
        (guide if rel.startswith(f"{GUIDE}/") else pages).append(entry)
    return pages, guide


def build_page(code: str, used_on: set[str], texts: dict[str, str], have_pages: set[str],
               matrix_codes: set[str], principals: tuple[str, ...] = (), dates: bool = True) -> CodePage:
    page = code_page(code)
    page_levels = levels(code)
    crumbs = [
        Crumb(lv.label, lv.title, href(page, code_page(lv.item)) if lv.item in have_pages else None)
        for lv in page_levels
    ]
    found = codeset.lookup(code)
    children = [] if found.billable else [Child(c, codeset.title(c)) for c in codeset.billable_descendants(code)]
    seventh_from, seventh_rows = _seventh(code, page_levels)
    used_on_pages, guide_results = _site_pages(used_on, texts, page)
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
        used_on=used_on_pages,
        guide_results=guide_results,
        in_matrix=code in matrix_codes,
        dates=service_dates.code_dates(code, principals) if dates and found.billable else None,
        split=service_dates.split_of(code) if dates and not found.billable else None,
    )


def render_pages(usage: dict[str, set[str]], texts: dict[str, str], matrix_codes: list[str],
                 dates: bool = True) -> dict[str, str]:
    """A page per code the site uses (and the headers above them), and the index of them.

    usage: code -> the pages that mention it; texts: those pages' Markdown (for titles).
    """
    codes = codes_with_pages(usage, matrix_codes)
    have_pages = set(codes)
    # A CC or MCC is tested for CC exclusion against every billable code of the site.
    principals = tuple(c for c in codes if codeset.is_billable(c))
    release = {"name": codeset.release_name(), "version": codeset.package_version()}
    pages: dict[str, str] = {}
    built = []
    for code in codes:
        page = build_page(code, usage.get(code, set()), texts, have_pages, set(matrix_codes), principals, dates)
        here = code_page(code)
        pages[here] = render(
            "codes/code_page.md.j2", page=page, here=here, index=CODES_INDEX, release=release, boost=SEARCH_BOOST,
            kinds=codeset.NOTE_KINDS, matrix_href=href(here, MATRIX, code_anchor(code)),
        )
        built.append(page)
    chapters: dict[str, list[CodePage]] = {}
    for page in built:
        chapters.setdefault(page.crumbs[0].title, []).append(page)
    pages[CODES_INDEX] = render("codes/index.md.j2", chapters=chapters, release=release, boost=SEARCH_BOOST)
    return pages
