"""Valid HTML: the Nu HTML Checker (npm vnu-jar, run with Java) on every built page.

One JVM run checks the whole built folder, the guide's pages and the code pages included.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def nu_check(folder: Path) -> list[dict]:
    """Every message the Nu checker gives for the HTML files under folder."""
    java = shutil.which("java")
    if not java:
        pytest.fail("java not found: run `make system-deps` (installs default-jre-headless)")
    if not VNU.exists():
        pytest.fail(f"{VNU} is missing: run `make node-deps`")
    run = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--skip-non-html", str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    # vnu writes its JSON report on stderr and exits 1 when it found errors.
    report = run.stderr.strip() or run.stdout.strip()
    try:
        return json.loads(report)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"the Nu checker gave no JSON report (exit {run.returncode}): {report[:500]}")


def errors_of(messages: list[dict], folder: Path) -> list[str]:
    out = []
    for m in messages:
        if m.get("type") == "error" or m.get("subType") == "fatal":
            where = m.get("url", "").split(str(folder.resolve()) + "/", 1)[-1]
            out.append(f"{where}:{m.get('lastLine', '?')}: {m['message']}")
    return out


def test_nu_checker_finds_no_error_on_the_built_pages(site):
    messages = nu_check(site)
    checked_pages = len([p for p in site.rglob("*.html")])
    assert checked_pages >= 8
    errors = errors_of(messages, site)
    # Grouped by message: one template fault repeats on every page built from it.
    grouped: dict[str, list[str]] = {}
    for error in errors:
        where, message = error.split(": ", 1)
        grouped.setdefault(message, []).append(where)
    report = [f"{len(w)} x {m}\n    e.g. {', '.join(w[:4])}" for m, w in sorted(grouped.items(), key=lambda i: -len(i[1]))]
    assert not errors, f"{len(errors)} Nu checker error(s):\n" + "\n".join(report)


def test_nu_checker_catches_invalid_markup(tmp_path):
    """The check itself can fail: a page with a checkbox carrying autocomplete is reported."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
        '<body><input type="checkbox" autocomplete="off" aria-label="x"><div markdown="0">x</div></body></html>',
        encoding="utf-8",
    )
    errors = errors_of(nu_check(tmp_path), tmp_path)
    assert any("autocomplete" in e for e in errors), errors
    assert any("markdown" in e for e in errors), errors


def test_material_checkbox_toggles_carry_no_autocomplete(site):
    """Fixed at build time (engine.fix_page): Material writes autocomplete on its drawer
    and search checkboxes, which HTML does not allow."""
    from backspasm.engine import fix_page as fix_checkbox_autocomplete

    material = '<input class="md-toggle" data-md-toggle="search" type="checkbox" id="__search" autocomplete="off">'
    assert fix_checkbox_autocomplete(material) == (
        '<input class="md-toggle" data-md-toggle="search" type="checkbox" id="__search">'
    )
    text_input = '<input type="text" class="md-search__input" autocomplete="off">'
    assert fix_checkbox_autocomplete(text_input) == text_input
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'id="__search" autocomplete' not in home and 'id="__search"' in home
