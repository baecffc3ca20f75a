"""The code-set cache: a warm run never parses the tabular; a stale or broken cache is
rebuilt, never trusted."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from conftest import ROOT

ASK = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from backspasm import codeset
    codeset.open_cache(Path({cache!r}))
    answers = [codeset.title("M62.830"), codeset.is_billable("M62.83"), codeset.hierarchy("M62.830")[0],
               codeset.own_notes("M62", "category")["excludes1"][:1]]
    codeset.save_cache()
    print(json.dumps({{"answers": answers, "parsed": "simple_icd_10_cm" in sys.modules}}))
""")


def ask(cache) -> dict:
    run = subprocess.run([sys.executable, "-c", ASK.format(cache=str(cache))],
                         capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


def test_a_warm_run_answers_without_parsing_the_tabular(tmp_path):
    cold = ask(tmp_path)
    warm = ask(tmp_path)
    assert cold["parsed"] and not warm["parsed"]
    assert warm["answers"] == cold["answers"]
    assert warm["answers"][0] == "Muscle spasm of back" and warm["answers"][1] is False


def test_a_cache_for_another_release_or_a_broken_one_is_not_trusted(tmp_path):
    ask(tmp_path)
    [cache] = tmp_path.glob("codeset-*.json")
    raw = json.loads(cache.read_text())
    raw["answers"]['_code_facts:["M62.830"]'] = [True, True, "Poisoned title"]
    raw["key"] = "another-release"
    cache.write_text(json.dumps(raw))
    fresh = ask(tmp_path)
    assert fresh["parsed"] and fresh["answers"][0] == "Muscle spasm of back"
    cache.write_text("{not json")
    assert ask(tmp_path)["answers"][0] == "Muscle spasm of back"
