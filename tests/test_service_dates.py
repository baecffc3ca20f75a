"""Current for today's encounters: every page says what its checks cover, each code page
shows the code's standing by date of service and its history, and a release dropped in
by an administrator is built against, with what it changed published."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, html_pages, soup_of

from backspasm import service_dates, standing


# --- unit: what the coverage line says -----------------------------------------------

def test_the_april_2026_tabular_is_for_dates_of_service_to_september_30_2026():
    assert service_dates.tabular_dates() == (date(2026, 4, 1), date(2026, 9, 30))


def test_the_coverage_line_names_the_release_and_the_last_date_of_service_checked():
    cover = service_dates.coverage(date(2026, 11, 25))
    assert cover.checked_through == date(2027, 3, 31) == standing.NEWEST.end
    assert "April 1, 2026 release" in cover.line and "through March 31, 2027" in cover.line
    assert not cover.stale and cover.notice == ""


def test_after_the_last_date_checked_the_site_says_its_checks_are_out_of_date():
    cover = service_dates.coverage(date(2027, 4, 15))
    assert cover.stale
    assert "Out of date" in cover.notice and "March 31, 2027" in cover.notice


# --- site: what readers see ----------------------------------------------------------

def standing_rows(site: Path, code: str) -> list[str]:
    table = soup_of(site / "codes" / f"{code}.html").select_one("table.icd-standing")
    return [" | ".join(c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])) for tr in table.select("tbody tr")]


def test_every_page_names_the_release_and_the_dates_its_checks_cover(site, pages):
    for path in pages:
        footer = soup_of(path).select_one(".md-copyright")
        assert footer and "ICD-10-CM tabular, April 1, 2026 release" in footer.get_text(), path
        assert "through March 31, 2027" in footer.get_text(), path


def test_m62_830_groups_to_551_552_in_both_windows_and_is_no_cc(site):
    rows = standing_rows(site, "M62.830")
    assert len(rows) == len(standing.WINDOWS) == 2
    for row in rows:
        assert "| valid |" in row and "MS-DRG 551/552" in row and "Medical Back Problems" in row
        assert row.endswith("neither CC nor MCC")
    assert rows[-1].startswith("October 1, 2026 to March 31, 2027") and "MS-DRG v44" in rows[-1]


def test_s39_012a_groups_to_562_563(site):
    assert all("MS-DRG 562/563" in row for row in standing_rows(site, "S39.012A"))


def test_g83_4_is_a_cc_as_secondary_diagnosis(site):
    assert all(re.search(r"\| CC\b", row) for row in standing_rows(site, "G83.4"))


def test_x50_0xxa_draws_the_external_cause_edit_as_principal_diagnosis(site):
    assert all("External cause code as principal diagnosis" in row for row in standing_rows(site, "X50.0XXA"))


def test_code_history_shows_when_m54_5_was_split_and_what_a_record_used_before(site):
    header = soup_of(site / "codes" / "M54.5.html").select_one("p.icd-history").get_text(" ", strip=True)
    assert "until September 30, 2021" in header and "From October 1, 2021 (FY2022)" in header
    assert "M54.50" in header and "M54.51" in header and "M54.59" in header
    code = soup_of(site / "codes" / "M54.50.html").select_one("p.icd-history").get_text(" ", strip=True)
    assert "FY2022 to FY2027" in code and "Before October 1, 2021, a record used M54.5" in code
    assert "from October 1, 2024" in soup_of(site / "codes" / "M51.360.html").select_one("p.icd-history").get_text()


def test_the_related_codes_table_shows_each_code_s_standing_from_october_1_2026(site):
    soup = soup_of(site / "related-codes.html")
    assert "From October 1, 2026 (MS-DRG v44)" in soup.select_one("table.related-codes thead").get_text()
    row = soup.select_one("tr#m62830 td.related-standing").get_text(" ", strip=True)
    assert row == "valid, MS-DRG 551/552"
    assert "CC as secondary" in soup.select_one("tr#g834 td.related-standing").get_text()


def test_the_sources_page_lists_each_source_its_version_and_dates(site):
    table = soup_of(site / "sources.html").select_one("table.sources-coverage")
    text = table.get_text(" ", strip=True)
    assert "April 1, 2026 release" in text and "simple-icd-10-cm" in text and standing.PACKAGE in text
    assert "October 1, 2026 to March 31, 2027" in text and "MS-DRG v44" in text
    assert "Official Guidelines" in text and "Alphabetic Index" in text


def test_the_release_changes_page_says_nothing_changed_for_the_packaged_release(site):
    text = soup_of(site / "release-changes.html").select_one("article").get_text(" ", strip=True)
    assert "nothing changed for its codes" in text and "make build TABULAR=" in text


# --- whole builds: a stale build, a dropped-in release --------------------------------

PARTS = ["docs", "data", "deploy", "overrides", "mkdocs.yml"]


@pytest.fixture
def throwaway(tmp_path) -> Path:
    root = tmp_path / "project"
    for part in PARTS:
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, root / part)
    return root


def backspasm(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "backspasm", *args], cwd=root, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
def test_a_build_after_the_last_date_checked_warns_and_every_page_says_so(throwaway):
    run = backspasm(throwaway, "build", "--today", "2027-04-15")
    assert run.returncode == 0, run.stderr
    assert "Warning: Out of date" in run.stdout
    for path in html_pages(throwaway / "site")[:40]:
        notice = soup_of(path).select_one(".page-notice")
        assert notice and "March 31, 2027" in notice.get_text(), path


@pytest.mark.slow
def test_a_dropped_in_release_is_checked_and_its_changes_published(throwaway, altered_release_files):
    tabular, codes = altered_release_files
    stopped = backspasm(throwaway, "check", "--tabular", str(tabular), "--codes", str(codes))
    assert stopped.returncode == 1
    assert "data/codeset_snapshot.yml, code M62.838: deleted" in stopped.stderr
    assert "code M62.830: title changed from 'Muscle spasm of back' to 'Spasm of the back muscles'" in stopped.stderr
    assert "Traceback" not in stopped.stderr


@pytest.mark.slow
def test_bad_release_files_get_a_named_error(throwaway, tmp_path, altered_release_files):
    tabular, codes = altered_release_files
    missing = backspasm(throwaway, "check", "--tabular", str(tmp_path / "nope.xml"), "--codes", str(codes))
    assert missing.returncode == 1 and re.search(r"nope\.xml.*missing", missing.stderr), missing.stderr
    wrong_year = tmp_path / "icd10cm_codes_2025.txt"
    shutil.copy(codes, wrong_year)
    other = backspasm(throwaway, "check", "--tabular", str(tabular), "--codes", str(wrong_year))
    assert other.returncode == 1 and "codes file from another year" in other.stderr
    one = backspasm(throwaway, "check", "--tabular", str(tabular))
    assert one.returncode == 1 and "give both files of the release" in one.stderr
    for run in (missing, other, one):
        assert "Traceback" not in run.stderr


def test_the_release_changes_page_lists_what_a_dropped_in_release_changed(altered_release_files):
    tabular, codes = altered_release_files
    script = (
        "from backspasm import codeset, release_check\n"
        f"codeset.use_release({str(tabular)!r}, {str(codes)!r})\n"
        "print(release_check.changes_page(['M62.83', 'M62.830', 'M62.831', 'M62.838', 'R25.2']))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    page = run.stdout
    assert "FY2026 (icd10cm_tabular_2026.xml)" in page and "icd10cm_codes_2026.txt" in page
    rows = re.findall(r'<tr><th scope="row"><span class="official-text">([^<]+)</span></th><td>([^<]+)</td>', page)
    assert rows == [("M62.83", "notes changed"), ("M62.830", "retitled"), ("M62.838", "deleted"), ("M62.839", "added")]
