"""Checks of a code written in a data file against the official tabular."""
from __future__ import annotations

from . import codeset
from .errors import DataError


def check_code(
    written: str,
    *,
    file: str,
    entry: str,
    report: bool = False,
    seventh_character: bool | None = None,
    title: str | None = None,
) -> list[DataError]:
    """Every way a code in a data file can be wrong, as messages naming file and entry.

    seventh_character: None when the entry does not say (no 7th-character check).
    """
    problem = codeset.notation_problem(written)
    if problem:
        return [DataError(file, entry, problem)]
    found = codeset.lookup(written)
    errors: list[DataError] = []
    if title is not None and title != found.title:
        errors.append(
            DataError(
                file,
                entry,
                f"title differs from the official one: {title!r} "
                f"(official title of {found.code}: {found.title!r}); "
                "remove the title field, titles come from the official data",
            )
        )
    table = codeset.seventh_character(found.code)
    if seventh_character and not table:
        errors.append(
            DataError(file, entry, f"{found.code} takes no 7th character in the tabular")
        )
    if table and seventh_character is False:
        errors.append(
            DataError(
                file,
                entry,
                f"{found.code} requires a 7th character ({', '.join(sorted(table))}): "
                "set seventh_character: true",
            )
        )
    if report and not found.billable:
        completed = codeset.with_seventh(found.code, "A")
        if not (seventh_character and table and codeset.is_billable(completed)):
            errors.append(
                DataError(
                    file,
                    entry,
                    f"{found.code} is a header, not billable, but is marked report: true; "
                    "name a billable code below it, or set report: false",
                )
            )
    return errors
