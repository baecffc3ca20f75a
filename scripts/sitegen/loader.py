"""Read a YAML data file into typed models; every problem becomes a DataError."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import DataError

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path, display: str) -> tuple[object | None, list[DataError]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [DataError(display, "", "file is missing")]
    except UnicodeDecodeError as exc:
        return None, [DataError(display, "", f"not UTF-8 text ({exc.reason})")]
    try:
        return yaml.safe_load(text), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [DataError(display, where, f"YAML syntax error: {problem}")]


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
        parts.append(f"{field}: {msg}")
    return "; ".join(parts)


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
