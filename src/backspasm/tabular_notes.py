"""A code's tabular notes with inheritance: each note with the level it is printed at.

ICD-10-CM prints a note once, at the highest level it applies to (chapter, block,
category, subcategory); it governs every code below (Guideline I.A.12). The code
pages show the notes level by level, and the matrix reads the codes a note names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import codeset
from .site_paths import level_anchor, note_anchor

# A range as CMS writes it in notes: S00-T88, T18.2-T18.4, O00-O9A.
_ITEM = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
REFERENCE = re.compile(
    rf"(?<![A-Za-z0-9.])(?:(?P<first>{_ITEM})-(?P<last>{_ITEM})|(?P<code>{_ITEM})(?:\.?-)?)(?![A-Za-z0-9])"
)


@dataclass(frozen=True)
class NoteLine:
    kind: str  # key of codeset.NOTE_KINDS: "excludes1", "code_first", ...
    text: str  # official text, as CMS prints it
    anchor: str  # id of this line on a code page


@dataclass(frozen=True)
class Level:
    """One level of the hierarchy (or the code itself) and the notes printed there."""

    item: str  # "13", "M60-M63", "M62", "M62.83", "M62.830"
    level: str  # "chapter", "block", "category", "subcategory"
    key: str  # id part: "ch13", "block-m60-m63", "m62"
    label: str  # how the site writes it: "Chapter 13", "Block M60-M63", "M62", "M62.83-"
    title: str
    notes: dict[str, list[NoteLine]]  # only kinds that have notes, tabular order
    seventh: dict[str, str]  # 7th character table printed at this level
    seventh_note: str

    @property
    def section_id(self) -> str:
        return f"from-{self.key}"


def written(code: str) -> str:
    """A code as the site writes it: billable bare, a 3-character category bare, other headers with a dash."""
    if codeset.is_billable(code) or len(code) == 3:
        return code
    return f"{code}-"


def _label(item: str, level: str) -> str:
    if level == "chapter":
        return f"Chapter {item}"
    if level == "block":
        return f"Block {item}"
    return written(item)


@lru_cache(maxsize=None)  # the matrix asks for the same levels many times
def level_of(item: str, level: str) -> Level:
    key = level_anchor(item, level)
    notes = {
        kind: [NoteLine(kind, text, note_anchor(key, kind, i)) for i, text in enumerate(lines, start=1)]
        for kind, lines in codeset.own_notes(item, level).items()
        if lines
    }
    seventh, seventh_note = codeset.own_seventh_character(item, level)
    return Level(item, level, key, _label(item, level), codeset.item_title(item, level), notes, seventh, seventh_note)


def levels(code: str) -> list[Level]:
    """Chapter first, the code itself last."""
    own = (code, "category" if len(code) == 3 else "subcategory")
    return [level_of(item, level) for item, level in [*codeset.hierarchy(code), own]]


def references(text: str) -> list[tuple[str, str]]:
    """The codes and ranges a note names, as (first, last); a single code is (code, code)."""
    found = []
    for m in REFERENCE.finditer(text):
        if m.group("first"):
            found.append((m.group("first"), m.group("last")))
        else:
            found.append((m.group("code"), m.group("code")))
    return found


def covers(reference: tuple[str, str], code: str) -> bool:
    """Does a note reference (a code, a header with or without dash, a range) include code?"""
    first, last = reference
    if first == last:
        return codeset.exists(first) and codeset.is_below(code, first)
    # Ranges compare on the same number of characters: S39.012A is within S00-T88.
    return first <= code[: len(first)] and code[: len(last)] <= last


def naming(code: str, other: str, kind: str) -> list[tuple[Level, NoteLine]]:
    """Notes of this kind, on code or inherited from above it, that name other."""
    return [
        (level, line)
        for level in levels(code)
        for line in level.notes.get(kind, [])
        if any(covers(ref, other) for ref in references(line.text))
    ]
