"""The pages' own files: listed, read and checked before anything is staged.

docs/ is edited by hand (and overrides/ holds the theme's files), so a page can carry
what must never reach a reader: a link to a file outside the project, bytes that are
not UTF-8, a file name that is not a safe address, front matter that the engine would
silently print as text, raw HTML that runs a script. Each is a DataError naming the
file and the line; front matter values are made safe for the theme, which prints
`title` and `description` into the page without escaping them.
"""
from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import DataError
from .loader import DataLoader, DuplicateKey, explain, inside, nesting_problem, read_text
from .models import Strict

# One segment of a page's address: letters, digits, dot, dash, underscore.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Files an editor leaves behind: never published, never an error.
SCRATCH = re.compile(r"(^\.|~$|\.sw[po]$|^#.*#$)")


@dataclass(frozen=True)
class SourceFile:
    rel: str  # path in the site, e.g. "guide/index.md"
    path: Path
    display: str  # for messages, e.g. "docs/pitfalls.md"


def list_files(folder: Path, root: Path, display_root: str) -> tuple[list[SourceFile], list[DataError]]:
    """Every file below folder, in order, with links checked and odd names refused.

    A link that stays in the project is followed (once); one that leads outside it,
    however deep, is refused, so /etc/passwd can never be published.
    """
    files: list[SourceFile] = []
    errors: list[DataError] = []
    visited: set[Path] = set()

    def visit(directory: Path, rel_parts: tuple[str, ...]) -> None:
        real = directory.resolve()
        if real in visited:
            return
        visited.add(real)
        for entry in sorted(directory.iterdir(), key=lambda p: p.name):
            rel = "/".join((*rel_parts, entry.name))
            display = f"{display_root}/{rel}"
            if SCRATCH.search(entry.name):
                continue
            if entry.is_symlink() and not inside(entry, root):
                errors.append(DataError(display, "", f"is a link to {os.path.realpath(entry)}, outside the project: "
                                                     "copy the file into the project instead"))
                continue
            if not SAFE_NAME.match(entry.name):
                errors.append(DataError(display, "", "the name becomes part of a web address: use only letters, "
                                                     "digits, '.', '-' and '_' (no spaces or accents)"))
                continue
            if entry.is_dir():
                visit(entry, (*rel_parts, entry.name))
            elif entry.is_file():
                files.append(SourceFile(rel, entry, display))
            else:
                errors.append(DataError(display, "", "is neither a file nor a folder (a broken link?)"))

    if not folder.is_dir():
        return [], [DataError(display_root, "", "folder is missing")]
    visit(folder, ())
    return files, errors


# --- Front matter -------------------------------------------------------------------

class SearchMeta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    boost: float | None = Field(default=None, ge=0, le=100)
    exclude: bool | None = None


class FrontMatter(Strict):
    """The front matter keys a page may set; anything else is a typo or a trap."""

    title: str | None = Field(default=None, min_length=1)
    description: str | None = Field(default=None, min_length=1)
    search: SearchMeta | None = None
    print_layout: Literal["form", "answer", "worksheet", "key"] | None = None
    hide: list[Literal["navigation", "toc", "footer", "path", "tags"]] | None = None


@dataclass(frozen=True)
class Page:
    meta: FrontMatter
    body: str
    body_line: int  # line of the file where the body starts (for messages)


def split_page(text: str, display: str) -> tuple[Page | None, list[DataError]]:
    """Front matter (if any) and body. Front matter that the engine would not read is an
    error here, because the engine would print it on the page as text."""
    if not text.startswith("---"):
        return Page(FrontMatter(), text, 1), []
    first = text.split("\n", 1)[0]
    if first.rstrip() != "---":
        return None, [DataError(display, "line 1", "front matter must start with a line holding only '---'")]
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return None, [DataError(display, "line 1", "front matter is not closed: add a line holding only '---' after it")]
    block = "\n".join(lines[1:end])
    deep = nesting_problem(block)
    if deep:
        return None, [DataError(display, "front matter", deep.split(": ", 1)[1])]
    try:
        # A leading newline makes YAML's line numbers the file's (the block starts on line 2).
        raw = yaml.load("\n" + block, Loader=DataLoader) if block.strip() else {}  # noqa: S506 (safe loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}" if mark else "front matter"
        kind = "front matter: " if isinstance(exc, DuplicateKey) else "front matter is not valid YAML: "
        return None, [DataError(display, line, kind + str(exc.problem or exc.context))]
    except (yaml.YAMLError, RecursionError) as exc:
        return None, [DataError(display, "front matter", f"front matter is not valid YAML: {exc}")]
    if not isinstance(raw, dict):
        return None, [DataError(display, "front matter", "front matter must be a mapping such as 'title: ...'")]
    try:
        meta = FrontMatter.model_validate(raw)
    except ValidationError as exc:
        return None, [DataError(display, "front matter", explain(exc))]
    return Page(meta, "\n".join(lines[end + 1:]), end + 2), []


def front_matter_block(meta: FrontMatter) -> str:
    """Front matter for the engine. Material prints title and description raw (in <title>,
    the header, a meta attribute, the search index): they go in HTML-escaped."""
    values: dict = {}
    if meta.title is not None:
        values["title"] = html.escape(meta.title, quote=True)
    if meta.description is not None:
        values["description"] = html.escape(meta.description, quote=True)
    if meta.search is not None:
        values["search"] = meta.search.model_dump(exclude_none=True)
    if meta.print_layout is not None:
        values["print_layout"] = meta.print_layout
    if meta.hide:
        values["hide"] = list(meta.hide)
    if not values:
        return ""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return "---\n" + yaml.dump(values, Dumper=dumper, sort_keys=False, allow_unicode=True, width=10_000) + "---\n"


# --- Raw HTML that would run or fetch -----------------------------------------------

_FENCE = re.compile(r"(?ms)^[ \t]*(```|~~~)[^\n]*\n.*?^[ \t]*\1[ \t]*$")
_CODE_SPAN = re.compile(r"`[^`\n]+`")
MERMAID = re.compile(r"(?im)^[ \t]*(?:```|~~~)[ \t]*\{?[ \t]*\.?mermaid\b")
UNSAFE_MARKUP: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(?i)<script\b"), "a <script> element"),
    (re.compile(r"(?i)<style\b"), "a <style> element"),
    (re.compile(r"(?i)<[a-z][^>]*?[\s/\"']on[a-z]+\s*="), "an event-handler attribute (on...=)"),
    (re.compile(r"""(?i)(?:\]\(\s*<?|\]:\s*<?|<|\b(?:href|src|action|formaction|data|poster|background)\s*=\s*["']?)\s*(?:java|vb)script\s*:"""),
     "a javascript: address"),
    (re.compile(r"(?i)<meta\b[^>]*http-equiv"), "a <meta http-equiv> element"),
    (re.compile(r"(?i)<base\b"), "a <base> element"),
    (re.compile(r"(?i)\sclass\s*=\s*[\"'][^\"']*\bmermaid\b"), "a mermaid diagram (the theme fetches its script from unpkg.com)"),
]


def _blank(m: re.Match) -> str:
    """Keep line numbers: replace a match by as many newlines as it had."""
    return "\n" * m.group(0).count("\n")


def unsafe_markup(body: str, display: str, first_line: int = 1) -> list[DataError]:
    """Raw HTML in a page that would run a script or fetch from outside once built.

    Code blocks and code spans are skipped: showing markup as code is fine.
    """
    errors = [
        DataError(display, f"line {first_line + body.count(chr(10), 0, m.start())}",
                  "a mermaid diagram: the theme would fetch its script from unpkg.com, outside the intranet")
        for m in MERMAID.finditer(body)
    ]
    text = _CODE_SPAN.sub(" ", _FENCE.sub(_blank, body))
    for pattern, what in UNSAFE_MARKUP:
        for m in pattern.finditer(text):
            line = first_line + text.count("\n", 0, m.start())
            errors.append(DataError(display, f"line {line}", f"{what}: pages may not carry scripts, styles or "
                                                             "handlers (the Content-Security-Policy would block them); "
                                                             "ask a developer for a template change instead"))
    return errors


def read_page(source: SourceFile, root: Path) -> tuple[str | None, list[DataError]]:
    return read_text(source.path, source.display, within=root)


@dataclass(frozen=True)
class Docs:
    """The hand-written pages (site path -> text), their display names, and the other files."""

    pages: dict[str, str]
    display: dict[str, str]
    static: tuple[SourceFile, ...]


def read_docs(docs: Path, theme: Path, root: Path) -> tuple[Docs, list[DataError]]:
    """Every file of docs/ read once; links out of the project, odd names and unreadable
    files are errors. The theme's own files (overrides/) are published too: same link rules."""
    found, errors = list_files(docs, root, docs.relative_to(root).as_posix() if inside(docs, root) else str(docs))
    if theme.is_dir():
        errors += list_files(theme, root, "overrides")[1]
    pages: dict[str, str] = {}
    display: dict[str, str] = {}
    static = []
    for src in found:
        if not src.rel.endswith(".md"):
            static.append(src)
            continue
        text, problems = read_page(src, root)
        errors += problems
        if text is not None:
            pages[src.rel], display[src.rel] = text, src.display
    return Docs(pages, display, tuple(static)), errors
