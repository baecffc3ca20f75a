"""Stage: every page as the engine will read it, each written once into the stage folder.

For each page: front matter checked and made safe (sources), raw HTML of hand-written
pages checked (sources), every code checked against the tabular and linked to its
code page (codelinks). Generated fragments and official titles fill their markers
before, when the pages are rendered.
"""
from __future__ import annotations

import re
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import codelinks, codeset, publish, sources
from .errors import DataError, Problems

MARKER = re.compile(r"<!--\s*generated:\s*([a-z0-9-]+)\s*-->")
TITLE = re.compile(r"<!--\s*title:\s*(\S+)\s*-->")


@dataclass(frozen=True)
class Page:
    """A page to stage: its Markdown, and the source named in messages about it."""

    markdown: str
    source: str
    hand_written: bool = False


@dataclass(frozen=True)
class Staged:
    folder: Path
    source_of: dict[str, str]  # site path ("guide/index.md") -> source ("data/decision_tree.yml, page ...")
    usage: dict[str, set[str]] = field(default_factory=dict)  # code -> site paths that mention it


def fill_markers(text: str, display: str, fragments: dict[str, str]) -> tuple[str, list[DataError]]:
    """Generated fragments and official titles in place of their markers."""
    errors: list[DataError] = []

    def line(m: re.Match) -> str:
        return f"line {text.count(chr(10), 0, m.start()) + 1}"

    def fragment(m: re.Match) -> str:
        name = m.group(1)
        if name not in fragments:
            known = ", ".join(sorted(fragments)) or "none"
            errors.append(DataError(display, line(m), f"unknown marker '{name}' (known: {known})"))
            return ""
        return fragments[name]

    def title(m: re.Match) -> str:
        try:
            return codeset.title(m.group(1))
        except KeyError:
            errors.append(DataError(display, line(m), f"title placeholder: {m.group(1)} is not in the tabular"))
            return ""

    return TITLE.sub(title, MARKER.sub(fragment, text)), errors


def usage(pages: dict[str, Page]) -> dict[str, set[str]]:
    """code -> the pages that mention it (existing codes only, without the dash)."""
    found: dict[str, set[str]] = defaultdict(set)
    for rel, page in pages.items():
        for code in codelinks.codes_in(page.markdown):
            found[code].add(rel)
    return dict(found)


def stage(pages: dict[str, Page], static: tuple[sources.SourceFile, ...], folder: Path,
          code_pages: set[str]) -> Staged:
    """Write every page (and the other files of docs/) into a fresh stage folder."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    publish.mark_stage(folder)
    for src in static:
        dest = folder / src.rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src.path, dest)
    problems = Problems()
    found: dict[str, set[str]] = defaultdict(set)
    source_of: dict[str, str] = {}
    for rel, page in pages.items():
        split, errors = sources.split_page(page.markdown, page.source)
        problems += errors
        if split is None:
            continue
        if page.hand_written:
            problems += sources.unsafe_markup(split.body, page.source, split.body_line)
        body, errors = codelinks.process(
            split.body, file=page.source, page_path=rel,
            code_pages=code_pages,
            used=lambda code, rel=rel: found[code].add(rel), first_line=split.body_line,
        )
        problems += errors
        source_of[rel] = page.source
        dest = folder / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(sources.front_matter_block(split.meta) + body, encoding="utf-8")
    problems.raise_any()
    return Staged(folder, source_of, dict(found))
