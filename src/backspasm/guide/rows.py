"""Which row of the related-codes table a result links to, for each of its codes."""
from __future__ import annotations

from .. import codeset
from .model import Result


def nearest_row(code: str, rows: set[str]) -> str | None:
    """The row for a code, or for its nearest ancestor: S39.012A -> S39.012-, M51.26 -> M51.2-."""
    by_bare = {codeset.strip_dash(row)[0]: row for row in rows}
    for candidate in [codeset.strip_dash(code)[0], *codeset.ancestors(code)]:
        if candidate in by_bare:
            return by_bare[candidate]
    return None


def rows_for(result: Result, rows: set[str]) -> list[str]:
    """Rows to link from a result page, in the order of its codes, without repeats."""
    found = [nearest_row(item.code, rows) for item in result.codes] + list(result.related_rows)
    return list(dict.fromkeys(row for row in found if row))
