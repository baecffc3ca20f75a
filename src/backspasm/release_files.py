"""A drop-in CMS release: check the tabular XML and codes file an intranet admin downloaded.

CMS (with CDC) publishes each ICD-10-CM release as, among others, the tabular list in
XML (icd10cm_tabular_2027.xml, or icd10cm-tabular-2027.xml) and the billable codes with
their titles (icd10cm_codes_2027.txt). simple-icd-10-cm reads exactly these two files
with `change_version(all_codes_file_path, classification_data_file_path)`: it parses the
XML (dropping its first two elements, <version> and <introduction>, without looking) and
uses the codes file only to confirm which 7th-character codes exist (it takes each
line's text before the first space). This module checks the files first, so a bad file
gets an error an admin can act on instead of a traceback or a silently wrong code set:

    missing file            the path does not exist or is a folder
    not the CMS tabular XML not UTF-8, not well-formed XML, another root element (the
                            index or the drug table), elements the package would misread
    not the CMS codes file  a line that is not "CODE<spaces>Title" (tabs, dots, no title)
    codes file from another year
                            the year in the codes file's name is not the tabular's <version>
    codes file does not match the tabular
                            billable codes of one are missing from the other

It does not import simple_icd_10_cm: codeset.py stays the only module that does.

How codeset.py should call it (the build passes the paths of `make build TABULAR=... CODES=...`):

    from . import release_files

    _release: release_files.Release | None = None

    def use_release(tabular: str | Path, codes: str | Path) -> None:
        \"\"\"Build against CMS's files instead of the tabular packaged in simple-icd-10-cm.\"\"\"
        global _release
        release = release_files.read_release(tabular, codes)  # raises BuildFailed (named DataErrors)
        _cm.change_version(**release.change_version_args())   # about 2 s: the package parses the XML
        lookup.cache_clear()
        _release = release

    def release_name() -> str:
        if _release is not None:
            return _release.name            # "FY2027 (icd10cm_tabular_2027.xml)"
        ...                                 # unchanged: the packaged file's date

Call use_release once, at the start of the build, before any module asks codeset
anything: other modules cache answers (tabular_notes has an lru_cache). A process that
switches later must clear those caches too. The release check (release_check.py) then
compares the snapshot with the new release as it does after a package upgrade; for the
"What changed in this release" page, `compare_releases(old_tabular, release.tabular,
site_codes)` lists what changed for the site's codes, including notes, straight from
the two XML files (codeset's packaged tabular is codeset._DATA_DIR's icd10c-tabular-*.xml).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildFailed, DataError

TABULAR_ROOT = "ICD10CM.tabular"
# A code as the codes file writes it: no dot, 3 to 7 characters (QA0 shows the second need not be a digit).
_CODE = re.compile(r"[A-Z][0-9A-Z]{2}[0-9A-Z]{0,4}")
_CODES_LINE = re.compile(r"([A-Z][0-9A-Z]{2}[0-9A-Z]{0,4}) +(\S.*)")
_DOTTED = re.compile(r"[A-Z][0-9A-Z]{2}(?:\.[0-9A-Z]{1,4})?")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_MONTH_DAY_YEAR = re.compile(
    r"(January|February|March|April|May|June|July|August|September|October|November|December)-(\d{1,2})-(20\d\d)", re.I
)
# Note kinds of the tabular, in the order CMS prints them, with the site's words.
NOTE_KINDS: dict[str, str] = {
    "includes": "Includes",
    "inclusionTerm": "Inclusion terms",
    "excludes1": "Excludes1",
    "excludes2": "Excludes2",
    "codeFirst": "Code first",
    "useAdditionalCode": "Use additional code",
    "codeAlso": "Code also",
    "notes": "Notes",
    "sevenChrDef": "7th characters",
    "sevenChrNote": "7th character note",
}
_MAX_LISTED = 8


# --- the tabular, read without simple_icd_10_cm ---------------------------------------


@dataclass(frozen=True)
class Entry:
    """One <diag> of the tabular."""

    code: str  # dotted, as the tabular writes it: "M62.830"
    title: str
    parent: str | None  # the enclosing diag, None for a category
    children: tuple[str, ...]
    notes: tuple[tuple[str, tuple[str, ...]], ...]  # (kind, texts) for the kinds present, tabular order
    seventh: tuple[tuple[str, str], ...]  # this level's own 7th-character table


@dataclass(frozen=True)
class Tabular:
    path: Path
    version: str  # the <version> text: "2026"
    entries: dict[str, Entry] = field(repr=False)

    def seventh_table(self, code: str) -> dict[str, str]:
        """The 7th-character table that applies to a code: its own or its nearest ancestor's."""
        at: str | None = code
        while at is not None:
            entry = self.entries[at]
            if entry.seventh:
                return dict(entry.seventh)
            at = entry.parent
        return {}

    def resolve(self, code: str) -> tuple[str, str] | None:
        """(code, title) for a diag or a 7th-character code (S39.012A, S16.1XXA); None if absent."""
        code = dotted(code)
        if code in self.entries:
            return code, self.entries[code].title
        bare = code.replace(".", "")
        if len(bare) != 7:
            return None
        base = dotted(bare[:6].rstrip("X"))
        entry = self.entries.get(base)
        if entry is None or entry.children:
            return None
        table = self.seventh_table(base)
        if bare[6] not in table:
            return None
        return code, f"{entry.title}, {table[bare[6]]}"

    def billable(self) -> tuple[set[str], dict[str, set[str]]]:
        """Leaves without a 7th character (bare codes), and leaves that take one, with their characters."""
        plain, extended = set(), {}
        for code, entry in self.entries.items():
            if entry.children:
                continue
            table = self.seventh_table(code)
            if table:
                extended[code.replace(".", "")] = set(table)
            else:
                plain.add(code.replace(".", ""))
        return plain, extended


def dotted(code: str) -> str:
    bare = code.strip().replace(".", "")
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


def _texts(element: ET.Element) -> tuple[str, ...]:
    return tuple(" ".join(n.text.split()) for n in element if n.text and n.text.strip())


def _read_entries(root: ET.Element) -> tuple[dict[str, Entry], list[str]]:
    """Every <diag>, and the problems simple_icd_10_cm would trip on."""
    entries: dict[str, Entry] = {}
    problems: list[str] = []

    def visit(diag: ET.Element, parent: str | None) -> None:
        name_el = diag.find("name")
        name = (name_el.text or "").strip() if name_el is not None else ""
        if not name:
            problems.append(f"a <diag> below {parent or 'a section'} has no <name> text")
            return
        if not _DOTTED.fullmatch(name):
            problems.append(f"<diag> name {name!r} is not an ICD-10-CM code")
        desc = diag.find("desc")
        notes, seventh = [], []
        for child in diag:
            if child.tag in NOTE_KINDS and child.tag not in ("sevenChrDef", "sevenChrNote"):
                notes.append((child.tag, _texts(child)))
            elif child.tag == "sevenChrDef":
                for ext in child.iter("extension"):
                    if "char" not in ext.attrib:
                        problems.append(f"{name}: an <extension> of <sevenChrDef> has no char attribute")
                    else:
                        seventh.append((ext.attrib["char"], " ".join((ext.text or "").split())))
                notes.append((child.tag, tuple(f"{c} {t}" for c, t in seventh)))
            elif child.tag == "sevenChrNote":
                notes.append((child.tag, _texts(child)))
        children = [c for c in diag if c.tag == "diag"]
        entries[name] = Entry(
            code=name,
            title=" ".join((desc.text or "").split()) if desc is not None else "",
            parent=parent,
            children=tuple((c.findtext("name") or "").strip() for c in children),
            notes=tuple(notes),
            seventh=tuple(seventh),
        )
        for child in children:
            visit(child, name)

    # Categories sit in the sections of each chapter; visit() walks down from them.
    for section in root.iter("section"):
        for diag in section.findall("diag"):
            visit(diag, None)
    return entries, problems


def _parse_tabular(path: Path, display: str) -> tuple[Tabular | None, list[DataError]]:
    text, errors = _read_text(path, display, "not the CMS tabular XML")
    if text is None:
        return None, errors
    try:
        # As simple_icd_10_cm reads it: a str, parsed whole.
        root = ET.fromstring(text)
    except ET.ParseError as e:
        line, column = e.position
        return None, [DataError(display, f"line {line}", f"not the CMS tabular XML: not well-formed XML (column {column})")]
    if root.tag != TABULAR_ROOT:
        return None, [
            DataError(
                display,
                f"<{root.tag}>",
                f"not the CMS tabular XML: its root element is <{root.tag}>, CMS's tabular list has <{TABULAR_ROOT}> "
                f"(the Alphabetic Index, the Drug Table and the Neoplasm Table are other files)",
            )
        ]
    first = [c.tag for c in root[:2]]
    version = (root[0].text or "").strip() if len(root) else ""
    if first != ["version", "introduction"] or not re.fullmatch(r"20\d\d", version):
        return None, [
            DataError(
                display,
                "<version>",
                "not the CMS tabular XML: it must begin with <version> (a year such as 2027) and <introduction>, "
                f"as CMS's file does; this one begins with {', '.join(f'<{t}>' for t in first) or 'nothing'}",
            )
        ]
    others = sorted({c.tag for c in root[2:] if c.tag != "chapter"})
    if others or len(root) < 3:
        found = f"it holds <{others[0]}>" if others else "it has no <chapter>"
        return None, [DataError(display, "<chapter>", f"not the CMS tabular XML: after <introduction> come chapters only; {found}")]
    entries, problems = _read_entries(root)
    errors = [DataError(display, "", f"not the CMS tabular XML: {p}") for p in problems[:_MAX_LISTED]]
    if len(problems) > _MAX_LISTED:
        errors.append(DataError(display, "", f"not the CMS tabular XML: {len(problems) - _MAX_LISTED} more problems like these"))
    if not entries:
        errors.append(DataError(display, "<diag>", "not the CMS tabular XML: it has no codes"))
    return (None if errors else Tabular(path, version, entries)), errors


def read_tabular(path: str | Path) -> Tabular:
    """The tabular XML, checked; raises BuildFailed with named errors."""
    path = Path(path)
    found = _missing(path, str(path))
    if found:
        raise BuildFailed(found)
    tabular, errors = _parse_tabular(path, str(path))
    if tabular is None:
        raise BuildFailed(errors)
    return tabular


# --- files ------------------------------------------------------------------------------


def _missing(path: Path, display: str) -> list[DataError]:
    if not path.exists():
        return [DataError(display, "", "missing file: nothing at this path (check the TABULAR= and CODES= paths)")]
    if not path.is_file():
        return [DataError(display, "", "missing file: this is a folder; give the path of the file itself")]
    return []


def _read_text(path: Path, display: str, what: str) -> tuple[str | None, list[DataError]]:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as e:
        return None, [DataError(display, f"byte {e.start}", f"{what}: not text in UTF-8 (a ZIP or PDF file? unzip CMS's download first)")]


def _year_in_name(path: Path) -> str | None:
    found = _YEAR.findall(path.name)
    return found[-1] if found else None


def _read_codes(path: Path, display: str) -> tuple[dict[str, str] | None, list[DataError]]:
    """{code: title} from CMS's codes file, or the lines that do not fit its format."""
    text, errors = _read_text(path, display, "not the CMS codes file")
    if text is None:
        return None, errors
    codes: dict[str, str] = {}
    bad: list[DataError] = []
    count = 0
    for number, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        match = _CODES_LINE.fullmatch(line.rstrip())
        if match:
            codes[match.group(1)] = match.group(2).strip()
            continue
        count += 1
        if len(bad) < 3:
            bad.append(DataError(display, f"line {number}", f"not the CMS codes file: {_why_not_a_codes_line(line)}"))
    if count > len(bad):
        bad.append(DataError(display, "", f"not the CMS codes file: {count - len(bad)} more lines like these"))
    if not codes and not bad:
        bad.append(DataError(display, "", "not the CMS codes file: the file is empty"))
    return (None if bad else codes), bad


def _why_not_a_codes_line(line: str) -> str:
    shown = line if len(line) <= 60 else line[:57] + "..."
    first = line.split()[0] if line.split() else ""
    if "\t" in line and _CODE.fullmatch(line.split("\t")[0]):
        return f"{shown!r} separates the code from its title with a tab; CMS's file uses spaces"
    if _DOTTED.fullmatch(first) and "." in first:
        return f"{shown!r} writes the code with a dot; CMS's codes file writes M62830, not M62.830"
    if _CODE.fullmatch(first) and len(line.split()) == 1:
        return f"{shown!r} has no title after the code (simple-icd-10-cm's own list is not a CMS file)"
    if line.lstrip().startswith("<"):
        return f"{shown!r} is XML: give the tabular as TABULAR= and the codes .txt file as CODES="
    return f"{shown!r} is not a code followed by its title"


# --- the release ------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """What codeset needs to switch to CMS's files, once they passed every check."""

    tabular: Path
    codes: Path
    fiscal_year: int  # the tabular's <version>: 2027 for the release effective October 1, 2026
    name: str  # for the site's footer: "April 1, 2026" or "FY2027 (icd10cm_tabular_2027.xml)"
    billable_codes: int  # lines of the codes file

    def change_version_args(self) -> dict[str, str]:
        """Keyword arguments of simple_icd_10_cm.change_version."""
        return {"all_codes_file_path": str(self.codes), "classification_data_file_path": str(self.tabular)}


def release_name(tabular: Path, version: str) -> str:
    found = _MONTH_DAY_YEAR.search(tabular.name)
    if found:
        return f"{found.group(1).capitalize()} {int(found.group(2))}, {found.group(3)}"
    return f"FY{version} ({tabular.name})"


def _compare_codes(tabular: Tabular, codes: dict[str, str], display: str) -> list[DataError]:
    plain, extended = tabular.billable()
    listed = set(codes)
    missing = sorted(plain - listed)
    missing += sorted(b for b, chars in extended.items() if not any((b.ljust(6, "X") + c) in listed for c in chars))
    names = {c.replace(".", "") for c in tabular.entries}
    extra = sorted(
        c
        for c in listed
        if c not in names and not (len(c) == 7 and c[6] in extended.get(c[:6].rstrip("X"), set()))
    )
    if not missing and not extra:
        return []
    parts = []
    if missing:
        parts.append(f"{len(missing)} billable code(s) of the tabular are not in it ({_some(missing)})")
    if extra:
        parts.append(f"{len(extra)} of its codes are not in the tabular ({_some(extra)})")
    return [
        DataError(
            display,
            "",
            f"codes file does not match the tabular: {' and '.join(parts)}; use the codes file of the same release "
            f"as the tabular (FY{tabular.version})",
        )
    ]


def _some(codes: list[str]) -> str:
    shown = ", ".join(dotted(c) for c in codes[:_MAX_LISTED])
    return shown + (", ..." if len(codes) > _MAX_LISTED else "")


def check_release(tabular: str | Path, codes: str | Path) -> tuple[Release | None, list[DataError]]:
    """Every problem with the two files, and the release when there is none."""
    tabular_path, codes_path = Path(tabular), Path(codes)
    t_display, c_display = str(tabular), str(codes)
    errors = _missing(tabular_path, t_display) + _missing(codes_path, c_display)
    parsed = listed = None
    if not _missing(tabular_path, t_display):
        parsed, found = _parse_tabular(tabular_path, t_display)
        errors += found
    if not _missing(codes_path, c_display):
        listed, found = _read_codes(codes_path, c_display)
        errors += found
    if parsed is not None:
        named = _year_in_name(tabular_path)
        if named and named != parsed.version:
            errors.append(
                DataError(
                    t_display,
                    "<version>",
                    f"tabular from another year: its name says {named}, its <version> says {parsed.version}",
                )
            )
    if parsed is not None and listed is not None:
        named = _year_in_name(codes_path)
        if named and named != parsed.version:
            errors.append(
                DataError(
                    c_display,
                    "",
                    f"codes file from another year: the tabular is the FY{parsed.version} release "
                    f"(<version>{parsed.version}</version>), this codes file's name says {named}; "
                    f"use the codes file CMS published with the tabular",
                )
            )
        else:
            errors += _compare_codes(parsed, listed, c_display)
    if errors or parsed is None or listed is None:
        return None, errors
    return (
        Release(
            tabular=tabular_path.resolve(),
            codes=codes_path.resolve(),
            fiscal_year=int(parsed.version),
            name=release_name(tabular_path, parsed.version),
            billable_codes=len(listed),
        ),
        [],
    )


def read_release(tabular: str | Path, codes: str | Path) -> Release:
    """The release in CMS's two files; raises BuildFailed with every named error."""
    release, errors = check_release(tabular, codes)
    if release is None:
        raise BuildFailed(errors)
    return release


# --- what changed, for the codes the site uses ---------------------------------------


@dataclass(frozen=True)
class ReleaseChange:
    code: str
    kind: str  # "added", "deleted", "retitled", "notes changed", "became a header", "became billable"
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {self.kind}: {self.detail}"


def _descends(tabular: Tabular, code: str, header: str) -> bool:
    at = tabular.entries[code].parent
    while at is not None:
        if at == header:
            return True
        at = tabular.entries[at].parent
    return False


def compare_releases(old: str | Path | Tabular, new: str | Path | Tabular, site_codes: list[str]) -> list[ReleaseChange]:
    """What the new tabular changed for the codes the site uses (dotted, or with a dash for
    headers): deleted, retitled, notes changed (by kind), became a header or billable, and
    codes added below a site header. 7th-character codes (S39.012A) count as present when
    their base code and 7th character are in the tabular."""
    old_t = old if isinstance(old, Tabular) else read_tabular(old)
    new_t = new if isinstance(new, Tabular) else read_tabular(new)
    changes: list[ReleaseChange] = []
    wanted = sorted({dotted(c.rstrip("-").rstrip(".")) for c in site_codes})
    for code in wanted:
        was, now = old_t.resolve(code), new_t.resolve(code)
        if was is None:
            continue  # not in the old release either: the code checks report it
        if now is None:
            changes.append(ReleaseChange(code, "deleted", f"no longer in the tabular (was {was[1]!r})"))
            continue
        if was[1] != now[1]:
            changes.append(ReleaseChange(code, "retitled", f"{was[1]!r} is now {now[1]!r}"))
        if code in old_t.entries and code in new_t.entries:
            before, after = old_t.entries[code], new_t.entries[code]
            if not before.children and after.children:
                changes.append(ReleaseChange(code, "became a header", f"codes below it now: {', '.join(after.children)}"))
            elif before.children and not after.children:
                changes.append(ReleaseChange(code, "became billable", "no codes below it any more"))
            notes_before, notes_after = dict(before.notes), dict(after.notes)
            kinds = [NOTE_KINDS[k] for k in NOTE_KINDS if notes_before.get(k, ()) != notes_after.get(k, ())]
            if kinds:
                changes.append(ReleaseChange(code, "notes changed", ", ".join(kinds)))
    headers = [c for c in wanted if c in new_t.entries and new_t.entries[c].children]
    for code in sorted(set(new_t.entries) - set(old_t.entries)):
        below = [h for h in headers if _descends(new_t, code, h)]
        if below:
            changes.append(ReleaseChange(code, "added", f"{new_t.entries[code].title!r}, below {below[-1]}"))
    return sorted(changes, key=lambda c: (c.code, c.kind))
