"""The snapshot of the site's codes (a dropped-in release that changes them: test_service_dates.py)."""
from __future__ import annotations

import yaml

from conftest import ROOT

from backspasm import codeset


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
