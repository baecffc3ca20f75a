"""The one place that reads the official ICD-10-CM data (package simple-icd-10-cm).

Everything else asks this module. A new release, or a second data source, changes
only this file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import simple_icd_10_cm as _cm

# Release shipped by the pinned package, read from its data file name
# (e.g. icd10c-tabular-April-1-2026.xml).
_DATA_DIR = Path(_cm.__file__).parent / "data"

# A code as written on the site: M62.830, S16.1XXA, M79.1- (header with a dash),
# M41.- (category header written the CMS way).
CODE_PATTERN = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?(?:\.?-)?"


def release_name() -> str:
    """'April 1, 2026' from the tabular file shipped in the package."""
    for f in sorted(_DATA_DIR.glob("icd10c-tabular-*.xml")):
        m = re.match(r"icd10c-tabular-([A-Za-z]+)-(\d+)-(\d{4})\.xml", f.name)
        if m:
            return f"{m.group(1)} {m.group(2)}, {m.group(3)}"
    return "unknown release"


def package_version() -> str:
    return metadata.version("simple-icd-10-cm")


@dataclass(frozen=True)
class Lookup:
    """What the site may say about one written code."""

    written: str  # as written on the site, e.g. "M79.1-"
    code: str  # without the dash, e.g. "M79.1"
    exists: bool
    billable: bool
    title: str | None
    dash: bool  # written with a trailing dash (header notation)


def strip_dash(written: str) -> tuple[str, bool]:
    if written.endswith(".-"):
        return written[:-2], True
    if written.endswith("-"):
        return written[:-1], True
    return written, False


@lru_cache(maxsize=None)
def lookup(written: str) -> Lookup:
    code, dash = strip_dash(written.strip())
    # A few categories share their name with a one-category block (X50): still a code.
    # The package also accepts codes without their dot (M62830); the site writes the dot.
    written_right = len(code) <= 3 or code[3:4] == "."
    ok = written_right and _cm.is_valid_item(code) and (not _cm.is_chapter_or_block(code) or _cm.is_category(code))
    return Lookup(
        written=written,
        code=code,
        exists=ok,
        billable=ok and _cm.is_leaf(code),
        title=_cm.get_description(code) if ok else None,
        dash=dash,
    )


def block_exists(first: str, last: str) -> bool:
    """A range such as S00-T88 or M60-M63 names a chapter or block of the tabular."""
    name = f"{first}-{last}"
    return _cm.is_valid_item(name) and _cm.is_chapter_or_block(name) or _chapter_range(name)


def _chapter_range(name: str) -> bool:
    return any(_cm.get_description(str(n)).endswith(f"({name})") for n in range(1, 23))


def exists(code: str) -> bool:
    return lookup(code).exists


def is_billable(code: str) -> bool:
    return lookup(code).billable


def title(code: str) -> str:
    """Official title; raises KeyError for a code the tabular does not have."""
    found = lookup(code)
    if not found.exists or found.title is None:
        raise KeyError(code)
    return found.title


def notation_problem(written: str) -> str | None:
    """Why a code is written wrongly on a page, or None when it is fine.

    Billable codes are written bare; headers (categories, subcategories) with a
    trailing dash, so a reader never mistakes a header for a reportable code.
    """
    found = lookup(written)
    if not found.exists:
        dotted = f"{found.code[:3]}.{found.code[3:]}" if len(found.code) > 3 and "." not in found.code else None
        if dotted and lookup(dotted).exists:
            return f"{found.code} is not in the ICD-10-CM tabular as written: write it with its dot: {dotted}"
        return f"{found.code} is not in the ICD-10-CM tabular ({release_name()})"
    if found.billable and found.dash:
        return f"{found.code} is a billable code: write it without the trailing dash"
    if not found.billable and not found.dash and len(found.code) > 3:
        # A bare 3-character category (M62) reads as a category; a bare subcategory
        # (M62.83) reads like a code to report, so it must carry the dash.
        return (
            f"{found.code} is a header, not billable: write it as {found.code}- "
            f"(or pick a billable code below it)"
        )
    return None


def billable_descendants(code: str) -> list[str]:
    code, _ = strip_dash(code)
    return [c for c in _cm.get_descendants(code) if _cm.is_leaf(c)]


def children(code: str) -> list[str]:
    code, _ = strip_dash(code)
    return list(_cm.get_children(code))


def ancestors(code: str) -> list[str]:
    """Codes above a code, nearest first, without blocks and chapters: S39.012A -> S39.012, S39.01, ..."""
    code, _ = strip_dash(code)
    return [c for c in _cm.get_ancestors(code) if not _cm.is_chapter_or_block(c)]


def seventh_character(code: str) -> dict[str, str]:
    """The 7th character table that applies to a code, inherited from an ancestor."""
    code, _ = strip_dash(code)
    for c in [code, *_cm.get_ancestors(code)]:
        table = _cm.get_seven_chr_def(c)
        if table:
            return dict(table)
    return {}


def with_seventh(code: str, char: str) -> str:
    """S39.012 + A -> S39.012A; S16.1 + A -> S16.1XXA (placeholder X fills to 6 characters)."""
    code, _ = strip_dash(code)
    bare = code.replace(".", "")
    bare = bare.ljust(6, "X")
    full = bare[:3] + "." + bare[3:] + char
    return full


# --- Tabular notes and hierarchy, for the code pages and the matrix (issue 6) ---

# Kinds of tabular note, in the order the tabular prints them, with their headings.
NOTE_KINDS: dict[str, str] = {
    "includes": "Includes",
    "inclusion_term": "Inclusion terms",
    "excludes1": "Excludes1",
    "excludes2": "Excludes2",
    "code_first": "Code first",
    "use_additional_code": "Use additional code",
    "code_also": "Code also",
    "notes": "Notes",
}


def hierarchy(code: str) -> list[tuple[str, str]]:
    """Every level above a code, chapter first, with its kind:
    [('13', 'chapter'), ('M60-M63', 'block'), ('M62', 'category'), ('M62.8', 'subcategory'), ...].
    """
    code, _ = strip_dash(code)
    items = list(reversed(_cm.get_ancestors(code)))
    levels = []
    for i, item in enumerate(items):
        # Block X50 holds the one category X50: the first of the two names is the block.
        if _cm.is_chapter(item):
            level = "chapter"
        elif _cm.is_block(item) and not (i > 0 and items[i - 1] == item):
            level = "block"
        else:
            level = "category" if len(item) == 3 else "subcategory"
        levels.append((item, level))
    return levels


def item_title(item: str, level: str) -> str:
    """Official title of a chapter, block or code."""
    return _cm.get_description(item, prioritize_blocks=level == "block")


def own_notes(item: str, level: str) -> dict[str, list[str]]:
    """The notes printed at this level of the tabular (not inherited), by kind, in tabular order."""
    blocks = level == "block"
    found = {
        "includes": _cm.get_includes(item, prioritize_blocks=blocks),
        "inclusion_term": _cm.get_inclusion_term(item, prioritize_blocks=blocks),
        "excludes1": _cm.get_excludes1(item, prioritize_blocks=blocks),
        "excludes2": _cm.get_excludes2(item, prioritize_blocks=blocks),
        # The package joins multi-line notes with newlines: one line is one note.
        "code_first": _cm.get_code_first(item, prioritize_blocks=blocks).splitlines(),
        "use_additional_code": _cm.get_use_additional_code(item, prioritize_blocks=blocks).splitlines(),
        "code_also": _cm.get_code_also(item, prioritize_blocks=blocks).splitlines(),
        "notes": _cm.get_notes(item, prioritize_blocks=blocks).splitlines(),
    }
    return {kind: [n.strip() for n in found[kind] if n.strip()] for kind in NOTE_KINDS}


def own_seventh_character(item: str, level: str) -> tuple[dict[str, str], str]:
    """The 7th character table and note printed at this level (not inherited)."""
    blocks = level == "block"
    return (
        dict(_cm.get_seven_chr_def(item, prioritize_blocks=blocks)),
        _cm.get_seven_chr_note(item, prioritize_blocks=blocks),
    )


def is_below(code: str, header: str) -> bool:
    """True when code is header itself or a code below it (S39.012A below S39.012)."""
    code, _ = strip_dash(code)
    header, _ = strip_dash(header)
    return code == header or (_cm.is_valid_item(header) and _cm.is_descendant(code, header))
