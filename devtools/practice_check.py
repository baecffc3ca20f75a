"""Check practice data without a build: data/practice.yml, or it with part files merged in.

    python -m devtools.practice_check                     # the whole file, as the build checks it
    python -m devtools.practice_check part.yml [...]      # the catalogue plus these parts' cases only

A part file holds `cases:` (by case id) and, optionally, `confusions:` it adds to the
catalogue. Only the cases the parts name are checked, so a part can be written and checked
alone; the "confusion not used" check is left to the whole file.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

from backspasm import practice
from backspasm.data import CASES, TREE
from backspasm.guide.cases import load_cases
from backspasm.guide.validate import load_tree

ROOT = Path(__file__).resolve().parent.parent


def main(parts: list[str]) -> int:
    data = ROOT / "data"
    tree, errors = load_tree(data / TREE, f"data/{TREE}", None, None)
    cases, more = load_cases(data / CASES, f"data/{CASES}")
    errors += more
    path = data / practice.PRACTICE_FILE
    if parts:
        merged = yaml.safe_load(path.read_text())
        merged["cases"] = {}
        for part in parts:
            raw = yaml.safe_load(Path(part).read_text()) or {}
            merged["confusions"].update(raw.get("confusions") or {})
            merged["cases"].update(raw.get("cases") or {})
        tmp = Path(tempfile.mkdtemp()) / practice.PRACTICE_FILE
        tmp.write_text(yaml.safe_dump(merged, sort_keys=False, allow_unicode=True, width=100))
        path = tmp
        cases = [c for c in cases if c.id in merged["cases"]]
    book, more = practice.load_practice(path, ", ".join(parts) or f"data/{practice.PRACTICE_FILE}", whole=not parts)
    errors += more
    if book is not None and tree is not None:
        items, more = practice.exercises(book, cases, tree, ", ".join(parts) or "data/practice.yml")
        errors += more
        options = sum(len(i.options) for i in items)
        print(f"{len(items)} exercises, {options} options")
    for error in errors:
        print(error)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
