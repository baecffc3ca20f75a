"""A drop-in CMS release, as an intranet admin meets it: good files pass and say which release
they are, bad files get an error that names the file and the problem, and an altered release
yields the change report for the site's codes. No site build."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import ROOT

from backspasm import codeset, release_files
from backspasm.errors import BuildFailed

PACKAGED_TABULAR = next(codeset._DATA_DIR.glob("icd10c-tabular-*.xml"))
PACKAGED_LIST = codeset._DATA_DIR / "code-list-April-2026.txt"

# A small tabular in CMS's layout: enough codes for the format checks to run in milliseconds.
SMALL_TABULAR = """\
<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular>
  <version>2027</version>
  <introduction>
    <introSection type="title"><title>ICD-10-CM TABULAR LIST of DISEASES and INJURIES</title></introSection>
  </introduction>
  <chapter>
    <name>13</name>
    <desc>Diseases of the musculoskeletal system and connective tissue (M00-M99)</desc>
    <section id="M60-M63">
      <desc>Soft tissue disorders (M60-M63)</desc>
      <diag>
        <name>M62</name>
        <desc>Other disorders of muscle</desc>
        <diag>
          <name>M62.8</name>
          <desc>Other specified disorders of muscle</desc>
          <diag>
            <name>M62.83</name>
            <desc>Muscle spasm</desc>
            <diag><name>M62.830</name><desc>Muscle spasm of back</desc></diag>
            <diag><name>M62.831</name><desc>Muscle spasm of calf</desc></diag>
            <diag><name>M62.838</name><desc>Other muscle spasm</desc></diag>
          </diag>
        </diag>
      </diag>
    </section>
  </chapter>
  <chapter>
    <name>19</name>
    <desc>Injury, poisoning and certain other consequences of external causes (S00-T88)</desc>
    <section id="S30-S39">
      <desc>Injuries to the abdomen, lower back, lumbar spine, pelvis and external genitals (S30-S39)</desc>
      <diag>
        <name>S39</name>
        <desc>Other and unspecified injuries of abdomen, lower back, pelvis and external genitals</desc>
        <sevenChrDef>
          <extension char="A">initial encounter</extension>
          <extension char="D">subsequent encounter</extension>
          <extension char="S">sequela</extension>
        </sevenChrDef>
        <diag>
          <name>S39.0</name>
          <desc>Injury of muscle, fascia and tendon of abdomen, lower back and pelvis</desc>
          <diag>
            <name>S39.01</name>
            <desc>Strain of muscle, fascia and tendon of abdomen, lower back and pelvis</desc>
            <diag><name>S39.012</name><desc>Strain of muscle, fascia and tendon of lower back</desc></diag>
          </diag>
        </diag>
      </diag>
    </section>
  </chapter>
</ICD10CM.tabular>
"""
SMALL_CODES = """\
M62830  Muscle spasm of back
M62831  Muscle spasm of calf
M62838  Other muscle spasm
S39012A Strain of muscle, fascia and tendon of lower back, initial encounter
S39012D Strain of muscle, fascia and tendon of lower back, subsequent encounter
S39012S Strain of muscle, fascia and tendon of lower back, sequela
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def small_release(tmp_path: Path, tabular: str = SMALL_TABULAR, codes: str = SMALL_CODES,
                  tabular_name: str = "icd10cm_tabular_2027.xml", codes_name: str = "icd10cm_codes_2027.txt"):
    return write(tmp_path, tabular_name, tabular), write(tmp_path, codes_name, codes)


def problems(tabular: Path, codes: Path) -> list[str]:
    release, errors = release_files.check_release(tabular, codes)
    assert release is None
    return [str(e) for e in errors]


# --- good files -----------------------------------------------------------------------


def test_cms_files_of_one_release_give_codeset_what_it_needs_to_switch(tmp_path):
    tabular, codes = small_release(tmp_path)
    release = release_files.read_release(tabular, codes)
    assert release.fiscal_year == 2027
    assert release.name == "FY2027 (icd10cm_tabular_2027.xml)"
    assert release.billable_codes == 6
    assert release.change_version_args() == {
        "all_codes_file_path": str(codes.resolve()),
        "classification_data_file_path": str(tabular.resolve()),
    }


def test_the_release_is_named_by_its_date_when_the_file_name_has_one(tmp_path):
    tabular, codes = small_release(
        tmp_path, tabular_name="icd10cm-tabular-April-1-2027.xml", codes_name="icd10cm-codes-April-2027.txt"
    )
    assert release_files.read_release(tabular, codes).name == "April 1, 2027"


def test_windows_line_endings_and_a_byte_order_mark_are_accepted(tmp_path):
    tabular, codes = small_release(tmp_path, codes="\ufeff" + SMALL_CODES.replace("\n", "\r\n"))
    assert release_files.read_release(tabular, codes).billable_codes == 6


# --- bad files ----------------------------------------------------------------------------


def test_a_missing_file_is_named(tmp_path):
    tabular, _ = small_release(tmp_path)
    found = problems(tabular, tmp_path / "icd10cm_codes_2027.txt.zip")
    assert found == [f"{tmp_path / 'icd10cm_codes_2027.txt.zip'}: missing file: nothing at this path (check the TABULAR= and CODES= paths)"]
    with pytest.raises(BuildFailed) as failed:
        release_files.read_release(tmp_path, tmp_path / "codes.txt")
    assert [e.message.split(":")[0] for e in failed.value.errors] == ["missing file", "missing file"]
    assert "this is a folder" in failed.value.errors[0].message


def test_the_alphabetic_index_is_not_the_tabular(tmp_path):
    tabular, codes = small_release(tmp_path, tabular=SMALL_TABULAR.replace("ICD10CM.tabular", "ICD10CM.index"))
    (found,) = problems(tabular, codes)
    assert "not the CMS tabular XML: its root element is <ICD10CM.index>" in found


def test_a_truncated_download_is_not_well_formed_xml(tmp_path):
    tabular, codes = small_release(tmp_path, tabular=SMALL_TABULAR[: len(SMALL_TABULAR) // 2])
    (found,) = problems(tabular, codes)
    assert "not the CMS tabular XML: not well-formed XML" in found


def test_a_zip_file_given_as_the_tabular_is_named(tmp_path):
    tabular = tmp_path / "icd10cm_tabular_2027.zip"
    tabular.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xb7\x9c\xff\xfe")
    _, codes = small_release(tmp_path)
    (found,) = problems(tabular, codes)
    assert "not the CMS tabular XML: not text in UTF-8" in found and "unzip" in found


def test_a_tabular_without_its_version_is_refused_before_the_package_would_drop_a_chapter(tmp_path):
    tabular, codes = small_release(tmp_path, tabular=re.sub(r"\s*<version>2027</version>", "", SMALL_TABULAR))
    (found,) = problems(tabular, codes)
    assert "must begin with <version>" in found


def test_a_codes_file_with_tabs_is_not_the_cms_format(tmp_path):
    tabular, codes = small_release(tmp_path, codes=SMALL_CODES.replace("M62830  ", "M62830\t"))
    (found,) = problems(tabular, codes)
    assert found.startswith(f"{codes}, line 1: not the CMS codes file:")
    assert "with a tab; CMS's file uses spaces" in found


def test_a_codes_file_with_dotted_codes_is_not_the_cms_format(tmp_path):
    tabular, codes = small_release(tmp_path, codes="M62.830 Muscle spasm of back\n")
    (found,) = problems(tabular, codes)
    assert "writes the code with a dot" in found


def test_the_package_s_own_code_list_is_not_a_cms_codes_file(tmp_path):
    tabular, codes = small_release(tmp_path, codes="13\nM60-M63\nM62\nM62830\nM62831\nM62838\n")
    found = problems(tabular, codes)
    assert len(found) == 4  # three lines shown, then a count
    assert "'13' is not a code followed by its title" in found[0]
    assert "has no title after the code" in found[2]
    assert found[3].endswith("3 more lines like these")


def test_a_codes_file_from_another_year_is_named(tmp_path):
    tabular, codes = small_release(tmp_path, codes_name="icd10cm_codes_2026.txt")
    (found,) = problems(tabular, codes)
    assert "codes file from another year: the tabular is the FY2027 release (<version>2027</version>), " \
           "this codes file's name says 2026" in found


def test_a_codes_file_of_another_release_does_not_match_the_tabular(tmp_path):
    other = SMALL_CODES.replace("M62838  Other muscle spasm\n", "M62839  Muscle spasm, unspecified\n")
    tabular, codes = small_release(tmp_path, codes=other, codes_name="codes.txt")
    (found,) = problems(tabular, codes)
    assert "codes file does not match the tabular: 1 billable code(s) of the tabular are not in it (M62.838) " \
           "and 1 of its codes are not in the tabular (M62.839)" in found


def test_a_7th_character_the_tabular_does_not_define_is_a_mismatch(tmp_path):
    tabular, codes = small_release(tmp_path, codes=SMALL_CODES + "S39012Q Strain of lower back, Q\n")
    (found,) = problems(tabular, codes)
    assert "not in the tabular (S39.012Q)" in found


# --- an altered copy of the packaged release -----------------------------------------


@pytest.fixture(scope="module")
def altered(altered_release_files) -> tuple[Path, Path]:
    return altered_release_files


SITE_CODES = ["M62-", "M62.83-", "M62.830", "M62.831", "M62.838", "R25.2", "S39.012A", "M54.5-"]


@pytest.fixture(scope="module")
def packaged() -> release_files.Tabular:
    return release_files.read_tabular(PACKAGED_TABULAR)


@pytest.fixture(scope="module")
def altered_release(altered) -> release_files.Release:
    return release_files.read_release(*altered)


def test_an_altered_copy_of_the_packaged_release_passes_the_checks(altered_release):
    assert altered_release.fiscal_year == 2026
    assert altered_release.name == "FY2026 (icd10cm_tabular_2026.xml)"
    assert altered_release.billable_codes > 74000


def test_the_change_report_lists_what_the_release_changed_for_the_site_s_codes(packaged, altered_release):
    report = [str(c) for c in release_files.compare_releases(packaged, altered_release.tabular, SITE_CODES)]
    assert report == [
        "M62.83: notes changed: Excludes1",
        "M62.830: retitled: 'Muscle spasm of back' is now 'Spasm of the back muscles'",
        "M62.838: deleted: no longer in the tabular (was 'Other muscle spasm')",
        "M62.839: added: 'Muscle spasm, site unspecified', below M62.83",
    ]


def test_the_same_release_reports_no_change(packaged):
    assert release_files.compare_releases(packaged, packaged, SITE_CODES) == []


def test_codeset_switched_to_the_altered_release_reads_its_codes(altered_release):
    release = altered_release
    # A separate process: the switched code set must not leak into the other tests.
    script = textwrap.dedent(
        f"""
        from backspasm import codeset
        codeset.use_release({str(release.tabular)!r}, {str(release.codes)!r})
        assert not codeset.exists("M62.838"), "M62.838 was deleted"
        assert codeset.title("M62.830") == "Spasm of the back muscles"
        assert codeset.is_billable("M62.839")
        assert codeset.is_billable("S39.012A"), "7th-character codes come from the CMS codes file"
        assert not codeset.exists("S39.012Q")
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
