"""Find every ICD-10-CM code written on a staged page: check it, and link it to its code page.

Runs over the Markdown after generation, so prose and generated tables are checked by
the same rules. Links are plain HTML <a> elements, valid both in Markdown text and
inside generated HTML blocks.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from . import codeset
from .errors import DataError
from .site_paths import code_page, href

RANGE = r"(?P<first>[A-Z][0-9]{2})-(?P<last>[A-Z][0-9]{2})"
CODE = rf"(?P<code>{codeset.CODE_PATTERN})"
TOKEN = re.compile(
    rf"(?<![A-Za-z0-9.\-/#_])(?:{RANGE}|{CODE})(?![A-Za-z0-9]|\.[A-Za-z0-9])"
)
# "M51.36x" style placeholders: readers cannot tell which code is meant.
PLACEHOLDER = re.compile(r"(?<![A-Za-z0-9.\-/#_])[A-Z][0-9]{2}\.[0-9A-Z]*[a-z]\b")
# A code written without its dot (M62830): it would be published unchecked and unlinked.
DOTLESS = re.compile(r"(?<![A-Za-z0-9.\-/#_])(?P<cat>[A-Z][0-9][0-9A-Z])(?P<rest>[0-9A-Z]{1,4})(?![A-Za-z0-9])")

# Places where a code is checked but never turned into a link.
PROTECTED = re.compile(
    r"(?ms)"
    r"^(?:```|~~~).*?^(?:```|~~~)"  # fenced code
    r"|`[^`\n]+`"  # inline code
    r"|^#{1,6} .*?$"  # headings
    r"|<a\b.*?</a>"  # existing HTML links
    r"|<h[1-6]\b.*?</h[1-6]>"  # HTML headings
    r"|<script\b.*?</script>|<style\b.*?</style>"
    r"|!?\[[^\]\n]*\]\([^)\n]*\)"  # Markdown links and images
    r"|<[^>\n]+>"  # any other tag, with its attributes
    r"|<!--.*?-->"
)
CODE_LIKE = re.compile(r"[A-Z][0-9]")  # a cheap test before looking for codes in a chunk
# A page split into text and protected regions in one pass in C: [text, region, text, ...].
# No code can reach into a region (none starts with a code's characters), so looking for
# codes in each stretch of text alone finds what a scan of the whole page would.
SPLIT_PROTECTED = re.compile("(?ms)(" + PROTECTED.pattern[len("(?ms)"):] + ")")
URL_PARTS = re.compile(r"""(?:href|src)\s*=\s*"[^"]*"|\]\([^)\n]*\)|https?://\S+""")
# Quoted official text (code pages, matrix): CMS writes some headers without the dash
# (S39.012), so codes in it are linked but not held to the site's notation rules.
OFFICIAL_TEXT = re.compile(r'<span class="official-text">[^<]*</span>')


def _problems(text: str, file: str, first_line: int = 1) -> list[DataError]:
    errors = []
    scan = OFFICIAL_TEXT.sub(" ", URL_PARTS.sub(" ", text))
    def line(m: re.Match) -> int:  # counted only for the (rare) problem
        return scan.count("\n", 0, m.start()) + first_line

    for m in TOKEN.finditer(scan):
        if m.group("first"):
            if not codeset.block_exists(m.group("first"), m.group("last")):
                errors.append(
                    DataError(file, f"line {line(m)}", f"{m.group(0)} is not a chapter or block range")
                )
            continue
        problem = codeset.notation_problem(m.group("code"))
        if problem:
            errors.append(DataError(file, f"line {line(m)}", problem))
    for m in PLACEHOLDER.finditer(scan):
        errors.append(
            DataError(
                file,
                f"line {line(m)}",
                f"{m.group(0)}: write a real code, or the header with a trailing dash",
            )
        )
    for m in DOTLESS.finditer(scan):
        dotted = f"{m.group('cat')}.{m.group('rest')}"
        if codeset.exists(dotted):
            errors.append(DataError(file, f"line {line(m)}", f"{m.group(0)}: write the code with its dot, {dotted}"))
    return errors


def process(
    text: str,
    *,
    file: str,
    page_path: str,
    code_pages: set[str],
    used: Callable[[str], None],
    first_line: int = 1,
) -> tuple[str, list[DataError]]:
    """Check every code in `text` (a page body, without front matter); link the ones
    outside protected regions to their code page.

    page_path: the page's path in the site (e.g. "pitfalls.md"), for relative links.
    code_pages: the codes that have a page.
    used: called with every code found, so code pages can list where they are used.
    """
    errors = _problems(text, file, first_line)

    def replace(m: re.Match) -> str:
        written = m.group("code")
        if not written or not codeset.exists(written):
            return m.group(0)
        code = codeset.strip_dash(written)[0]
        used(code)
        if code not in code_pages:
            return written
        return f'<a class="icd-code" href="{href(page_path, code_page(code))}">{written}</a>'

    parts = SPLIT_PROTECTED.split(text)
    for i, part in enumerate(parts):
        if not CODE_LIKE.search(part):
            continue
        if i % 2:  # headings, links, tags: checked, not linked
            for code in codes_in(part):
                used(code)
        else:
            parts[i] = TOKEN.sub(replace, part)
    return "".join(parts), errors


def codes_in(text: str) -> set[str]:
    """Every existing code written in a text, without the dash."""
    found = set()
    for m in TOKEN.finditer(URL_PARTS.sub(" ", text)):
        if m.group("code") and codeset.exists(m.group("code")):
            found.add(codeset.strip_dash(m.group("code"))[0])
    return found
