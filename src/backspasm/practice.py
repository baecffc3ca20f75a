"""Practice for trainees: every case of the case book as an exercise that works without JavaScript.

data/practice.yml gives each case (by id) a title and 2 to 5 wrong answers, the
distractors. The right answer is never written there: it is the case's own expected
outcome and codes (data/cases.yml), so the exercise cannot drift from the case book.
Each distractor stands for a named confusion of the file's catalogue (`confusions`):
the mistake in words, why it is wrong, and where that is written (the tabular note,
resolved here to the level it is printed at; the guideline section; the Index entry).

    load    load_practice   the file -> typed entries; every code checked against the
                            tabular, every note found at its level, every section known
    derive  exercises       one Exercise per case, its options in a fixed order; a
                            distractor the guide's walk of the case accepts stops the build
    render  render_pages    the index, a page per case, a page per answer, worksheet, key
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from . import codeset
from .checks import check_code
from .errors import DataError
from .guide.cases import Case, compare, walk
from .guide.model import SLUG, Kind, Result, Tree
from .guide.pages import NO_FIXED_ORDER
from .loader import explain, read_yaml
from .models import Strict
from .render import render
from .site_paths import (
    PRACTICE_INDEX, PRACTICE_KEY, PRACTICE_RESERVED, PRACTICE_WORKSHEET, SEVENTH_ANCHOR, code_page, guide_page,
    practice_anchor, practice_feedback_page, practice_name, practice_page, practice_topic_anchor,
)
from .tabular_notes import covers, levels, references

PRACTICE_FILE = "practice.yml"
TOPICS: dict[str, str] = {
    "site-and-muscle": "Site and muscle",
    "injury": "Injury",
    "spine-conditions": "Spine conditions",
    "red-flags": "Red flags",
    "documentation-and-queries": "Documentation and queries",
}
LEVELS: dict[str, str] = {"foundation": "Foundation", "intermediate": "Intermediate", "advanced": "Advanced"}
# Where the words of the case grid's headings may break in a phone's narrow columns (soft
# hyphens, seen only at a break), instead of anywhere ("Founda" / "tion").
SHY = "\u00ad"
GRID_WORD_BREAKS = {word.replace("-", ""): word.replace("-", SHY) for word in (
    "Foun-da-tion", "In-ter-me-di-ate", "Ad-vanced", "con-di-tions", "Doc-u-men-ta-tion", "mus-cle", "que-ries")}


def breakable(label: str) -> str:
    """A grid heading with its words' break points marked."""
    return " ".join(GRID_WORD_BREAKS.get(word, word) for word in label.split(" "))
MIN_OPTIONS, MAX_OPTIONS = 3, 6  # the right answer and 2 to 5 distractors

# Sections of the Official Guidelines (FY2026) a reason may cite, with what each is about
# (in our words). A section not listed here is a typo until someone adds it.
GUIDELINES: dict[str, str] = {
    "I.A.3": "only codes are reported, not categories or subcategories",
    "I.A.4": "the placeholder character X",
    "I.A.5": "7th characters",
    "I.A.9.b": "unspecified codes",
    "I.A.12.a": "Excludes1 notes",
    "I.A.12.b": "Excludes2 notes",
    "I.A.19": "code assignment follows the provider's diagnostic statement",
    "I.B.1": "locating a code: the Index first, then the Tabular List",
    "I.B.4": "signs and symptoms",
    "I.B.5": "conditions that are an integral part of a disease process",
    "I.B.6": "conditions that are not an integral part of a disease process",
    "I.B.9": "combination codes",
    "I.B.10": "sequela (late effects)",
    "I.B.18": "use of sign, symptom and unspecified codes",
    "I.C.13.b": "acute traumatic versus chronic or recurrent musculoskeletal conditions",
    "I.C.13.d.2": "osteoporosis with a current pathological fracture",
    "I.C.19.a": "7th characters in Chapter 19",
    "I.C.20": "external cause codes",
    "II.H": "uncertain diagnosis, inpatient principal diagnosis",
    "III.C": "uncertain diagnosis, inpatient additional diagnoses",
    "IV.G": "the first-listed code is the reason chiefly responsible for the visit",
    "IV.J": "code all documented conditions that coexist and affect the care",
    "IV.H": "uncertain diagnosis, outpatient",
}
NoteKind = Literal[
    "includes", "inclusion_term", "excludes1", "excludes2", "code_first", "use_additional_code",
    "code_also", "notes", "seventh_character",
]
OUTCOME_ACTIONS = {
    "query": "Query the provider",
    "escalate": "Escalate clinically",
    "outside": "Outside this guide: follow the Alphabetic Index",
}


# ----------------------------------------------------------------------------- load

class NoteRef(Strict):
    """A tabular note that shows why an answer is wrong, found in the official data.

    code: the code the note governs (printed at its own level or inherited from above);
    names: a code the note names, or says: words the note holds. For the 7th character
    table, neither: the level that prints the table is found.
    """

    code: str
    kind: NoteKind
    names: str | None = None
    says: str | None = Field(default=None, min_length=3)

    @model_validator(mode="after")
    def _one_key(self) -> NoteRef:
        if self.kind == "seventh_character":
            if self.names or self.says:
                raise ValueError("a 7th character table takes neither names nor says")
        elif (self.names is None) == (self.says is None):
            raise ValueError("name the note by exactly one of names (a code it names) or says (words it holds)")
        return self


class Reasons(Strict):
    """Where an answer's fault is written down."""

    guideline: list[str] = Field(default_factory=list)
    notes: list[NoteRef] = Field(default_factory=list)
    index: list[str] = Field(default_factory=list)  # Alphabetic Index entries (cited, not checkable)


class Confusion(Reasons):
    """A confusion that recurs: named once, explained the same way wherever it stands."""

    mistake: str = Field(min_length=1)  # the confusion, in words
    why: str = Field(min_length=1)  # the rule that shows it wrong


class Distractor(Reasons):
    """A wrong answer: codes in reporting order, or an outcome (with the codes meanwhile)."""

    outcome: Kind = "report"
    codes: list[str] = Field(default_factory=list, max_length=8)
    mistake: str = Field(pattern=SLUG)  # the confusion it stands for (an id of `confusions`)
    why: str | None = None  # what this case adds to the confusion's rule

    @model_validator(mode="after")
    def _codes_fit_outcome(self) -> Distractor:
        if self.outcome == "report" and not self.codes:
            raise ValueError("a report answer names at least one code (or set outcome: query, escalate or outside)")
        if self.outcome == "outside" and self.codes:
            raise ValueError("an outside answer names no code")
        if len(set(self.codes)) != len(self.codes):
            raise ValueError("a code is listed twice")
        return self


class PracticeCase(Strict):
    title: str = Field(min_length=3, max_length=70)  # the page heading: never the answer
    distractors: list[Distractor] = Field(min_length=MIN_OPTIONS - 1, max_length=MAX_OPTIONS - 1)


@dataclass(frozen=True)
class PracticeBook:
    confusions: dict[str, Confusion]
    cases: dict[str, PracticeCase]  # by case id, in file order


@dataclass(frozen=True)
class Note:
    """A tabular note as a feedback page shows it: official text, the level it is printed at."""

    code: str  # the code it governs
    kind: str  # heading: "Excludes1", "7th character"
    level: str  # "category", "subcategory", "block", "chapter", or "code"
    item: str  # how the site writes that level: "M62", "M62.8-", "Block M50-M54"
    text: str  # official text
    inherited: bool  # printed above the code, so it applies by inheritance (I.A.12)
    anchor: str  # the note's id on the code's page

    @property
    def page(self) -> str:
        """The code page that shows the note, at its level."""
        return code_page(codeset.strip_dash(self.code)[0])


@functools.cache  # looked up when the file is checked, and again for each page that cites it
def resolve_note(ref: NoteRef) -> tuple[Note | None, str | None]:
    """The note in the official data, or None and why it is not there."""
    found_levels = levels(codeset.strip_dash(ref.code)[0])
    if ref.kind == "seventh_character":
        for level in reversed(found_levels):
            if level.seventh:
                text = "; ".join(f"{char} {meaning}" for char, meaning in level.seventh.items())
                return Note(ref.code, "7th character", _level_kind(level.level, level.item, ref.code), level.label,
                            text, level.item != found_levels[-1].item, SEVENTH_ANCHOR), None
        return None, f"{ref.code} takes no 7th character"
    wanted = codeset.strip_dash(ref.names)[0] if ref.names else None
    for level in found_levels:
        for line in level.notes.get(ref.kind, []):
            text = line.text
            if wanted and _names(text, wanted) or ref.says and ref.says.lower() in text.lower():
                return Note(ref.code, codeset.NOTE_KINDS[ref.kind], _level_kind(level.level, level.item, ref.code),
                            level.label, text, level.item != found_levels[-1].item, line.anchor), None
    what = f"names {ref.names}" if ref.names else f"says {ref.says!r}"
    return None, f"no {codeset.NOTE_KINDS[ref.kind]} note that {what} applies to {ref.code} at any level of the tabular"


def _names(text: str, code: str) -> bool:
    return any(covers(ref, code) for ref in references(text))


def _level_kind(level: str, item: str, code: str) -> str:
    return "code" if item == codeset.strip_dash(code)[0] and codeset.is_billable(item) else level


def load_practice(path: Path, display: str, whole: bool = True) -> tuple[PracticeBook | None, list[DataError]]:
    """The practice file, checked on its own (codes, notes, sections, confusions).

    whole=False checks a part of the cases (devtools/practice_check.py): a confusion no
    case of the part uses is then not an error."""
    raw, errors = read_yaml(path, display)
    if errors:
        return None, errors
    if not isinstance(raw, dict) or set(raw) != {"confusions", "cases"}:
        return None, [DataError(display, "", "expected two mappings: confusions (by id) and cases (by case id)")]
    confusions = _entries(raw["confusions"], Confusion, "confusion", display, errors)
    cases = _entries(raw["cases"], PracticeCase, "case", display, errors)
    for cid, confusion in confusions.items():
        errors += _check_reasons(confusion, display, f"confusion '{cid}'")
    used: set[str] = set()
    names: dict[str, str] = {}
    for case_id, entry in cases.items():
        where = f"case '{case_id}'"
        name = practice_name(entry.title)
        if name in PRACTICE_RESERVED or not name:
            errors.append(DataError(display, where, f"the title makes the page name '{name}', which the practice "
                                                    "folder uses itself: change the title"))
        elif name in names:
            errors.append(DataError(display, where, f"the title makes the same page name as case '{names[name]}' "
                                                    f"({name}): change one title"))
        names[name] = case_id
        seen: dict[tuple, int] = {}
        for number, option in enumerate(entry.distractors, start=1):
            at = f"{where}, distractor {number}"
            for code in option.codes:
                errors += check_code(code, file=display, entry=at)
            errors += _check_reasons(option, display, at)
            if option.mistake not in confusions:
                errors.append(DataError(display, at, f"mistake '{option.mistake}' is not a confusion of the catalogue "
                                                     f"(known: {', '.join(sorted(confusions)) or 'none'})"))
            used.add(option.mistake)
            key = (option.outcome, tuple(option.codes))
            if key in seen:
                errors.append(DataError(display, at, f"the same answer as distractor {seen[key]}: options must differ"))
            seen.setdefault(key, number)
    for cid in confusions:
        if whole and cid not in used and not errors:
            errors.append(DataError(display, f"confusion '{cid}'", "no distractor stands for it: use it or remove it"))
    return (None, errors) if errors else (PracticeBook(confusions, cases), [])


def _entries(raw: object, model: type[Strict], kind: str, display: str, errors: list[DataError]) -> dict:
    if not isinstance(raw, dict) or not raw:
        errors.append(DataError(display, f"{kind}s", f"expected a mapping of {kind}s by id"))
        return {}
    found = {}
    for key, value in raw.items():
        where = f"{kind} '{key}'"
        if not isinstance(key, str) or not re.fullmatch(SLUG, key):
            errors.append(DataError(display, where, "the id must be a slug (lowercase words joined by '-')"))
            continue
        if not isinstance(value, dict):
            errors.append(DataError(display, where, "expected a mapping of fields"))
            continue
        try:
            found[key] = model.model_validate(value)
        except ValidationError as exc:
            errors.append(DataError(display, where, explain(exc)))
    return found


def _check_reasons(reasons: Reasons, display: str, where: str) -> list[DataError]:
    errors = []
    for section in reasons.guideline:
        if section not in GUIDELINES:
            errors.append(DataError(display, where, f"guideline section '{section}' is not one this site cites "
                                                    f"(known: {', '.join(GUIDELINES)}); add it to practice.GUIDELINES"))
    for ref in reasons.notes:
        problems = check_code(ref.code, file=display, entry=where)
        if ref.names:
            problems += check_code(ref.names, file=display, entry=where)
        errors += problems
        if not problems:
            note, why = resolve_note(ref)
            if note is None:
                errors.append(DataError(display, where, why or "note not found"))
    return errors


# ----------------------------------------------------------------------------- derive

@dataclass(frozen=True)
class CodeLine:
    code: str
    title: str  # official, from the tabular


@dataclass(frozen=True)
class Option:
    """One answer of an exercise, with what its feedback page says."""

    letter: str
    outcome: str
    codes: tuple[CodeLine, ...]
    right: bool
    page: str  # its feedback page
    mistake: str | None = None
    why: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    guideline: tuple[tuple[str, str], ...] = ()  # (section, what it is about)
    index: tuple[str, ...] = ()

    @property
    def action(self) -> str | None:
        return OUTCOME_ACTIONS.get(self.outcome)


@dataclass(frozen=True)
class Exercise:
    number: int
    case: Case
    title: str
    page: str
    result: Result  # where the guide's walk of the case ends
    options: tuple[Option, ...]

    @property
    def right(self) -> Option:
        return next(o for o in self.options if o.right)

    @property
    def topic(self) -> str:
        return TOPICS[self.case.topic]

    @property
    def level(self) -> str:
        return LEVELS[self.case.level]

    @property
    def guide_page(self) -> str:
        return guide_page(tuple(self.case.answers))


def accepted(result: Result, case: Case, outcome: str, codes: list[str]) -> bool:
    """Would the guide's walk of this case take this answer as right?

    compare() holds an answer against the result; it cannot read the record, so a code
    the result lists with a condition (`when`) passes whether or not the record meets it.
    The case's own expected codes say which conditions the record meets: a right answer
    lists exactly those conditional codes.
    """
    if compare(result, outcome, codes):
        return False
    conditional = {c.code for c in result.codes if c.when}
    return {c for c in codes if c in conditional} == {c for c in case.expected.codes if c in conditional}


def order_key(case_id: str, outcome: str, codes: list[str] | tuple[str, ...]) -> str:
    """Options are shown in a fixed order that does not put the right one first: by a hash
    of the case and the answer, so an edit elsewhere in the file never reshuffles a case."""
    return hashlib.sha256(f"{case_id}|{outcome}|{','.join(codes)}".encode()).hexdigest()


def exercises(book: PracticeBook, cases: list[Case], tree: Tree, display: str) -> tuple[list[Exercise], list[DataError]]:
    """One exercise per case, in study order (topic, level, then the case book's order)."""
    errors: list[DataError] = []
    known = {c.id for c in cases}
    for case_id in book.cases:
        if case_id not in known:
            errors.append(DataError(display, f"case '{case_id}'", "no case of data/cases.yml has this id"))
    topics, levels_ = list(TOPICS), list(LEVELS)
    ordered = sorted(enumerate(cases), key=lambda ic: (topics.index(ic[1].topic), levels_.index(ic[1].level), ic[0]))
    built: list[Exercise] = []
    for case in (c for _, c in ordered):
        where = f"case '{case.id}'"
        entry = book.cases.get(case.id)
        if entry is None:
            errors.append(DataError(display, where, "every case of data/cases.yml is an exercise: add its title and "
                                                    f"{MIN_OPTIONS - 1} to {MAX_OPTIONS - 1} distractors"))
            continue
        result, _ = walk(tree, case.answers)
        if result is None:
            continue  # the case book's own check names the case
        right = (case.expected.outcome, tuple(case.expected.codes))
        problems = []
        for number, option in enumerate(entry.distractors, start=1):
            at = f"{where}, distractor {number}"
            if (option.outcome, tuple(option.codes)) == right:
                problems.append(DataError(display, at, "this is the case's own expected answer: the right answer "
                                                       "comes from data/cases.yml, list only wrong ones here"))
            elif accepted(result, case, option.outcome, option.codes):
                problems.append(DataError(display, at, f"the guide's walk of this case accepts this answer (result "
                                                       f"'{result.id}'): it is right for the vignette, not a distractor"))
        errors += problems
        if problems:
            continue
        built.append(_exercise(len(built) + 1, case, entry, result, book.confusions))
    return built, errors


def _exercise(number: int, case: Case, entry: PracticeCase, result: Result, confusions: dict[str, Confusion]) -> Exercise:
    name = practice_name(entry.title)
    page = practice_page(name)
    raw = [(case.expected.outcome, tuple(case.expected.codes), None)]
    raw += [(d.outcome, tuple(d.codes), d) for d in entry.distractors]
    raw.sort(key=lambda item: order_key(case.id, item[0], item[1]))
    options = []
    for position, (outcome, codes, distractor) in enumerate(raw):
        letter = "ABCDEF"[position]
        lines = tuple(CodeLine(c, codeset.lookup(c).title or "") for c in codes)
        feedback = practice_feedback_page(name, letter)
        if distractor is None:
            options.append(Option(letter, outcome, lines, True, feedback))
            continue
        confusion = confusions[distractor.mistake]
        refs = [*distractor.notes, *confusion.notes]
        notes = tuple(n for n in (resolve_note(r)[0] for r in refs) if n is not None)
        sections = list(dict.fromkeys([*distractor.guideline, *confusion.guideline]))
        options.append(Option(
            letter, outcome, lines, False, feedback,
            mistake=confusion.mistake,
            why=tuple(w for w in (distractor.why, confusion.why) if w),
            notes=tuple(dict.fromkeys(notes)),
            guideline=tuple((s, GUIDELINES[s]) for s in sections),
            index=tuple(dict.fromkeys([*distractor.index, *confusion.index])),
        ))
    return Exercise(number, case, entry.title, page, result, tuple(options))


def codes_named(items: list[Exercise]) -> set[str]:
    """Every code the practice pages name (options and notes), without the dash: each gets a code page."""
    found = set()
    for item in items:
        for option in item.options:
            found.update(codeset.strip_dash(line.code)[0] for line in option.codes)
            found.update(codeset.strip_dash(note.code)[0] for note in option.notes)
    return found


def naming_pages(pages: set[str]) -> set[str]:
    """Of the practice pages that name a code, the ones its code page lists: the cases that
    offer it as an answer, else the other pages that name it (the feedback pages last)."""
    cases = {p for p in pages if p.count("/") == 1 and p not in (PRACTICE_INDEX, PRACTICE_WORKSHEET, PRACTICE_KEY)}
    return cases or {p for p in pages if p.count("/") == 1} or pages


# ----------------------------------------------------------------------------- render

def order_note(item: Exercise) -> str | None:
    """What the right answer's order means, for more than one code (the result's sequence)."""
    codes = item.right.codes
    if len(codes) < 2:
        return None
    if item.result.sequence == "as-listed":
        return "The order is fixed: report the codes as listed."
    if item.result.sequence == "first-listed":
        if len(codes) == 2:
            return f"{codes[0].code} goes first, then {codes[1].code}."
        return f"{codes[0].code} goes first; no rule orders the others."
    return NO_FIXED_ORDER


def render_pages(items: list[Exercise]) -> dict[str, str]:
    """Every page of the practice section, as Markdown (HTML blocks), by page path."""
    pages: dict[str, str] = {}
    count = len(items)
    for i, item in enumerate(items):
        following = items[i + 1].page if i + 1 < count else PRACTICE_INDEX
        pages[item.page] = render("practice/case.md.j2", item=item, count=count, here=item.page,
                                  next_page=following, index=PRACTICE_INDEX, split=record_line)
        for option in item.options:
            pages[option.page] = render(
                "practice/feedback.md.j2", item=item, option=option, count=count, here=option.page,
                next_page=following, index=PRACTICE_INDEX, order_note=order_note(item),
            )
    topics = [(key, label, [i for i in items if i.case.topic == key]) for key, label in TOPICS.items()]
    common = dict(topics=topics, count=count, anchor=practice_anchor, topic_anchor=practice_topic_anchor,
                  split=record_line)
    pages[PRACTICE_INDEX] = render(
        "practice/index.md.j2", here=PRACTICE_INDEX, levels=list(LEVELS.values()), breakable=breakable,
        options=sum(len(i.options) for i in items), worksheet=PRACTICE_WORKSHEET, key=PRACTICE_KEY, **common,
    )
    pages[PRACTICE_WORKSHEET] = render("practice/worksheet.md.j2", here=PRACTICE_WORKSHEET, index=PRACTICE_INDEX,
                                       key=PRACTICE_KEY, **common)
    pages[PRACTICE_KEY] = render("practice/answer_key.md.j2", here=PRACTICE_KEY, index=PRACTICE_INDEX,
                                 worksheet=PRACTICE_WORKSHEET, order_note=order_note, **common)
    return pages


def record_line(line: str) -> tuple[str | None, str]:
    """A record line split into its label and text: "Exam: tender" -> ("Exam", "tender")."""
    m = RECORD_LABEL.match(line)
    return (m.group(1), m.group(2)) if m else (None, line)


RECORD_LABEL = re.compile(r"^([A-Z][A-Za-z' -]{1,40}): (.+)$")
