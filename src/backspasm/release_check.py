"""Before publishing, compare the official data with the committed snapshot of the site's codes.

data/codeset_snapshot.yml records, for every code the site uses, the official title
and whether it was billable, and the release it was taken from. When the package is
upgraded to a new release, a code the site relies on may have been deleted, turned
into a header (new codes below it) or retitled: prose written around it may now be
wrong. The build stops and lists them; after checking the pages, an editor accepts
the new release with

    backspasm accept-release

which rewrites the snapshot from the current data.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from . import codeset, release_files
from .errors import DataError
from .loader import explain, read_yaml
from .render import render

SNAPSHOT = "codeset_snapshot.yml"
DISPLAY = f"data/{SNAPSHOT}"
ACCEPT_COMMAND = "make accept-release"
HEADER = """\
# Snapshot of the official data for every ICD-10-CM code this site uses (pages,
# code pages, matrix): title and billable flag, and the release they come from.
# Written by `make accept-release` (backspasm accept-release); do not edit by hand.
# Each build compares it with the installed code set and stops, listing them, if a
# code was deleted, became a header or changed title in a new release.
"""


class SnapshotCode(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    title: str
    billable: bool


class Snapshot(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    release: str
    package: str
    codes: dict[str, SnapshotCode]


@dataclass(frozen=True)
class Change:
    code: str
    what: str


def load_snapshot(path: Path) -> tuple[Snapshot | None, list[DataError]]:
    raw, errors = read_yaml(path, DISPLAY)
    if errors:
        return None, errors
    try:
        return Snapshot.model_validate(raw), []
    except ValidationError as exc:
        return None, [DataError(DISPLAY, "", f"{explain(exc)}; it is written by `{ACCEPT_COMMAND}`, "
                                             "do not edit it by hand")]


def changes(snapshot: Snapshot) -> list[Change]:
    """Codes of the snapshot that the installed data deleted, turned into headers or retitled."""
    found = []
    for code, was in sorted(snapshot.codes.items()):
        now = codeset.lookup(code)
        if not now.exists:
            found.append(Change(code, "deleted: no longer in the tabular"))
            continue
        if was.billable and not now.billable:
            below = ", ".join(codeset.billable_descendants(code)[:6])
            found.append(Change(code, f"became a header (not billable); codes below it now: {below}"))
        if was.title != now.title:
            found.append(Change(code, f"title changed from {was.title!r} to {now.title!r}"))
    return found


def compare(snapshot: Snapshot) -> list[DataError]:
    """Every code of the snapshot the installed code set changed, and the release line."""
    found = changes(snapshot)
    errors = [DataError(DISPLAY, f"code {change.code}", change.what) for change in found]
    if found or snapshot.release != codeset.release_name():
        errors.append(DataError(
            DISPLAY, "release",
            f"the snapshot was taken from the {snapshot.release} release, the installed code set is the "
            f"{codeset.release_name()} release; {len(found)} code(s) on the site changed. Check the pages "
            f"that use them, then accept the new release with `{ACCEPT_COMMAND}`",
        ))
    return errors


def not_recorded(snapshot: Snapshot, codes: list[str]) -> list[str]:
    """Codes the site uses that the snapshot does not hold yet (a note, not an error)."""
    return [c for c in codes if c not in snapshot.codes]


def write_snapshot(path: Path, codes: list[str]) -> None:
    body = {
        "release": codeset.release_name(),
        "package": f"simple-icd-10-cm {codeset.package_version()}",
        "codes": {c: {"title": codeset.title(c), "billable": codeset.is_billable(c)} for c in sorted(codes)},
    }
    path.write_text(HEADER + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=200), encoding="utf-8")


def changes_page(site_codes: list[str]) -> str:
    """The "What changed in this release" page: for the codes the site uses, what the
    release in use added, deleted, retitled or changed in its notes, against the release
    simple-icd-10-cm ships (the last one the site was written for)."""
    dropped = codeset.dropped_in()
    changed = release_files.compare_releases(codeset.packaged_tabular(), dropped.tabular, site_codes) if dropped else []
    return render("release_changes.md.j2", dropped=dropped, changes=changed, release=codeset.release_name(),
                  packaged=codeset.packaged_release_name(), package=f"simple-icd-10-cm {codeset.package_version()}",
                  count=len(site_codes))
