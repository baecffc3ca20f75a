"""Every page path, link and anchor of the site, in one place.

Pages are addressed by their source path ("guide/index.md"); links between them are
relative .html links (use_directory_urls is off), so the site works under any URL
prefix and from a file share. Templates get href and anchor as filters.
"""
from __future__ import annotations

import posixpath
from functools import lru_cache

HOME = "index.md"
RELATED = "related-codes.md"
MATRIX = "matrix.md"
RELEASE_CHANGES = "release-changes.md"
QUERY_EXAMPLES = "documentation-template.md"  # the query examples a guide result may link to
GUIDE = "guide"
GUIDE_START = f"{GUIDE}/index.md"
GUIDE_ALL_PATHS = f"{GUIDE}/all-paths.md"
CODES = "codes"
CODES_INDEX = f"{CODES}/index.md"
# Page names the guide folder uses itself: a first answer id may not take them.
GUIDE_RESERVED = {"index", "all-paths"}


def html(page: str) -> str:
    """guide/index.md -> guide/index.html"""
    return page[:-3] + ".html" if page.endswith(".md") else page


@lru_cache(maxsize=None)  # pure, and asked thousands of times a build
def href(from_page: str, to_page: str, fragment: str = "") -> str:
    """Relative link from one page to another (or to an anchor on it)."""
    link = posixpath.relpath(html(to_page), posixpath.dirname(from_page) or ".")
    return f"{link}#{fragment}" if fragment else link


def guide_page(answer_ids: tuple[str, ...]) -> str:
    """() -> guide/index.md; ("no-red-flag", "injury") -> guide/no-red-flag/injury.md."""
    return f"{GUIDE}/{'/'.join(answer_ids)}.md" if answer_ids else GUIDE_START


def code_page(code: str) -> str:
    return f"{CODES}/{code}.md"


def code_anchor(code: str) -> str:
    """A code's id on a page (related-codes row, matrix section): M62.830 -> m62830, M79.1- -> m791."""
    return code.rstrip("-").rstrip(".").replace(".", "").lower()


def level_anchor(item: str, level: str = "code") -> str:
    """Id part of a level of the tabular: chapter 13 -> ch13, block M60-M63 -> block-m60-m63, M62 -> m62."""
    if level == "chapter":
        return f"ch{item}"
    if level == "block":
        return f"block-{item.lower()}"
    return code_anchor(item)


def note_anchor(level_key: str, kind: str, number: int) -> str:
    """One note line on a code page: n-m62-excludes1-1."""
    return f"n-{level_key}-{kind.replace('_', '-')}-{number}"
