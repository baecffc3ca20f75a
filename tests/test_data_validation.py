"""A content editor's mistakes in the data files stop the build with a message that
names the file, the entry and what is wrong; the last good site stays published."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT

from conftest import stage_project
from backspasm.errors import BuildFailed


@pytest.fixture
def data_copy(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


def errors_for(data_dir: Path, tmp_path: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        stage_project(ROOT, tmp_path, data_dir)
    return [str(e) for e in failed.value.errors]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_real_data_passes(tmp_path):
    staged = stage_project(ROOT, tmp_path)
    assert "M62.830" in staged.usage
    assert (tmp_path / "stage" / "related-codes.md").exists()


def test_unknown_code_names_file_entry_and_problem(data_copy, tmp_path):
    edit(data_copy / "synonyms.yml", "- term: charley horse\n  code: M62.831", "- term: charley horse\n  code: M62.839")
    errors = errors_for(data_copy, tmp_path)
    assert errors == ["data/synonyms.yml, term 'charley horse': M62.839 is not in the ICD-10-CM tabular (April 1, 2026)"]


def test_header_marked_reportable_is_refused(data_copy, tmp_path):
    edit(data_copy / "related_codes.yml", "- code: M79.1-\n  group: Symptoms and pain\n  report: false",
         "- code: M79.1-\n  group: Symptoms and pain\n  report: true")
    errors = errors_for(data_copy, tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith("data/related_codes.yml, code M79.1-: M79.1 is a header, not billable, but is marked report: true")


def test_header_written_without_dash_is_refused(data_copy, tmp_path):
    edit(data_copy / "related_codes.yml", "- code: M48.0-", "- code: M48.0")
    errors = errors_for(data_copy, tmp_path)
    assert any("code M48.0: M48.0 is a header, not billable: write it as M48.0-" in e for e in errors)


def test_title_that_differs_from_the_official_one(data_copy, tmp_path):
    edit(data_copy / "related_codes.yml", "- code: M62.831\n", "- code: M62.831\n  title: Muscle spasm of back\n")
    errors = errors_for(data_copy, tmp_path)
    assert errors == [
        "data/related_codes.yml, code M62.831: title differs from the official one: 'Muscle spasm of back' "
        "(official title of M62.831: 'Muscle spasm of calf'); remove the title field, titles come from the official data"
    ]


def test_duplicate_entry(data_copy, tmp_path):
    path = data_copy / "synonyms.yml"
    path.write_text(path.read_text() + "\n- term: Back Spasm\n  code: M62.830\n  origin: reader search\n  why: again\n")
    errors = errors_for(data_copy, tmp_path)
    assert len(errors) == 1 and "data/synonyms.yml, entry" in errors[0] and "(Back Spasm): duplicate entry: same as entry 1" in errors[0]


def test_malformed_yaml_gives_line_and_column(data_copy, tmp_path):
    edit(data_copy / "related_codes.yml", "  report: true\n", "  report: true\n   broken: [\n")
    errors = errors_for(data_copy, tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith("data/related_codes.yml, line ") and "YAML syntax error" in errors[0]


def test_misspelt_field_is_named(data_copy, tmp_path):
    edit(data_copy / "related_codes.yml", "  when_not: Never for the back;", "  when_nto: Never for the back;")
    errors = errors_for(data_copy, tmp_path)
    assert any("data/related_codes.yml, entry 2 (M62.831)" in e and "when_nto: unknown field" in e for e in errors)
    assert any("entry 2 (M62.831)" in e and "when_not: required field is missing" in e for e in errors)


def test_missing_seventh_character_flag(data_copy, tmp_path):
    edit(data_copy / "related_codes.yml", "- code: S29.012-\n  group: Injury, Chapter 19\n  report: true\n  seventh_character: true",
         "- code: S29.012-\n  group: Injury, Chapter 19\n  report: false")
    errors = errors_for(data_copy, tmp_path)
    assert errors == ["data/related_codes.yml, code S29.012-: S29.012 requires a 7th character (A, D, S): set seventh_character: true"]


def test_wrong_code_in_a_page_is_refused(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "docs", root / "docs")
    shutil.copytree(ROOT / "deploy", root / "deploy")
    page = root / "docs" / "pitfalls.md"
    page.write_text(page.read_text() + "\nReport M62.83 for this.\n")
    ctx_errors = None
    with pytest.raises(BuildFailed) as failed:
        stage_project(root, tmp_path, ROOT / "data")
    ctx_errors = [str(e) for e in failed.value.errors]
    assert any(e.startswith("docs/pitfalls.md, line ") and "M62.83 is a header, not billable: write it as M62.83-" in e for e in ctx_errors)


def test_cli_prints_readable_errors_and_keeps_the_last_good_site(data_copy, tmp_path, capsys):
    from backspasm import cli

    site = tmp_path / "site"
    (site / "_deploy").mkdir(parents=True)
    (site / "_deploy" / "build-output.json").write_text("{}")  # a previous build's output
    (site / "index.html").write_text("last good build")
    edit(data_copy / "synonyms.yml", "- term: charley horse\n  code: M62.831", "- term: charley horse\n  code: M62.839")
    code = cli.main(["build", "--root", str(ROOT), "--site-dir", str(site), "--stage-dir", str(tmp_path / "stage"), "--data-dir", str(data_copy)])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert "Nothing was published" in err and "data/synonyms.yml, term 'charley horse'" in err
    assert (site / "index.html").read_text() == "last good build"
