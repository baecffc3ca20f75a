"""A new code-set release: the build lists the site's codes that were deleted, became headers or were retitled."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

from conftest import ROOT

from backspasm import codeset

PACKAGE_DATA = codeset._DATA_DIR


def altered_release(tmp: Path) -> tuple[Path, Path]:
    """A copy of the tabular with M62.838 deleted and M62.830 retitled."""
    codes = (PACKAGE_DATA / "code-list-April-2026.txt").read_text(encoding="utf-8")
    codes = "\n".join(line for line in codes.split("\n") if line.split(" ")[0] != "M62838")
    xml = next(PACKAGE_DATA.glob("icd10c-tabular-*.xml")).read_text(encoding="utf-8")
    xml, deleted = re.subn(r"<diag>\s*<name>M62\.838</name>.*?</diag>", "", xml, count=1, flags=re.S)
    xml, retitled = re.subn(
        r"(<name>M62\.830</name>\s*<desc>)Muscle spasm of back(</desc>)", r"\1Spasm of the back muscles\2", xml, count=1
    )
    assert deleted == 1 and retitled == 1, "the test's edit of the tabular no longer applies"
    (tmp / "codes.txt").write_text(codes, encoding="utf-8")
    (tmp / "tabular.xml").write_text(xml, encoding="utf-8")
    return tmp / "codes.txt", tmp / "tabular.xml"


def test_build_stops_and_lists_deleted_and_retitled_codes(tmp_path):
    codes, tabular = altered_release(tmp_path)
    # A separate process: the altered tabular must not leak into the other tests.
    script = textwrap.dedent(
        f"""
        import sys
        from backspasm import codeset
        codeset.use_release({str(tabular)!r}, {str(codes)!r})
        from backspasm import cli
        sys.exit(cli.main(["check", "--root", {str(ROOT)!r}, "--stage-dir", {str(tmp_path / 'stage')!r}]))
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stdout + run.stderr
    report = run.stderr
    assert "Nothing was published" in report
    assert "data/codeset_snapshot.yml, code M62.838: deleted" in report
    assert "data/codeset_snapshot.yml, code M62.830: title changed from 'Muscle spasm of back' to 'Spasm of the back muscles'" in report
    assert "make accept-release" in report


def test_snapshot_records_the_release_and_every_code_the_site_uses(site):
    snapshot = yaml.safe_load((ROOT / "data" / "codeset_snapshot.yml").read_text(encoding="utf-8"))
    assert snapshot["release"] == codeset.release_name()
    pages = {p.stem for p in (site / "codes").glob("*.html") if p.stem != "index"}
    missing = sorted(pages - set(snapshot["codes"]))
    assert not missing, f"run `make accept-release` to record: {missing}"
    assert snapshot["codes"]["M62.830"] == {"title": "Muscle spasm of back", "billable": True}


def test_sources_page_and_build_name_the_release(site):
    from conftest import soup_of

    assert f"{codeset.release_name()} release" in soup_of(site / "sources.html").get_text(" ")
