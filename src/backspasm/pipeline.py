"""The build, one way through; each step takes values and returns values.

    load (data.py)        every source read once into immutable, validated values
    derive + render       the reference tables, the guide, the case book walked through
                          it; code usage; the matrix and the code pages (site_paths owns
                          every path and anchor; templates in templates/)
    stage (stage.py)      front matter, raw HTML and codes checked; codes linked
    engine (engine.py)    MkDocs + Material build of the staged pages
    post-build            one pass over each page: theme fixes, CSP, outside assets
    publish (publish.py)  swapped in for the last good site, world-readable

Problems are collected per step and raised once; nothing is published unless every step
passed. `check` stops after staging (plus the link check), `accept-release` records the
installed release in the snapshot.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from . import (codepages, codeset, engine, linkcheck, matrix, postbuild, practice, publish, release_check,
               service_dates, stage, standing, tables)
from .data import SiteData, load
from .errors import DataError, Problems
from .guide import pages as guide_pages
from .guide.cases import check_cases
from .guide.paths import complete_paths
from .project import Mode, Project
from .site_paths import CODES, GUIDE, MATRIX, PRACTICE, RELATED, RELEASE_CHANGES, html
from .stage import Page, Staged

# Where a generated page's content comes from, named in messages about the built page.
GENERATED_FROM = {
    f"{GUIDE}/": "data/decision_tree.yml",
    f"{CODES}/": "the official tabular (generated code page)",
    MATRIX: "data/reported_together.yml",
    RELEASE_CHANGES: "the official tabular (release comparison)",
    f"{PRACTICE}/": f"data/{practice.PRACTICE_FILE} and data/cases.yml",
}


@dataclass
class Report:
    codes_checked: int = 0
    pages: int = 0
    notes: list[str] = field(default_factory=list)
    policy: str = ""
    seconds: float = 0.0
    notice: str = ""  # the site's checks are out of date for the day of the build


def page_source(rel: str) -> str:
    for prefix, source in GENERATED_FROM.items():
        if rel.startswith(prefix):
            return f"{source}, page {rel}"
    return f"generated page {rel}"


def _add_generated(pages: dict[str, Page], generated: dict[str, str], problems: Problems) -> None:
    for rel, markdown in generated.items():
        if rel in pages:
            problems.append(DataError(pages[rel].source, "", f"a generated page has the same path, {rel}: rename the file"))
            continue
        pages[rel] = Page(markdown, page_source(rel))


def reported_codes(data: SiteData) -> dict[str, set[str]]:
    """page -> the billable codes it tells readers to report: guide results, the related-codes
    rows marked report (with their 7th characters), the synonyms' codes, the case book."""
    found: dict[str, set[str]] = {}
    for stop in complete_paths(data.tree):
        found[stop.page] = {item.code for item in stop.node.codes}
    related = set()
    for row in data.related:
        if row.report:
            table = codeset.seventh_character(row.code)
            related |= ({codeset.with_seventh(row.code, c) for c in table} if table and not codeset.is_billable(row.code)
                        else {codeset.strip_dash(row.code)[0]})
    found[RELATED] = {c for c in related if codeset.is_billable(c)}
    found["also-known-as.md"] = {s.code for s in data.synonyms if codeset.is_billable(s.code)}
    found["data/cases.yml"] = {code for case in data.cases for code in case.expected.codes}
    return found


def prepare(project: Project, mode: Mode = Mode.WRITE) -> tuple[SiteData, Staged, list[str]]:
    """Load, derive, render and stage every page; returns the data, the stage, and notes."""
    codeset.open_cache(project.cache)
    standing.open_cache(project.cache)
    try:
        return _prepare(project, mode)
    finally:
        codeset.save_cache()
        standing.save_cache()


def _prepare(project: Project, mode: Mode) -> tuple[SiteData, Staged, list[str]]:
    data = load(project, mode)
    notes: list[str] = []

    # Pages that do not depend on which codes the site uses; every code a page tells
    # readers to report must be valid for the newest window of dates of service.
    problems = Problems(check_cases(data.tree, list(data.cases), "data/cases.yml"))
    problems += service_dates.check_reported(reported_codes(data))
    exercises, errors = practice.exercises(data.practice, list(data.cases), data.tree, f"data/{practice.PRACTICE_FILE}")
    problems += errors
    cover = service_dates.coverage(project.today)
    # Each code's standing by date of service is what the reader sees: `check` leaves it out.
    with_dates = mode is not Mode.CHECK
    fragments = tables.fragments(data.synonyms, data.related, cover, with_dates)
    pages: dict[str, Page] = {}
    for rel, text in data.docs.pages.items():
        filled, errors = stage.fill_markers(text, data.docs.display[rel], fragments)
        problems += errors
        pages[rel] = Page(filled, data.docs.display[rel], hand_written=True)
    _add_generated(pages, guide_pages.render_pages(data.tree, {row.code for row in data.related}), problems)
    problems.raise_any()

    # Code usage, then the pages about the codes: the matrix and one page per code.
    used = stage.usage(pages)
    picked = matrix.picks(data.related, data.choices, matrix.named_on_pages(list(data.docs.pages.values())))
    problems += matrix.unrepresented(picked)
    problems.raise_any()
    matrix_codes = matrix.matrix_codes(picked)
    practice_pages = practice.render_pages(exercises)
    texts = {rel: page.markdown for rel, page in pages.items()} | practice_pages
    _add_generated(pages, {MATRIX: matrix.render_page(matrix_codes, data.choices)}, problems)
    _add_generated(pages, practice_pages, problems)
    # Every code a practice page names gets a code page. A code page lists the pages that
    # name it; practice pages are listed only for a code no other page names (they would
    # add dozens of rows to the common ones).
    named = stage.usage({rel: Page(text, rel) for rel, text in practice_pages.items()})
    for code in sorted(practice.codes_named(exercises) | set(named)):
        if code not in used:
            used[code] = practice.naming_pages(named.get(code, set()))
    code_pages = codepages.render_pages(used, texts, matrix_codes, with_dates)
    _add_generated(pages, code_pages, problems)
    problems.raise_any()
    with_pages = {rel[len(CODES) + 1:-3] for rel in code_pages if rel != f"{CODES}/index.md"}
    site_codes = sorted({c for c in used if codeset.exists(c)} | with_pages)
    _add_generated(pages, {RELEASE_CHANGES: release_check.changes_page(site_codes)}, problems)
    problems.raise_any()

    staged = stage.stage(pages, data.docs.static, project.stage, with_pages)

    snapshot_path = project.data / release_check.SNAPSHOT
    if mode is Mode.ACCEPT:
        release_check.write_snapshot(snapshot_path, site_codes)
        notes.append(f"Accepted the {codeset.release_name()} release: {release_check.DISPLAY} now records "
                     f"{len(site_codes)} codes.")
    elif data.snapshot is not None:
        missing = release_check.not_recorded(data.snapshot, site_codes)
        if missing:
            # Not an error: new codes are checked against the current data like any other.
            notes.append(f"Note: {len(missing)} code(s) on the site are not in {release_check.DISPLAY} yet "
                         f"({', '.join(missing[:8])}{', ...' if len(missing) > 8 else ''}); record them with "
                         f"`{release_check.ACCEPT_COMMAND}`.")
    if cover.stale:
        notes.append(f"Warning: {cover.notice}")
    return data, staged, notes


def run(project: Project, mode: Mode = Mode.WRITE) -> Report:
    """The whole build for `mode`; raises BuildFailed with the problems of the first failing step."""
    started = time.perf_counter()
    data, staged, notes = prepare(project, mode)
    cover = service_dates.coverage(project.today)
    report = Report(codes_checked=len(staged.usage), pages=len(staged.source_of), notes=notes, notice=cover.notice)
    if mode is Mode.CHECK:
        Problems(linkcheck.check(staged, project)).raise_any()
    else:
        source_of = {html(rel): source for rel, source in staged.source_of.items()}
        with publish.new_site_folder(project.site) as built:
            engine.build(project.root, staged.folder, built, footer=service_dates.footer_html(cover),
                         notice=cover.notice)
            report.policy = postbuild.run(built, project, source_of, data.settings)
            publish.swap_in(built, project.site)
    report.seconds = time.perf_counter() - started
    return report
