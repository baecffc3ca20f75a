"""`make check` tells the truth: what the full build would refuse short of rendering is
refused here too, and what it cannot check without rendering is said."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

from backspasm import linkcheck
from conftest import stage_project


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    for part in ("docs", "data", "deploy", "overrides", "mkdocs.yml"):
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, root / part)
    return root


def check(root: Path, tmp_path: Path) -> list[str]:
    from backspasm.project import Project

    staged = stage_project(root, tmp_path)
    return [str(e) for e in linkcheck.check(staged, Project.at(root))]


def add(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_the_real_site_passes(project, tmp_path):
    assert check(project, tmp_path) == []


def test_a_link_to_a_missing_page_is_named(project, tmp_path):
    add(project, "docs/qa.md", "\nSee [the old page](old-page.md).\n")
    [error] = check(project, tmp_path)
    assert error.startswith("docs/qa.md, line ") and "old-page.md: no such page" in error


def test_a_link_to_a_missing_anchor_is_named(project, tmp_path):
    add(project, "docs/qa.md", "\nSee [pitfall 9](pitfalls.md#pitfall-9-none).\n")
    [error] = check(project, tmp_path)
    assert "docs/qa.md, line" in error and "pitfalls.md has no anchor '#pitfall-9-none'" in error


def test_links_to_headings_and_generated_pages_resolve(project, tmp_path):
    add(project, "docs/qa.md", "\n## A new heading\n\n[a](#a-new-heading) [b](guide/index.md) "
                               "[c](codes/M62.830.md#from-m62) [d](related-codes.html#m62830)\n")
    assert check(project, tmp_path) == []


def test_an_invalid_prefix_is_named(project, tmp_path):
    (project / "deploy" / "settings.yml").write_text("prefix: /coding/../etc/\nserver_root: /srv/www/\n", encoding="utf-8")
    from backspasm.errors import BuildFailed

    with pytest.raises(BuildFailed) as failed:
        check(project, tmp_path)
    errors = [str(e) for e in failed.value.errors]
    assert any(e.startswith("deploy/settings.yml, prefix: '.' and '..' segments") for e in errors), errors


def test_a_nav_entry_without_its_page_is_named(project, tmp_path):
    (project / "docs" / "qa.md").rename(project / "docs" / "questions.md")
    errors = check(project, tmp_path)
    assert "mkdocs.yml, nav: qa.md: no such page" in errors


def test_the_command_says_what_it_did_not_check():
    result = subprocess.run([sys.executable, "-m", "backspasm", "check", "--stage-dir",
                             str(ROOT / "build" / "check-stage")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Links, anchors and deploy settings: all valid." in result.stdout
    assert "Not checked without a full build" in result.stdout and "Content-Security-Policy" in result.stdout
