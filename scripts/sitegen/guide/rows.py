"""Which row of the related-codes table a result links to, for each of its codes."""
from __future__ import annotations

from .. import codeset
from ..loader import load_list
from ..models import RelatedCode
from ..pipeline import Context
from ..reference_tables import RELATED
from .model import Result


def related_rows(ctx: Context) -> set[str] | None:
    """Codes with a row on the related-codes page, as written there (e.g. "S39.012-").

    None when that file has errors: reference_tables reports them, and the guide does
    not repeat them as one "no row" error per result.
    """
    items, errors = load_list(ctx.data_dir / RELATED, f"data/{RELATED}", RelatedCode, key=lambda e: str(e.get("code", "")))
    return None if errors else {item.code for item in items}


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
