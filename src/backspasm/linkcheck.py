"""`make check` without rendering: links, anchors and the nav.

The strict build finds a broken link or anchor only after rendering every page; this
reads the staged Markdown instead, so `make check` answers in a second and refuses what
the full build would refuse: a link to a page that does not exist, an anchor no heading
or element defines, a nav entry without its page.
"""
from __future__ import annotations

import bisect
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from markdown.extensions.toc import slugify, unique

from .errors import DataError

FENCE = re.compile(r"(?ms)^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$")
CODE_SPAN = re.compile(r"`[^`\n]+`")
MD_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_LINK = re.compile(r"""\b(?:href|src)\s*=\s*"([^"]*)\"""")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
ATTR_ID = re.compile(r"\{[^}\n]*#([A-Za-z0-9_:.-]+)[^}\n]*\}")
HTML_ID = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")
TAG = re.compile(r"<[^>]+>")
NEWLINE = re.compile(r"\n")
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)


def _code_free(text: str) -> str:
    text = FRONT_MATTER.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return CODE_SPAN.sub(" ", FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text))


def anchors(markdown: str) -> set[str]:
    """Ids a page defines: headings (as the toc extension makes them), {#id} and id="..."."""
    text = _code_free(markdown)
    ids = set(ATTR_ID.findall(text)) | set(HTML_ID.findall(text))
    made: set[str] = set(ids)
    for m in HEADING.finditer(text):
        heading = m.group(2)
        if ATTR_ID.search(heading):
            continue
        plain = TAG.sub("", re.sub(r"\{[^}]*\}\s*$", "", heading)).strip()
        made.add(unique(slugify(plain, "-"), made))
    return made


def _links(markdown: str) -> list[tuple[int, str]]:
    text = _code_free(markdown)
    line_starts = [m.end() for m in NEWLINE.finditer(text)]
    found = []
    for pattern in (MD_LINK, HTML_LINK):
        for m in pattern.finditer(text):
            found.append((bisect.bisect_right(line_starts, m.start()) + 1, m.group(1)))
    return sorted(found)


def check_links(stage: Path, source_of: dict[str, str]) -> list[DataError]:
    pages = {p.relative_to(stage).as_posix(): p.read_text(encoding="utf-8") for p in stage.rglob("*.md")}
    ids = {rel: anchors(text) for rel, text in pages.items()}
    errors = []
    for rel, text in sorted(pages.items()):
        where = source_of.get(rel, rel)
        for line, link in _links(text):
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue  # outside addresses are hyperlinks; the build checks assets
            target = rel if not parts.path else posixpath.normpath(
                posixpath.join(posixpath.dirname(rel), unquote(parts.path)))
            if target.endswith(".html") and target[:-5] + ".md" in pages:
                target = target[:-5] + ".md"
            if target.startswith("../") or (target not in pages and not (stage / target).is_file()):
                errors.append(DataError(where, f"line {line}", f"link to {link}: no such page or file in the site"))
                continue
            if parts.fragment and target in ids and parts.fragment not in ids[target]:
                errors.append(DataError(where, f"line {line}", f"link to {link}: {target} has no anchor "
                                                               f"'#{parts.fragment}'"))
    return errors


def _nav_files(nav) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [f for item in nav for f in _nav_files(item)]
    if isinstance(nav, dict):
        return [f for value in nav.values() for f in _nav_files(value)]
    return []


def check_nav(root: Path, stage: Path) -> list[DataError]:
    try:
        config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        return [DataError("mkdocs.yml", "", f"cannot be read: {exc}")]
    return [DataError("mkdocs.yml", "nav", f"{f}: no such page") for f in _nav_files(config.get("nav"))
            if "://" not in f and not (stage / f).is_file()]


def check(staged, project) -> list[DataError]:
    """What `check` adds to staging: links, anchors and the nav (deploy settings are
    checked when they are loaded)."""
    return check_links(staged.folder, staged.source_of) + check_nav(project.root, staged.folder)
