"""Before publishing, compare the official data with the committed snapshot of the site's codes.

data/codeset_snapshot.yml records, for every code the site uses, the official title
and whether it was billable, and the release it was taken from. When the package is
upgraded to a new release, a code the site relies on may have been deleted, turned
into a header (new codes below it) or retitled: prose written around it may now be
wrong. The build stops and lists them; after checking the pages, an editor accepts
the new release with

    python scripts/build_site.py --accept-release

which rewrites the snapshot from the current data.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from . import codeset
from .errors import DataError
from pydantic import BaseModel, ConfigDict, ValidationError

from .loader import explain, read_yaml
from .pipeline import Context

SNAPSHOT = "codeset_snapshot.yml"
DISPLAY = f"data/{SNAPSHOT}"
ACCEPT_COMMAND = "python scripts/build_site.py --accept-release"
HEADER = """\
# Snapshot of the official data for every ICD-10-CM code this site uses (pages,
# code pages, matrix): title and billable flag, and the release they come from.
# Written by `python scripts/build_site.py --accept-release`; do not edit by hand.
# Each build compares it with the installed code set and stops, listing them, if a
# code was deleted, became a header or changed title in a new release.
"""

# Set by the build script's --accept-release: write the snapshot instead of comparing.
_accepting = False


def accept_new_release() -> None:
    global _accepting
    _accepting = True


@dataclass(frozen=True)
class Change:
    code: str
    what: str


def site_codes(ctx: Context) -> list[str]:
    """Every code the site uses: the ones the pages mention and the ones with a code page."""
    return sorted({c for c in ctx.usage if codeset.exists(c)} | set(ctx.code_pages))


def current(codes: list[str]) -> dict[str, dict]:
    return {c: {"title": codeset.title(c), "billable": codeset.is_billable(c)} for c in codes}


def changes(snapshot: dict[str, dict]) -> list[Change]:
    """Codes of the snapshot that the installed data deleted, turned into headers or retitled."""
    found = []
    for code, was in sorted(snapshot.items()):
        now = codeset.lookup(code)
        if not now.exists:
            found.append(Change(code, "deleted: no longer in the tabular"))
            continue
        if was.get("billable") and not now.billable:
            below = ", ".join(codeset.billable_descendants(code)[:6])
            found.append(Change(code, f"became a header (not billable); codes below it now: {below}"))
        if was.get("title") != now.title:
            found.append(Change(code, f"title changed from {was.get('title')!r} to {now.title!r}"))
    return found


def write_snapshot(ctx: Context) -> int:
    codes = site_codes(ctx)
    body = {
        "release": codeset.release_name(),
        "package": f"simple-icd-10-cm {codeset.package_version()}",
        "codes": current(codes),
    }
    text = HEADER + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=200)
    (ctx.data_dir / SNAPSHOT).write_text(text, encoding="utf-8")
    return len(codes)


class SnapshotCode(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    title: str
    billable: bool


class Snapshot(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    release: str
    package: str
    codes: dict[str, SnapshotCode]


def _load(ctx: Context) -> tuple[dict | None, list[DataError]]:
    path = ctx.data_dir / SNAPSHOT
    return _read(path, path.stat().st_mtime_ns if path.exists() else 0)


@lru_cache(maxsize=4)  # read once per build (compare and generate both need it): 0.4 s of YAML
def _read(path: Path, mtime: int) -> tuple[dict | None, list[DataError]]:
    raw, errors = read_yaml(path, DISPLAY)
    if errors:
        return None, errors
    try:
        snapshot = Snapshot.model_validate(raw)
    except ValidationError as exc:
        return None, [DataError(DISPLAY, "", f"{explain(exc)}; it is written by `{ACCEPT_COMMAND}`, "
                                             "do not edit it by hand")]
    return {"release": snapshot.release, "codes": {c: v.model_dump() for c, v in snapshot.codes.items()}}, []


def compare(ctx: Context) -> None:
    """Early generator: stop the build when the installed code set changed a code of the snapshot."""
    if _accepting:
        return
    raw, errors = _load(ctx)
    if raw is None:
        ctx.errors.extend(errors)
        ctx.errors.append(DataError(DISPLAY, "", f"missing or unreadable snapshot: create it with `{ACCEPT_COMMAND}`"))
        return
    found = changes(raw["codes"])
    for change in found:
        ctx.errors.append(DataError(DISPLAY, f"code {change.code}", change.what))
    if found or raw.get("release") != codeset.release_name():
        ctx.errors.append(
            DataError(
                DISPLAY,
                "release",
                f"the snapshot was taken from the {raw.get('release')} release, the installed code set is the "
                f"{codeset.release_name()} release; {len(found)} code(s) on the site changed. Check the pages "
                f"that use them, then accept the new release with `{ACCEPT_COMMAND}`",
            )
        )


def generate(ctx: Context) -> None:
    """Late generator, after the code pages: ctx.usage and ctx.code_pages are complete."""
    if _accepting:
        count = write_snapshot(ctx)
        print(f"Accepted the {codeset.release_name()} release: {DISPLAY} now records {count} codes.")
        return
    raw, _ = _load(ctx)
    missing = [c for c in site_codes(ctx) if raw is not None and c not in raw["codes"]]
    if missing:
        # Not an error: new codes are checked against the current data like any other.
        print(
            f"Note: {len(missing)} code(s) on the site are not in {DISPLAY} yet "
            f"({', '.join(missing[:8])}{', ...' if len(missing) > 8 else ''}); record them with `{ACCEPT_COMMAND}`."
        )
