"""The one place that reads the official ICD-10-CM data (package simple-icd-10-cm).

Everything else asks this module. A new release, or a second data source, changes
only this file.

Importing the package parses the whole tabular (98,000 nodes, about 3 s), so every
answer the site asks for is kept in a cache file under build/cache, named after the
package version and its data files: a run that asks only what an earlier run asked
never imports the package. A cache for another version or release is never read; an
unreadable one is rebuilt. The cache is a build artefact, never committed.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from . import release_files

# Release shipped by the pinned package, read from its data file name
# (e.g. icd10c-tabular-April-1-2026.xml), found without importing the package.
_DATA_DIR = Path(importlib.util.find_spec("simple_icd_10_cm").origin).parent / "data"
CACHE_FORMAT = 1


def _package():
    """simple_icd_10_cm, imported on the first question the cache cannot answer."""
    import simple_icd_10_cm

    return simple_icd_10_cm


class _Answers:
    """Answers of the package by question, kept in one JSON file per code-set version."""

    def __init__(self) -> None:
        self.answers: dict[str, object] = {}
        self.path: Path | None = None
        self.dirty = False

    def key(self) -> str:
        digest = hashlib.sha256(f"format {CACHE_FORMAT}; simple-icd-10-cm {package_version()}".encode())
        for data in sorted(_DATA_DIR.iterdir()):
            digest.update(f"{data.name} {data.stat().st_size}".encode())
        digest.update(_release_files_digest.encode())
        return digest.hexdigest()[:20]

    def open(self, folder: Path) -> None:
        self.path = folder / f"codeset-{self.key()}.json"
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(raw, dict) and raw.get("key") == self.key() and isinstance(raw.get("answers"), dict):
                self.answers = {**raw["answers"], **self.answers}
        except (OSError, ValueError):
            pass  # no cache yet, or an unreadable one: answered afresh and rewritten

    def save(self) -> None:
        if not (self.dirty and self.path):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for old in self.path.parent.glob("codeset-*.json"):
            if old != self.path:
                old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".codeset-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"key": self.key(), "answers": self.answers}, f, separators=(",", ":"))
        os.replace(tmp, self.path)
        self.dirty = False


_ANSWERS = _Answers()
_release_files_digest = ""  # set by use_release: the hash of CMS files dropped in


_release: release_files.Release | None = None  # CMS's files dropped in, when used


def use_release(tabular: Path | str, codes: Path | str) -> release_files.Release:
    """Answer from CMS's own files (tabular XML, codes file) instead of the packaged release.

    The files are checked first (release_files: missing, not CMS's format, another year);
    raises BuildFailed with every problem. Call before anything asks this module.
    """
    global _release, _release_files_digest
    release = release_files.read_release(tabular, codes)
    _package().change_version(**release.change_version_args())
    digest = hashlib.sha256()
    for path in (release.tabular, release.codes):
        digest.update(path.read_bytes())
    _release, _release_files_digest = release, digest.hexdigest()
    folder = _ANSWERS.path.parent if _ANSWERS.path else None
    _ANSWERS.__init__()
    for cached in (lookup, *_ANSWERED):
        cached.cache_clear()
    if folder:
        _ANSWERS.open(folder)
    return release


def dropped_in() -> release_files.Release | None:
    """The CMS files the build answers from, or None for the packaged release."""
    return _release


def packaged_tabular() -> Path:
    return next(_DATA_DIR.glob("icd10c-tabular-*.xml"))


def open_cache(folder: Path) -> None:
    """Keep answers in folder across runs (the build calls this; without it, per process)."""
    _ANSWERS.open(folder)


def save_cache() -> None:
    _ANSWERS.save()


_ANSWERED: list = []  # every cached question, for use_release to forget


def _answered(restore=lambda value: value):
    """Answer from the cache, else ask the package and remember. `restore` turns the
    JSON form back into the function's own (tuples)."""
    def decorate(fn):
        @functools.lru_cache(maxsize=None)
        @functools.wraps(fn)
        def wrapper(*args):
            key = f"{fn.__name__}:{json.dumps(args)}"
            if key not in _ANSWERS.answers:
                _ANSWERS.answers[key] = json.loads(json.dumps(fn(*args)))
                _ANSWERS.dirty = True
            return restore(_ANSWERS.answers[key])
        _ANSWERED.append(wrapper)
        return wrapper
    return decorate

# A code as written on the site: M62.830, S16.1XXA, M79.1- (header with a dash),
# M41.- (category header written the CMS way).
CODE_PATTERN = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?(?:\.?-)?"


def release_name() -> str:
    """'April 1, 2026' from the tabular file shipped in the package (or the dropped-in one)."""
    return _release.name if _release is not None else packaged_release_name()


def packaged_release_name() -> str:
    """The release simple-icd-10-cm ships, from its data file name."""
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


@functools.lru_cache(maxsize=None)
def lookup(written: str) -> Lookup:
    code, dash = strip_dash(written.strip())
    exists, billable, title = _code_facts(code)
    return Lookup(written=written, code=code, exists=exists, billable=billable, title=title, dash=dash)


@_answered()
def _code_facts(code: str) -> tuple[bool, bool, str | None]:
    cm = _package()
    # A few categories share their name with a one-category block (X50): still a code.
    # The package also accepts codes without their dot (M62830); the site writes the dot.
    written_right = len(code) <= 3 or code[3:4] == "."
    ok = written_right and cm.is_valid_item(code) and (not cm.is_chapter_or_block(code) or cm.is_category(code))
    return ok, ok and cm.is_leaf(code), cm.get_description(code) if ok else None


@_answered()
def block_exists(first: str, last: str) -> bool:
    """A range such as S00-T88 or M60-M63 names a chapter or block of the tabular."""
    cm = _package()
    name = f"{first}-{last}"
    return cm.is_valid_item(name) and cm.is_chapter_or_block(name) or _chapter_range(name)


def _chapter_range(name: str) -> bool:
    return any(_package().get_description(str(n)).endswith(f"({name})") for n in range(1, 23))


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
    return list(_billable_descendants(strip_dash(code)[0]))


@_answered()
def _billable_descendants(code: str) -> list[str]:
    cm = _package()
    return [c for c in cm.get_descendants(code) if cm.is_leaf(c)]


def children(code: str) -> list[str]:
    return list(_children(strip_dash(code)[0]))


@_answered()
def _children(code: str) -> list[str]:
    return list(_package().get_children(code))


def ancestors(code: str) -> list[str]:
    """Codes above a code, nearest first, without blocks and chapters: S39.012A -> S39.012, S39.01, ..."""
    return list(_ancestors(strip_dash(code)[0]))


@_answered()
def _ancestors(code: str) -> list[str]:
    cm = _package()
    return [c for c in cm.get_ancestors(code) if not cm.is_chapter_or_block(c)]


def seventh_character(code: str) -> dict[str, str]:
    """The 7th character table that applies to a code, inherited from an ancestor."""
    return dict(_seventh_character(strip_dash(code)[0]))


@_answered()
def _seventh_character(code: str) -> dict[str, str]:
    cm = _package()
    for c in [code, *cm.get_ancestors(code)]:
        table = cm.get_seven_chr_def(c)
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
    return _hierarchy(strip_dash(code)[0])


@_answered(restore=lambda levels: [tuple(level) for level in levels])
def _hierarchy(code: str) -> list[tuple[str, str]]:
    cm = _package()
    items = list(reversed(cm.get_ancestors(code)))
    levels = []
    for i, item in enumerate(items):
        # Block X50 holds the one category X50: the first of the two names is the block.
        if cm.is_chapter(item):
            level = "chapter"
        elif cm.is_block(item) and not (i > 0 and items[i - 1] == item):
            level = "block"
        else:
            level = "category" if len(item) == 3 else "subcategory"
        levels.append((item, level))
    return levels


@_answered()
def item_title(item: str, level: str) -> str:
    """Official title of a chapter, block or code."""
    return _package().get_description(item, prioritize_blocks=level == "block")


@_answered()
def own_notes(item: str, level: str) -> dict[str, list[str]]:
    """The notes printed at this level of the tabular (not inherited), by kind, in tabular order."""
    cm = _package()
    blocks = level == "block"
    found = {
        "includes": cm.get_includes(item, prioritize_blocks=blocks),
        "inclusion_term": cm.get_inclusion_term(item, prioritize_blocks=blocks),
        "excludes1": cm.get_excludes1(item, prioritize_blocks=blocks),
        "excludes2": cm.get_excludes2(item, prioritize_blocks=blocks),
        # The package joins multi-line notes with newlines: one line is one note.
        "code_first": cm.get_code_first(item, prioritize_blocks=blocks).splitlines(),
        "use_additional_code": cm.get_use_additional_code(item, prioritize_blocks=blocks).splitlines(),
        "code_also": cm.get_code_also(item, prioritize_blocks=blocks).splitlines(),
        "notes": cm.get_notes(item, prioritize_blocks=blocks).splitlines(),
    }
    return {kind: [n.strip() for n in found[kind] if n.strip()] for kind in NOTE_KINDS}


@_answered(restore=tuple)
def own_seventh_character(item: str, level: str) -> tuple[dict[str, str], str]:
    """The 7th character table and note printed at this level (not inherited)."""
    cm = _package()
    blocks = level == "block"
    return (
        dict(cm.get_seven_chr_def(item, prioritize_blocks=blocks)),
        cm.get_seven_chr_note(item, prioritize_blocks=blocks),
    )


def is_below(code: str, header: str) -> bool:
    """True when code is header itself or a code below it (S39.012A below S39.012)."""
    code, _ = strip_dash(code)
    header, _ = strip_dash(header)
    return code == header or _is_descendant(code, header)


@_answered()
def _is_descendant(code: str, header: str) -> bool:
    cm = _package()
    return cm.is_valid_item(header) and cm.is_descendant(code, header)
