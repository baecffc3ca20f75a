"""Tables of the reference pages: synonyms, related codes, and the code-set release."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import codeset, service_dates
from .checks import check_code
from .errors import DataError
from .loader import load_list
from .models import RelatedCode, Synonym
from .render import render

SYNONYMS = "synonyms.yml"
RELATED = "related_codes.yml"
MAX_LISTED_CHILDREN = 12


@dataclass(frozen=True)
class CodeRow:
    """A related code as the table shows it: data-file text plus official facts."""

    entry: RelatedCode
    title: str
    billable: bool
    seventh: dict[str, str]
    children: list[tuple[str, str]]  # billable codes under a header, with titles
    more_children: int
    standing: str  # in the newest window of dates of service (service_dates.compact)


def _code_row(entry: RelatedCode, dates: bool = True) -> CodeRow:
    found = codeset.lookup(entry.code)
    children: list[tuple[str, str]] = []
    more = 0
    seventh = codeset.seventh_character(entry.code)
    if not found.billable:
        if seventh:
            leaves = [codeset.with_seventh(entry.code, c) for c in sorted(seventh)]
        else:
            leaves = codeset.billable_descendants(entry.code)
        children = [(c, codeset.title(c)) for c in leaves[:MAX_LISTED_CHILDREN]]
        more = max(0, len(leaves) - MAX_LISTED_CHILDREN)
    return CodeRow(entry, found.title or "", found.billable, seventh, children, more,
                   _standing(found.code, seventh) if dates else "")


def _standing(code: str, seventh: dict[str, str]) -> str:
    """A billable code's standing in the newest window; for a header, its codes' together."""
    if codeset.is_billable(code):
        return service_dates.compact(code)
    leaves = ([codeset.with_seventh(code, c) for c in sorted(seventh)] if seventh
              else codeset.billable_descendants(code))
    lines = {service_dates.compact(c) for c in leaves}
    if len(lines) == 1:
        return f"all {len(leaves)} codes below: {lines.pop()}"
    return "codes below differ: see each code's page"


def load_synonyms(path: Path) -> tuple[list[Synonym], list[DataError]]:
    display = f"data/{SYNONYMS}"
    items, errors = load_list(path, display, Synonym, key=lambda e: str(e.get("term", "")))
    for item in items:
        errors += check_code(item.code, file=display, entry=f"term '{item.term}'", title=item.title)
    return items, errors


def load_related(path: Path) -> tuple[list[RelatedCode], list[DataError]]:
    display = f"data/{RELATED}"
    items, errors = load_list(path, display, RelatedCode, key=lambda e: str(e.get("code", "")))
    for item in items:
        errors += check_code(item.code, file=display, entry=f"code {item.code}", report=item.report,
                             seventh_character=item.seventh_character, title=item.title)
    return items, errors


def fragments(synonyms: tuple[Synonym, ...], related: tuple[RelatedCode, ...],
              cover: service_dates.Coverage, dates: bool = True) -> dict[str, str]:
    """The generated tables, by the marker name a page places them with (<!-- generated: NAME -->).

    dates: with each code's standing by date of service (left out by `check`, which
    renders nothing a reader sees)."""
    groups: dict[str, list[CodeRow]] = {}
    for item in related:
        groups.setdefault(item.group, []).append(_code_row(item, dates))
    codes = {codeset.strip_dash(i.code)[0] for i in related} | {codeset.strip_dash(s.code)[0] for s in synonyms}
    return {
        "synonyms": render("synonyms.html.j2", rows=[(s, codeset.lookup(s.code).title) for s in synonyms]),
        "related-codes": render("related_codes.html.j2", groups=groups,
                                newest=f"{service_dates.long_date(cover.windows[-1].start)} ({cover.windows[-1].grouper})"),
        "release": render("release.md.j2", release=codeset.release_name(), version=codeset.package_version(),
                          count=len(codes), dropped=codeset.dropped_in()),
        "coverage": render("coverage.html.j2", cover=cover, long_date=service_dates.long_date,
                           release=codeset.release_name(), package=f"simple-icd-10-cm {codeset.package_version()}",
                           dropped=codeset.dropped_in()),
    }
