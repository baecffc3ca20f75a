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
SEVENTH_ANCHOR = "seventh-character"  # the 7th character table on a code page
# Page names the guide folder uses itself: a first answer id may not take them.
GUIDE_RESERVED = {"index", "all-paths"}
PRACTICE = "practice"
PRACTICE_INDEX = f"{PRACTICE}/index.md"
PRACTICE_WORKSHEET = f"{PRACTICE}/worksheet.md"
PRACTICE_KEY = f"{PRACTICE}/answer-key.md"
# Page names the practice folder uses itself: a case's page name may not take them.
PRACTICE_RESERVED = {"index", "worksheet", "answer-key"}


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


def practice_name(title: str) -> str:
    """A practice case's page name, from its title: "Back seized at work" -> back-seized-at-work.

    From the title, not the case id: ids name the answer ("lumbar-sprain-not-strain"),
    and a trainee reads the address bar.
    """
    return "-".join("".join(c if c.isascii() and c.isalnum() else " " for c in title.lower()).split())


def practice_page(name: str) -> str:
    """back-seized-at-work -> practice/back-seized-at-work.md"""
    return f"{PRACTICE}/{name}.md"


def practice_feedback_page(name: str, letter: str) -> str:
    """The feedback on one answer: (back-seized-at-work, B) -> practice/back-seized-at-work/b.md."""
    return f"{PRACTICE}/{name}/{letter.lower()}.md"


def practice_anchor(number: int) -> str:
    """A case's id on the worksheet and the answer key: 12 -> case-12."""
    return f"case-{number}"


def practice_topic_anchor(topic: str) -> str:
    """A topic's id on the practice index, worksheet and key: the topic's own slug."""
    return topic
