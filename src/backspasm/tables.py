"""Tables of the reference pages: synonyms, related codes, and the code-set release."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import codeset
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


def _code_row(entry: RelatedCode) -> CodeRow:
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
    return CodeRow(entry, found.title or "", found.billable, seventh, children, more)


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


def fragments(synonyms: tuple[Synonym, ...], related: tuple[RelatedCode, ...]) -> dict[str, str]:
    """The generated tables, by the marker name a page places them with (<!-- generated: NAME -->)."""
    groups: dict[str, list[CodeRow]] = {}
    for item in related:
        groups.setdefault(item.group, []).append(_code_row(item))
    codes = {codeset.strip_dash(i.code)[0] for i in related} | {codeset.strip_dash(s.code)[0] for s in synonyms}
    return {
        "synonyms": render("synonyms.html.j2", rows=[(s, codeset.lookup(s.code).title) for s in synonyms]),
        "related-codes": render("related_codes.html.j2", groups=groups),
        "release": render("release.md.j2", release=codeset.release_name(), version=codeset.package_version(),
                          count=len(codes)),
    }
