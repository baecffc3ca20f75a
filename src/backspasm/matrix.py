"""The "Reported together?" page: every pair of the topic's related codes, from the Excludes notes.

Each pair is read both ways, with the notes inherited from every level above each
code, and with ranges (S00-T88) and dash families (M79.1-) expanded:
- Excludes1 either way: not together, unless the two conditions are unrelated (I.A.12.a);
- else Excludes2 either way: both may be reported when both are present (I.A.12.b);
- else no note: the tabular allows the pair.
When one side says Excludes1 and the other Excludes2, the stricter note governs.
Some notes name no code ("current injury - see injury of spine by body region", at
Block M50-M54): data/reported_together.yml says which codes this site reads them as
naming, and the matrix shows them with the others. A qualifier such as "M51.- with
fifth character 6" narrows the codes a note names.
Apart from the tabular, data/reported_together.yml names pairs the guidelines speak to
(I.B.5, I.B.6): either advise against (the symptom is part of the condition), or depends
on the documentation (the provider decides whether the symptom is part of it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pathlib import Path

from pydantic import Field, ValidationError

from . import codeset
from .checks import check_code
from .codelinks import codes_in
from .errors import DataError
from .loader import explain, read_yaml
from .models import RelatedCode, Strict
from .render import render
from .site_paths import MATRIX, code_anchor, code_page, href
from .tabular_notes import level_of, naming, written

CHOICES = "reported_together.yml"
RELATED = "related_codes.yml"

Verdict = Literal["excludes1", "excludes2", "allowed"]
# Short marks of the overview grid; the legend and each cell's hidden text say them in full.
GRID_SYMBOLS: dict[str, str] = {"excludes1": "E1", "excludes2": "E2", "allowed": "\u2713"}
VERDICT_LABELS: dict[str, str] = {
    "excludes1": "Excludes1: not together (unless unrelated, Guideline I.A.12.a)",
    "excludes2": "Excludes2: both may be reported",
    "allowed": "May be reported together",
}


class Representative(Strict):
    header: str
    code: str


AdviceKind = Literal["against", "depends"]
ADVICE_LABELS: dict[str, str] = {
    "against": "Advise against",
    "depends": "Depends on the documentation",
}


class IntegralPair(Strict):
    symptom: str
    conditions: list[str] = Field(min_length=1)
    guideline: str = Field(min_length=1)
    # against: the symptom is routinely part of the condition (I.B.5).
    # depends: whether it is part of the condition is a clinical call the provider makes.
    advice: AdviceKind = "against"
    why: str = Field(min_length=1)


class TextNote(Strict):
    """An official note that names no code, and the codes this site reads it as naming."""

    at: str  # a block ("M50-M54") or a code header ("M51-")
    kind: Literal["excludes1", "excludes2"]
    text: str = Field(min_length=1)  # exactly as the tabular prints it
    names: list[str] = Field(min_length=1)  # codes or headers with a trailing dash
    why: str = Field(min_length=1)


class Choices(Strict):
    representatives: list[Representative] = []
    integral: list[IntegralPair] = []
    text_notes: list[TextNote] = []


@dataclass(frozen=True)
class Source:
    """One official note that decides a pair, and where to read it."""

    side: str  # the code whose notes (own or inherited) carry it
    level: str  # where the note is printed: "M62", "Chapter 13"
    kind: str  # "excludes1" or "excludes2"
    text: str  # official text
    href: str  # the note on the code page of `side`
    read_as: str | None = None  # for a note that names no code: how this site reads it


@dataclass(frozen=True)
class Advice:
    guideline: str
    why: str
    kind: str = "against"

    @property
    def label(self) -> str:
        return ADVICE_LABELS[self.kind]


@dataclass(frozen=True)
class Cell:
    code: str  # the section's code
    other: str
    verdict: Verdict
    sources: list[Source]
    mixed: bool  # Excludes1 one way, Excludes2 the other
    advice: Advice | None

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]


def load_choices(path: Path) -> tuple[Choices, list[DataError]]:
    display = f"data/{CHOICES}"
    raw, errors = read_yaml(path, display)
    if errors:
        return Choices(), errors
    if not isinstance(raw, dict):
        return Choices(), [DataError(display, "", "expected a mapping with representatives, integral and text_notes")]
    try:
        choices = Choices.model_validate(raw)
    except ValidationError as exc:
        return Choices(), [DataError(display, "", explain(exc))]
    for rep in choices.representatives:
        entry = f"representative of {rep.header}"
        problems = check_code(rep.header, file=display, entry=entry)
        problems += check_code(rep.code, file=display, entry=entry, report=True)
        errors += problems
        if not problems and not codeset.is_below(rep.code, rep.header):
            errors.append(DataError(display, entry, f"{rep.code} is not a code below {rep.header}"))
    for pair in choices.integral:
        for code in [pair.symptom, *pair.conditions]:
            errors += check_code(code, file=display, entry=f"integral pair of {pair.symptom}")
    for note in choices.text_notes:
        entry = f"text note at {note.at}"
        for code in note.names:
            errors += check_code(code, file=display, entry=entry)
        level = _level_name(note.at)
        if level is None:
            errors.append(DataError(display, entry, f"{note.at} is neither a block nor a code of the tabular"))
        elif note.text not in codeset.own_notes(note.at, level)[note.kind]:
            errors.append(
                DataError(display, entry, f"the tabular prints no {note.kind} note {note.text!r} at {note.at}")
            )
    return choices, errors


def _level_name(item: str) -> str | None:
    if "-" in item.strip("-") and codeset.block_exists(*item.split("-", 1)):
        return "block"
    if codeset.exists(item):
        code = codeset.strip_dash(item)[0]
        return "category" if len(code) == 3 else "subcategory"
    return None


def named_on_pages(texts: list[str]) -> set[str]:
    """Billable codes written by hand on the content pages.

    Not the guide's results: they name nearly every code of each family (35 codes),
    too many for a matrix a coder can scan; the representatives stand for them.
    """
    return {code for text in texts for code in codes_in(text) if codeset.is_billable(code)}


def picks(related: tuple[RelatedCode, ...], choices: Choices, named: set[str]) -> list[tuple[str, list[str]]]:
    """Each row of the related-codes table and the billable code(s) standing for it in the matrix.

    A billable row stands for itself; a header with a 7th character for its initial-encounter
    code (S39.012A); any other header for the billable codes below it that the content pages
    name, else for its representative in data/reported_together.yml.
    """
    representatives = {r.header: r.code for r in choices.representatives}
    found: list[tuple[str, list[str]]] = []
    for entry in related:
        looked = codeset.lookup(entry.code)
        if looked.billable:
            picked = [looked.code]
        elif codeset.seventh_character(looked.code):
            picked = [codeset.with_seventh(looked.code, "A")]
        else:
            picked = [c for c in codeset.billable_descendants(looked.code) if c in named]
            if not picked and entry.code in representatives:
                picked = [representatives[entry.code]]
        found.append((entry.code, picked))
    return found


def matrix_codes(picked: list[tuple[str, list[str]]]) -> list[str]:
    """The billable codes of the matrix, in the order of data/related_codes.yml."""
    codes: list[str] = []
    for _, chosen in picked:
        codes += [c for c in chosen if codeset.is_billable(c) and c not in codes]
    return codes


def unrepresented(picked: list[tuple[str, list[str]]]) -> list[DataError]:
    """A row of data/related_codes.yml with no code in the matrix would be a row lost: refused."""
    return [DataError(f"data/{CHOICES}", "representatives",
                      f"{row} (a row of data/{RELATED}) has no code in the matrix: no page names a billable "
                      "code below it, so name one here as its representative")
            for row, chosen in picked if not chosen]


# "M51.- with fifth character 6": the note names only the codes with that 5th character.
FIFTH_CHARACTER = re.compile(r"with fifth character (\w)")


def _qualified(text: str, other: str) -> bool:
    """False when the note's qualifier leaves `other` out."""
    m = FIFTH_CHARACTER.search(text)
    bare = other.replace(".", "")
    return not m or (len(bare) >= 5 and bare[4] == m.group(1))


def _sources(code: str, other: str, kind: str) -> list[Source]:
    return [
        Source(code, level.label, kind, line.text, href(MATRIX, code_page(code), line.anchor))
        for level, line in naming(code, other, kind)
        if _qualified(line.text, other)
    ]


def _in(code: str, item: str) -> bool:
    """code is below a block ("M50-M54") or a header ("S33.-")."""
    if _level_name(item) == "block":
        return (item, "block") in codeset.hierarchy(code)
    return codeset.is_below(code, item)


def _text_sources(code: str, other: str, kind: str, notes: list[TextNote]) -> list[Source]:
    """Notes with no code in them, at a level above `code`, that this site reads as naming `other`."""
    found = []
    for note in notes:
        if note.kind != kind or not _in(code, note.at) or not any(_in(other, n) for n in note.names):
            continue
        level = level_of(note.at, _level_name(note.at) or "block")
        line = next(line for line in level.notes[kind] if line.text == note.text)
        found.append(Source(code, level.label, kind, note.text, href(MATRIX, code_page(code), line.anchor), note.why))
    return found


def _advice(code: str, other: str, integral: list[IntegralPair]) -> Advice | None:
    for pair in integral:
        conditions = pair.conditions
        if (codeset.is_below(code, pair.symptom) and any(codeset.is_below(other, c) for c in conditions)) or (
            codeset.is_below(other, pair.symptom) and any(codeset.is_below(code, c) for c in conditions)
        ):
            return Advice(pair.guideline, pair.why, pair.advice)
    return None


def cell(code: str, other: str, integral: list[IntegralPair], text_notes: list[TextNote] | None = None) -> Cell:
    text_notes = text_notes or []
    ex1 = (
        _sources(code, other, "excludes1") + _sources(other, code, "excludes1")
        + _text_sources(code, other, "excludes1", text_notes) + _text_sources(other, code, "excludes1", text_notes)
    )
    ex2 = (
        _sources(code, other, "excludes2") + _sources(other, code, "excludes2")
        + _text_sources(code, other, "excludes2", text_notes) + _text_sources(other, code, "excludes2", text_notes)
    )
    verdict: Verdict = "excludes1" if ex1 else "excludes2" if ex2 else "allowed"
    sides_e1 = {s.side for s in ex1}
    sides_e2 = {s.side for s in ex2}
    mixed = bool(ex1 and ex2 and (sides_e2 - sides_e1))
    advice = _advice(code, other, integral) if verdict != "excludes1" else None
    return Cell(code, other, verdict, ex1 + ex2, mixed, advice)


def build(
    codes: list[str], integral: list[IntegralPair], text_notes: list[TextNote] | None = None
) -> dict[str, list[Cell]]:
    """code -> its cells with every other code, in matrix order."""
    return {code: [cell(code, other, integral, text_notes) for other in codes if other != code] for code in codes}


def counts(sections: dict[str, list[Cell]]) -> dict[str, int]:
    """Pairs (each counted once) by verdict, and pairs with guideline advice."""
    seen: dict[frozenset, Cell] = {}
    for cells in sections.values():
        for c in cells:
            seen.setdefault(frozenset((c.code, c.other)), c)
    result = {kind: sum(1 for c in seen.values() if c.verdict == kind) for kind in VERDICT_LABELS}
    result["guideline"] = sum(1 for c in seen.values() if c.advice)
    result["against"] = sum(1 for c in seen.values() if c.advice and c.advice.kind == "against")
    result["depends"] = sum(1 for c in seen.values() if c.advice and c.advice.kind == "depends")
    result["text_notes"] = sum(1 for c in seen.values() if any(s.read_as for s in c.sources))
    result["mixed"] = sum(1 for c in seen.values() if c.mixed)
    return result


def render_page(codes: list[str], choices: Choices) -> str:
    sections = build(codes, choices.integral, choices.text_notes)
    return render(
        "codes/matrix.md.j2",
        here=MATRIX,
        codes=[(c, written(c), codeset.title(c)) for c in codes],
        titles={c: codeset.title(c) for c in codes},
        grid={code: {c.other: c for c in cells} for code, cells in sections.items()},
        symbols=GRID_SYMBOLS,
        sections=sections,
        labels=VERDICT_LABELS,
        counts=counts(sections),
        release=codeset.release_name(),
        advice_labels=ADVICE_LABELS,
        text_notes=[(n, level_of(n.at, _level_name(n.at) or "block").label) for n in choices.text_notes],
    )
