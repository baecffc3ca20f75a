"""Read a YAML data file into typed models; every problem becomes a DataError.

A data file is edited by hand, so everything a slip (or a hostile edit) can put in it
is refused with the file and the place named: bytes that are not UTF-8, a byte order
mark, control characters, a key written twice in one mapping (YAML would silently keep
the last), tags that build Python objects, nesting or aliases deep enough to exhaust
the parser, a link to a file outside the project, an empty file.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import DataError

M = TypeVar("M", bound=BaseModel)

MAX_BYTES = 2_000_000  # the largest data file today is 60 kB
MAX_DEPTH = 40  # mappings and lists inside each other; the deepest file today uses 6
MAX_NODES = 200_000  # values after aliases are expanded (a "billion laughs" file has 10^9)

# Characters that have no place in a data file: C0/C1 controls (tab and newline aside)
# and the bidirectional overrides that make text read differently from what it is.
BIDI_CONTROLS = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


class DuplicateKey(yaml.MarkedYAMLError):
    pass


# libyaml's parser (C) when PyYAML has it: several times faster on the data files.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DataLoader(_SafeBase):
    """A safe loader that refuses a key written twice in one mapping.

    Nesting depth is checked on the text before parsing (nesting_problem): the C
    composer recurses once per level and must never meet a 5,000-deep document.
    """

    def construct_mapping(self, node, deep=False):
        seen: dict[object, yaml.Mark] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: PyYAML reports it below
                continue
            if first is not None:
                raise DuplicateKey(
                    None, None,
                    f"the key '{key}' appears twice in this mapping (first at line {first.line + 1}); "
                    "YAML would silently keep only the last one",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


# Unicode category Cc (C0 and C1 controls) but tab, line feed and carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS)) + "]")
_INDENT = re.compile(r"^[ -]*", re.M)
_FLOW = re.compile(r"""'[^'\n]*'|"(?:[^"\\\n]|\\.)*"|#[^\n]*|[\[\]{}]""")


def text_problem(text: str) -> str | None:
    """Why a text from a source file cannot be published, or None."""
    m = _CONTROL.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        return f"line {line}: control character U+{ord(m.group(0)):04X}; remove it (it is invisible in most editors)"
    return None


def nesting_problem(text: str) -> str | None:
    """Deeper than MAX_DEPTH levels, by indentation or by brackets (an over-estimate)."""
    for m in _INDENT.finditer(text):
        if len(m.group(0)) > 4 * MAX_DEPTH:
            return f"line {text.count(chr(10), 0, m.start()) + 1}: nested more than {MAX_DEPTH} levels deep"
    depth = 0
    for m in _FLOW.finditer(text):
        token = m.group(0)
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return f"line {text.count(chr(10), 0, m.start()) + 1}: nested more than {MAX_DEPTH} levels deep"
        elif token in "]}":
            depth = max(0, depth - 1)
    return None


def _expanded_size(value: object, memo: dict[int, int]) -> int:
    """Number of values once aliases are expanded, counting each shared value once per use."""
    if not isinstance(value, (dict, list)):
        return 1
    key = id(value)
    if key not in memo:
        memo[key] = 0  # a self-referencing alias counts as one while it is being measured
        children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        memo[key] = 1 + sum(_expanded_size(child, memo) for child in children)
    return memo[key]


def inside(path: Path, folder: Path) -> bool:
    """True when path, with every link resolved, lies in folder."""
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def read_text(path: Path, display: str, within: Path | None = None) -> tuple[str | None, list[DataError]]:
    """A source file's text, or the reason it cannot be read (never an exception)."""
    if within is not None and not inside(path, within):
        return None, [DataError(display, "", f"is a link to {path.resolve()}, outside the project; copy the file in instead")]
    try:
        if path.stat().st_size > MAX_BYTES:
            return None, [DataError(display, "", f"larger than {MAX_BYTES // 1_000_000} MB: not a data file")]
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [DataError(display, "", "file is missing")]
    except IsADirectoryError:
        return None, [DataError(display, "", "is a folder, not a file")]
    except OSError as exc:
        return None, [DataError(display, "", f"cannot be read: {exc.strerror}")]
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, [DataError(display, "line 1", "starts with a byte order mark (BOM): save it as UTF-8 without BOM")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [DataError(display, f"line {line}", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}): save it as UTF-8")]
    problem = text_problem(text)
    if problem:
        where, _, what = problem.partition(": ")
        return None, [DataError(display, where, what)]
    return text, []


def read_yaml(path: Path, display: str, within: Path | None = None) -> tuple[object | None, list[DataError]]:
    """Parsed YAML, or None with the problems. An empty file is a problem: a data file
    that lost its content must not publish a page with missing rows."""
    text, errors = read_text(path, display, within if within is not None else path.parent)
    if errors:
        return None, errors
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        return None, [DataError(display, "", "the file is empty: it must hold the entries described in its header")]
    deep = nesting_problem(text)
    if deep:
        where, _, what = deep.partition(": ")
        return None, [DataError(display, where, what)]
    try:
        data = yaml.load(text, Loader=DataLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or str(exc).splitlines()[0]
        if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in str(problem):
            problem = f"{problem} (only plain YAML values are allowed)"
        kind = "" if isinstance(exc, DuplicateKey) else "YAML syntax error: "
        return None, [DataError(display, where, f"{kind}{problem}")]
    except yaml.YAMLError as exc:
        return None, [DataError(display, "", f"YAML syntax error: {str(exc).splitlines()[0]}")]
    except RecursionError:
        return None, [DataError(display, "", "nested too deeply to read")]
    if _expanded_size(data, {}) > MAX_NODES:
        return None, [DataError(display, "", f"aliases expand to more than {MAX_NODES:,} values: not a data file")]
    return data, []


def explain(exc: ValidationError) -> str:
    """Pydantic's message, shortened to what an editor needs: which field, what is wrong."""
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "entry"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        parts.append(f"{field}: {msg}")
    return "; ".join(parts)


def validate_each(raw: object, model: type[M], kind: str, display: str, errors: list[DataError]) -> list[M]:
    """A list of mappings (questions, results, cases), each validated and named by its id in
    messages ("case 'simple-lumbar-spasm'", else "case 3"). Problems go to `errors`."""
    if not isinstance(raw, list) or not raw:
        errors.append(DataError(display, f"{kind}s", f"expected a list of {kind}s (lines starting with '- ')"))
        return []
    items: list[M] = []
    for index, entry in enumerate(raw, start=1):
        name = f"{kind} {index}"
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            name = f"{kind} '{entry['id']}'"
        if not isinstance(entry, dict):
            errors.append(DataError(display, name, "expected a mapping of fields"))
            continue
        try:
            items.append(model.model_validate(entry))
        except ValidationError as exc:
            errors.append(DataError(display, name, explain(exc)))
    return items


def load_list(
    path: Path,
    display: str,
    model: type[M],
    key: Callable[[dict], str],
) -> tuple[list[M], list[DataError]]:
    """A YAML list of entries -> models. Entries are named by `key` in messages."""
    raw, errors = read_yaml(path, display)
    if errors:
        return [], errors
    if not isinstance(raw, list):
        return [], [DataError(display, "", "expected a list of entries (lines starting with '- ')")]
    items: list[M] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw, start=1):
        name = f"entry {index}"
        if isinstance(entry, dict) and key(entry):
            name += f" ({key(entry)})"
        if not isinstance(entry, dict):
            errors.append(DataError(display, name, "expected a mapping of fields"))
            continue
        try:
            item = model.model_validate(entry)
        except ValidationError as exc:
            errors.append(DataError(display, name, explain(exc)))
            continue
        ident = key(entry).strip().lower()
        if ident in seen:
            errors.append(
                DataError(display, name, f"duplicate entry: same as entry {seen[ident]}")
            )
            continue
        seen[ident] = index
        items.append(item)
    return items, errors
