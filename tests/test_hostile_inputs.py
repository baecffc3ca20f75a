"""Hostile and careless input, one mutation per case: each is refused with a message that
names the source file and the entry, or built with the text shown escaped. None ends in a
traceback, and none publishes a half-built site.

Most cases run the step that reads the input (generation into a stage folder, the
deploy settings, the output checks) on a throwaway copy of the project; a handful at
the end run the whole build.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

from backspasm import deploy, publish
from conftest import stage_project
from backspasm.errors import BuildFailed

PROJECT_PARTS = ["docs", "data", "deploy", "overrides", "mkdocs.yml"]  # the sources; the build is the package
SCRIPT = "<script>document.title='ran'</script>"


# --- Mutations ------------------------------------------------------------------------

def replace(rel: str, pattern: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        changed, n = re.subn(pattern, new, text, count=count, flags=re.M)
        assert n, f"test setup: {pattern!r} not found in {rel}"
        path.write_text(changed, encoding="utf-8")
    return apply


def append(rel: str, text: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        with open(root / rel, "a", encoding="utf-8") as f:
            f.write(text)
    return apply


def write(rel: str, content: bytes | str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return apply


def prepend_bytes(rel: str, content: bytes) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        path.write_bytes(content + path.read_bytes())
    return apply


def edit_yaml(rel: str, change: Callable[[object], None]) -> Callable[[Path], None]:
    """Load, change and rewrite a data file (anchors are expanded; content stays the same)."""
    def apply(root: Path) -> None:
        path = root / rel
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000), encoding="utf-8")
    return apply


def link(rel: str, target: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target if target.startswith("/") else root / target)
    return apply


def set_first(kind: str, field: str, value) -> Callable[[object], None]:
    def change(tree) -> None:
        tree[kind][0][field] = value
    return change


def set_answer_label(value: str) -> Callable[[object], None]:
    def change(tree) -> None:
        tree["questions"][0]["answers"][0]["label"] = value
    return change


def set_practice(field: str, value) -> Callable[[object], None]:
    def change(book) -> None:
        next(iter(book["cases"].values()))[field] = value
    return change


def set_practice_codes(codes: list[str]) -> Callable[[object], None]:
    def change(book) -> None:
        next(iter(book["cases"].values()))["distractors"][0]["codes"] = codes
    return change


def set_entry(index: int, field: str, value) -> Callable[[object], None]:
    def change(items) -> None:
        items[index][field] = value
    return change


def deep_nesting(depth: int) -> str:
    return "- " + "[" * depth + "]" * depth + "\n"


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)


# --- Cases read by the generation step ------------------------------------------------

@dataclass(frozen=True)
class Case:
    name: str
    mutate: Callable[[Path], None]
    expect: str  # "refused" or "escaped"
    where: str  # regex the message must match: the source file and the entry
    escaped_in: str = ""  # staged page that shows the text escaped
    shows: str = "&lt;script&gt;"


TREE, SYN, REL, TOGETHER, SNAP, PRACTICE = (f"data/{n}.yml" for n in (
    "decision_tree", "synonyms", "related_codes", "reported_together", "codeset_snapshot", "practice"))
START_PAGE = "guide/index.md"

GENERATE_CASES = [
    # Data files: bytes, structure and YAML features an editor should never need.
    Case("dup-key-synonym", replace(SYN, r"^(  code: M62\.830\n)", r"\1  code: M62.831\n"), "refused",
         r"data/synonyms\.yml, line \d+, column \d+: the key 'code' appears twice"),
    Case("dup-key-question", replace(TREE, r"^(    question: .*\n)", r"\1\1"), "refused",
         r"data/decision_tree\.yml, line \d+, column \d+: the key 'question' appears twice"),
    Case("dup-key-top-level", append(TREE, "\nstart: red-flags\n"), "refused",
         r"data/decision_tree\.yml, line \d+, column \d+: the key 'start' appears twice"),
    Case("dup-key-related", replace(REL, r"^(  report: true\n)", r"\1  report: false\n"), "refused",
         r"data/related_codes\.yml, line \d+, column \d+: the key 'report' appears twice"),
    Case("dup-key-together", replace(TOGETHER, r"^(  - header: M79\.1-\n)", r"\1    header: M79.1-\n"), "refused",
         r"data/reported_together\.yml, line \d+, column \d+: the key 'header' appears twice"),
    Case("deep-nesting", write(SYN, deep_nesting(5000)), "refused", r"data/synonyms\.yml.*nested more than \d+ levels"),
    Case("alias-bomb", write(TOGETHER, ALIAS_BOMB), "refused", r"data/reported_together\.yml: aliases expand"),
    Case("not-utf8", prepend_bytes(SYN, b"# caf\xe9\n"), "refused", r"data/synonyms\.yml, line 1: not UTF-8"),
    Case("bom-data", prepend_bytes(REL, b"\xef\xbb\xbf"), "refused", r"data/related_codes\.yml, line 1: .*byte order mark"),
    Case("nul-byte", append(SYN, "\n# \x00\n"), "refused", r"data/synonyms\.yml, line \d+: control character U\+0000"),
    Case("bell-char", replace(SYN, r"why: The official wording", "why: The \x07official wording"), "refused",
         r"data/synonyms\.yml, line \d+: control character U\+0007"),
    Case("bidi-override", replace(REL, r"group: Muscle spasm", "group: Muscle \u202espasm"), "refused",
         r"data/related_codes\.yml, line \d+: control character U\+202E"),
    Case("empty-synonyms", write(SYN, ""), "refused", r"data/synonyms\.yml: the file is empty"),
    Case("comments-only-tree", write(TREE, "# nothing here\n"), "refused", r"data/decision_tree\.yml: the file is empty"),
    Case("empty-together", write(TOGETHER, "# cleared\n"), "refused", r"data/reported_together\.yml: the file is empty"),
    Case("python-tag", write(SYN, "- !!python/object/apply:os.system ['true']\n"), "refused",
         r"data/synonyms\.yml, line 1, column \d+: .*only plain YAML values"),
    Case("top-level-string", write(REL, "just a sentence\n"), "refused",
         r"data/related_codes\.yml: expected a list of entries"),
    Case("tree-is-a-list", write(TREE, "- a\n- b\n"), "refused", r"data/decision_tree\.yml: expected a mapping"),
    Case("file-is-a-folder", lambda root: ((root / SYN).unlink(), (root / SYN).mkdir()), "refused",
         r"data/synonyms\.yml: is a folder"),
    Case("missing-file", lambda root: (root / REL).unlink(), "refused", r"data/related_codes\.yml: file is missing"),
    Case("data-link-outside", lambda root: ((root / SYN).unlink(), (root / SYN).symlink_to("/etc/hostname")),
         "refused", r"data/synonyms\.yml: is a link to /etc/hostname, outside the project"),
    # Wrong content that would publish silently.
    Case("unknown-code", edit_yaml(SYN, set_entry(0, "code", "M62.839")), "refused",
         r"data/synonyms\.yml, term 'back spasm': M62\.839 is not in the ICD-10-CM tabular"),
    Case("code-without-dot-data", edit_yaml(SYN, set_entry(0, "code", "M62830")), "refused",
         r"data/synonyms\.yml, term 'back spasm': M62830 .*write it with its dot: M62\.830"),
    Case("answer-id-with-dots", edit_yaml(TREE, lambda t: t["questions"][0]["answers"][0].update(id="../../etc")),
         "refused", r"data/decision_tree\.yml, question '[a-z-]+': answers\.0\.id: String should match pattern"),
    Case("answer-id-with-space", edit_yaml(TREE, lambda t: t["questions"][0]["answers"][0].update(id="no red flag")),
         "refused", r"data/decision_tree\.yml, question '[a-z-]+': answers\.0\.id"),
    Case("reserved-first-answer", edit_yaml(TREE, lambda t: t["questions"][0]["answers"][0].update(id="index")),
         "refused", r"data/decision_tree\.yml, question '[a-z-]+', answer 'index': 'index' is reserved"),
    Case("snapshot-wrong-type", write(SNAP, "release: April 1, 2026\npackage: x\ncodes: [M62.830, M62.831]\n"),
         "refused", r"data/codeset_snapshot\.yml: codes: Input should be a valid dictionary"),
    Case("snapshot-title-not-text", replace(SNAP, r"^(  M62\.830:\n    title: ).*$", r"\g<1>[1, 2]"), "refused",
         r"data/codeset_snapshot\.yml: codes\.M62\.830\.title"),
    Case("together-no-representative", edit_yaml(TOGETHER, lambda d: d.update(representatives=[])), "refused",
         r"data/reported_together\.yml, representatives: .* has no code in the matrix"),
    # Text from data is shown as text, wherever it lands.
    Case("script-in-question", edit_yaml(TREE, set_first("questions", "question", f"Red flag? {SCRIPT}")),
         "escaped", "", START_PAGE),
    Case("title-breakout-in-question",
         edit_yaml(TREE, set_first("questions", "question", f"Red flag?</title>{SCRIPT}")), "escaped", "", START_PAGE,
         "&lt;/title&gt;"),
    Case("script-in-answer-label", edit_yaml(TREE, set_answer_label(f"No {SCRIPT}")), "escaped", "", START_PAGE),
    Case("handler-in-hint", edit_yaml(TREE, set_first("questions", "hint", '<img src=x onerror="alert(1)">')),
         "escaped", "", START_PAGE, "&lt;img src=x onerror="),
    Case("markdown-link-in-label", edit_yaml(TREE, set_answer_label("[click](javascript:alert(1))")),
         "escaped", "", START_PAGE, "[click](javascript:alert(1))"),
    Case("newlines-break-html-block", edit_yaml(TREE, set_answer_label("No\n\n\n[x](javascript:alert(1))\n\n# Heading")),
         "escaped", "", START_PAGE, "No [x](javascript:alert(1)) # Heading"),
    Case("marker-in-data", edit_yaml(TREE, set_answer_label("No <!-- generated: synonyms -->")),
         "escaped", "", START_PAGE, "&lt;!-- generated: synonyms --&gt;"),
    Case("jinja-in-data", edit_yaml(TREE, set_answer_label("No {{ 7 * 7 }} {% if 1 %}x{% endif %}")),
         "escaped", "", START_PAGE, "No {{ 7 * 7 }} {% if 1 %}x{% endif %}"),
    Case("script-in-synonym-why", edit_yaml(SYN, set_entry(0, "why", f"Back {SCRIPT}")), "escaped", "",
         "also-known-as.md"),
    Case("script-in-related-when", edit_yaml(REL, set_entry(0, "when_to_use", f"Back {SCRIPT}")), "escaped", "",
         "related-codes.md"),
    Case("script-in-synonym-term", edit_yaml(SYN, set_entry(0, "term", f"back {SCRIPT}")), "escaped", "",
         "also-known-as.md"),
    Case("script-in-practice-title", edit_yaml(PRACTICE, set_practice("title", f"Ow {SCRIPT}")), "escaped", "",
         "practice/index.md"),
    Case("script-in-practice-mistake",
         edit_yaml(PRACTICE, lambda d: d["confusions"][next(iter(d["confusions"]))].update(mistake=f"A {SCRIPT}")),
         "escaped", "", "practice/"),
    Case("dup-key-practice", replace(PRACTICE, r"^(    title: .*\n)", r"\1\1"), "refused",
         r"data/practice\.yml, line \d+, column \d+: the key 'title' appears twice"),
    Case("practice-code-without-dot", edit_yaml(PRACTICE, set_practice_codes(["M62831"])), "refused",
         r"data/practice\.yml, case '[a-z0-9-]+', distractor 1: M62831 .*write it with its dot"),
    # Pages written by hand.
    Case("script-in-page", append("docs/qa.md", f"\n\n{SCRIPT}\n"), "refused",
         r"docs/qa\.md, line \d+: a <script> element"),
    Case("style-in-page", append("docs/qa.md", "\n\n<style>body{display:none}</style>\n"), "refused",
         r"docs/qa\.md, line \d+: a <style> element"),
    Case("handler-in-page", append("docs/qa.md", '\n\n<a href="qa.html" onclick="x()">x</a>\n'), "refused",
         r"docs/qa\.md, line \d+: an event-handler attribute"),
    Case("javascript-link-in-page", append("docs/qa.md", "\n\n[x](javascript:alert(1))\n"), "refused",
         r"docs/qa\.md, line \d+: a javascript: address"),
    Case("meta-refresh-in-page", append("docs/qa.md", '\n\n<meta http-equiv="refresh" content="0; url=https://x.example/">\n'),
         "refused", r"docs/qa\.md, line \d+: a <meta http-equiv> element"),
    Case("mermaid-in-page", append("docs/qa.md", "\n\n```mermaid\ngraph TD; A-->B\n```\n"), "refused",
         r"docs/qa\.md, line \d+: a mermaid diagram"),
    Case("bom-page", prepend_bytes("docs/qa.md", b"\xef\xbb\xbf"), "refused", r"docs/qa\.md, line 1: .*byte order mark"),
    Case("not-utf8-page", prepend_bytes("docs/pitfalls.md", b"\xff\xfe"), "refused",
         r"docs/pitfalls\.md, line 1: not UTF-8"),
    Case("nul-in-page", append("docs/qa.md", "\nA\x00B\n"), "refused", r"docs/qa\.md, line \d+: control character U\+0000"),
    Case("front-matter-not-closed", write("docs/extra.md", "---\ntitle: Extra\n\n# Extra\n"), "refused",
         r"docs/extra\.md, line 1: front matter is not closed"),
    Case("front-matter-bad-yaml", write("docs/extra.md", "---\ntitle: [unclosed\n---\n\n# Extra\n"), "refused",
         r"docs/extra\.md, line \d+: front matter is not valid YAML"),
    Case("front-matter-unknown-key", write("docs/extra.md", "---\ntitel: Extra\n---\n\n# Extra\n"), "refused",
         r"docs/extra\.md, front matter: titel: unknown field"),
    Case("front-matter-dup-key", write("docs/extra.md", "---\ntitle: A\ntitle: B\n---\n\n# Extra\n"), "refused",
         r"docs/extra\.md, line 3: front matter: the key 'title' appears twice"),
    Case("front-matter-not-mapping", write("docs/extra.md", "---\n- a list\n---\n\n# Extra\n"), "refused",
         r"docs/extra\.md, front matter: front matter must be a mapping"),
    Case("front-matter-script-title", write("docs/extra.md", f"---\ntitle: \"Extra {SCRIPT}\"\n---\n\n# Extra\n"),
         "escaped", "", "extra.md"),
    Case("front-matter-quote-description", write("docs/extra.md", '---\ndescription: \'a" onload="x\'\n---\n\n# Extra\n'),
         "escaped", "", "extra.md", "a&quot; onload=&quot;x"),
    Case("code-without-dot-page", append("docs/qa.md", "\n\nReport M62830 for this.\n"), "refused",
         r"docs/qa\.md, line \d+: M62830: write the code with its dot, M62\.830"),
    Case("header-as-code-page", append("docs/qa.md", "\n\nReport M62.83 for this.\n"), "refused",
         r"docs/qa\.md, line \d+: M62\.83 is a header, not billable"),
    Case("unknown-marker", append("docs/qa.md", "\n\n<!-- generated: nothing-here -->\n"), "refused",
         r"docs/qa\.md, line \d+: unknown marker 'nothing-here'"),
    Case("unknown-title-placeholder", append("docs/qa.md", "\n\n<!-- title: M62.839 -->\n"), "refused",
         r"docs/qa\.md, line \d+: title placeholder: M62\.839 is not in the tabular"),
    Case("page-link-outside", link("docs/passwd.md", "/etc/passwd"), "refused",
         r"docs/passwd\.md: is a link to /etc/passwd, outside the project"),
    Case("folder-link-outside", link("docs/etc", "/etc"), "refused", r"docs/etc: is a link to /etc, outside"),
    Case("theme-link-outside", link("overrides/leak.txt", "/etc/hostname"), "refused",
         r"overrides/leak\.txt: is a link to /etc/hostname, outside"),
    Case("page-name-with-space", write("docs/my notes.md", "# Notes\n"), "refused",
         r"docs/my notes\.md: the name becomes part of a web address"),
    Case("page-name-with-accent", write("docs/r\u00e9sum\u00e9.md", "# Notes\n"), "refused",
         r"docs/r\u00e9sum\u00e9\.md: the name becomes part of a web address"),
    Case("page-hides-a-generated-one", write("docs/guide/index.md", "# Mine\n"), "refused",
         r"docs/guide/index\.md: a generated page has the same path"),
]

# Editor leftovers that are skipped, never published and never an error.
SKIPPED = [".notes.md", "qa.md~", ".qa.md.swp"]


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    for part in PROJECT_PARTS:
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / part)
    return root


def generate(root: Path, tmp_path: Path):
    return stage_project(root, tmp_path)


@pytest.mark.parametrize("case", GENERATE_CASES, ids=[c.name for c in GENERATE_CASES])
def test_hostile_input_is_refused_by_name_or_shown_escaped(case, project, tmp_path):
    case.mutate(project)
    if case.expect == "refused":
        with pytest.raises(BuildFailed) as failed:
            generate(project, tmp_path)
        messages = [str(e) for e in failed.value.errors]
        assert any(re.search(case.where, m) for m in messages), "\n".join(messages)
        return
    generate(project, tmp_path)
    stage = tmp_path / "stage"
    # A folder ("practice/"): the text lands on some of its pages, each shows it escaped.
    where = sorted(stage.glob(case.escaped_in + "**/*.md")) if case.escaped_in.endswith("/") else [stage / case.escaped_in]
    texts = [p.read_text(encoding="utf-8") for p in where]
    assert any(case.shows in t for t in texts), f"{case.escaped_in} does not show the text escaped"
    for staged in texts:
        assert "<script>" not in staged and "javascript:alert" not in staged.replace(case.shows, "")


def test_editor_leftovers_are_skipped_not_published(project, tmp_path):
    for name in SKIPPED:
        (project / "docs" / name).write_text("<script>x</script>\n", encoding="utf-8")
    generate(project, tmp_path)
    staged = {p.name for p in (tmp_path / "stage").rglob("*")}
    assert not staged & set(SKIPPED)


def test_a_link_inside_the_project_is_followed(project, tmp_path):
    (project / "docs" / "again.md").symlink_to(project / "docs" / "qa.md")
    generate(project, tmp_path)
    assert (tmp_path / "stage" / "again.md").is_file()


# --- Deploy settings --------------------------------------------------------------------

SETTINGS_CASES = [
    ("prefix-dot-dot", "prefix: /coding/../../etc/\nserver_root: /srv/www/site/\n", r"prefix: '\.' and '\.\.' segments"),
    ("prefix-dot", "prefix: /coding/./\nserver_root: /srv/www/site/\n", r"prefix: '\.' and '\.\.' segments"),
    ("root-dot-dot", "prefix: /coding/\nserver_root: /srv/www/../../etc/\n", r"server_root: '\.' and '\.\.' segments"),
    ("prefix-relative", "prefix: coding/back-spasm\nserver_root: /srv/www/site/\n", r"prefix: not a URL path"),
    ("prefix-nginx-injection", "prefix: '/x/ { return 200; } location /y/'\nserver_root: /srv/\n", r"prefix: not a URL path"),
    ("prefix-quote", "prefix: '/a\"b/'\nserver_root: /srv/\n", r"prefix: not a URL path"),
    ("unknown-key", "prefix: /a/\nserver_root: /srv/\nlisten: 80\n", r"listen: Extra inputs"),
    ("duplicate-key", "prefix: /a/\nprefix: /b/\nserver_root: /srv/\n", r"line 2, column 1: the key 'prefix' appears twice"),
    ("not-utf8", b"prefix: /caf\xe9/\nserver_root: /srv/\n", r"line 1: not UTF-8"),
    ("empty", "", r": the file is empty"),
    ("a-list", "- /a/\n", r": expected a mapping"),
]


@pytest.mark.parametrize("name, content, where", SETTINGS_CASES, ids=[c[0] for c in SETTINGS_CASES])
def test_bad_deploy_settings_are_refused_by_name(tmp_path, name, content, where):
    path = tmp_path / "settings.yml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(BuildFailed) as failed:
        deploy.load_settings(path)
    messages = [str(e) for e in failed.value.errors]
    assert any(m.startswith("deploy/settings.yml") and re.search(where, m) for m in messages), messages


# --- Output folders ---------------------------------------------------------------------

def _outputs(root: Path, site: str, stage: str = "build/docs") -> list[str]:
    return [str(e) for e in publish.check_outputs(root / site, root / stage, root, root / "data")]


OUTPUT_CASES = [
    ("site-is-project", ".", "build/docs", r"--site-dir .*: is the project folder"),
    ("site-is-parent", "..", "build/docs", r"--site-dir .*: is the project folder or contains it"),
    ("site-is-docs", "docs", "build/docs", r"--site-dir .*docs: overlaps .*docs"),
    ("site-inside-data", "data/site", "build/docs", r"--site-dir .*: overlaps .*data"),
    ("stage-is-data", "site", "data", r"--stage-dir .*data: overlaps"),
    ("stage-is-overrides", "site", "overrides", r"--stage-dir .*overrides: overlaps"),
    ("site-holds-git", "other", "build/docs", r"--site-dir .*other: holds a \.git folder"),
    ("site-not-ours", "notes", "build/docs", r"--site-dir .*notes: is not empty and was not written by this build"),
    ("site-is-a-file", "mkdocs.yml", "build/docs", r"--site-dir .*mkdocs\.yml: (is a file|overlaps)"),
    ("site-equals-stage", "out", "out", r"--stage-dir .*out: overlaps --site-dir"),
]


@pytest.mark.parametrize("name, site, stage, where", OUTPUT_CASES, ids=[c[0] for c in OUTPUT_CASES])
def test_an_output_folder_that_would_destroy_something_is_refused(project, name, site, stage, where):
    (project / "other" / ".git").mkdir(parents=True)
    (project / "notes").mkdir()
    (project / "notes" / "mine.txt").write_text("keep me", encoding="utf-8")
    messages = _outputs(project, site, stage)
    assert any(re.search(where, m) for m in messages), messages


def test_a_link_to_the_sources_is_seen_through(project):
    (project / "shortcut").symlink_to(project / "docs")
    assert any("overlaps" in m for m in _outputs(project, "shortcut"))


def test_new_empty_and_previous_output_folders_are_accepted(project):
    (project / "empty").mkdir()
    (project / "previous" / "_deploy").mkdir(parents=True)
    (project / "previous" / publish.SITE_MARKER).write_text("{}", encoding="utf-8")
    for site in ("site", "empty", "previous", "new/deeper"):
        assert _outputs(project, site) == [], site


# --- Whole builds in a throwaway project ------------------------------------------------

@pytest.fixture
def buildable(tmp_path) -> Path:
    """A throwaway copy of the project's sources, built by the installed package."""
    root = tmp_path / "project"
    for part in PROJECT_PARTS:
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / part)
    return root


ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
BUILD = [sys.executable, "-m", "backspasm", "build"]


def run_build(root: Path, *args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run([*BUILD, *args], cwd=root, capture_output=True, text=True, timeout=timeout, env=ENV)


def tree_digest(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every file below folder and a hash of its bytes (links as their target)."""
    found = {}
    for current, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if os.path.relpath(os.path.join(current, d), folder) not in skip]
        for name in files:
            path = Path(current, name)
            rel = path.relative_to(folder).as_posix()
            found[rel] = os.readlink(path) if path.is_symlink() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.mark.slow
def test_a_refused_build_leaves_the_site_byte_identical_and_nothing_else_touched(buildable):
    first = run_build(buildable)
    assert first.returncode == 0, first.stderr
    site_before = tree_digest(buildable / "site")
    (buildable / "docs" / "qa.md").write_text((buildable / "docs" / "qa.md").read_text() + f"\n{SCRIPT}\n")
    rest_before = tree_digest(buildable, skip=("site", "build"))
    second = run_build(buildable)
    assert second.returncode == 1
    assert "docs/qa.md, line" in second.stderr and "Traceback" not in second.stderr
    assert tree_digest(buildable / "site") == site_before
    assert tree_digest(buildable, skip=("site", "build")) == rest_before
    assert sorted(p.name for p in buildable.iterdir()) == sorted([*PROJECT_PARTS, "site", "build"])


@pytest.mark.slow
def test_dangerous_output_options_touch_nothing(buildable):
    before = tree_digest(buildable)
    for args in (["--site-dir", "."], ["--site-dir", "docs"], ["--stage-dir", "data"], ["--site-dir", str(buildable.parent)]):
        result = run_build(buildable, *args)
        assert result.returncode == 1, args
        assert "Nothing was published" in result.stderr and "Traceback" not in result.stderr
    assert tree_digest(buildable) == before


@pytest.mark.slow
def test_bad_deploy_settings_stop_the_build_before_a_temp_folder_is_left(buildable):
    (buildable / "deploy" / "settings.yml").write_bytes(b"prefix: /caf\xe9/\nserver_root: /srv/\n")
    result = run_build(buildable)
    assert result.returncode == 1 and "deploy/settings.yml, line 1: not UTF-8" in result.stderr
    assert "Traceback" not in result.stderr
    assert not [p for p in buildable.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_ctrl_c_and_a_killed_build_leave_no_temp_folder_and_the_last_site(buildable):
    assert run_build(buildable).returncode == 0
    site_before = tree_digest(buildable / "site")
    script = BUILD
    for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        process = subprocess.Popen(script, cwd=buildable, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=ENV)
        _wait_for_temp_folder(buildable, process)
        process.send_signal(stop)
        _, err = process.communicate(timeout=60)
        if stop != signal.SIGKILL:
            # 130 from the command, or -2 when the interpreter re-raises Ctrl+C on exit.
            assert process.returncode in (130, -signal.SIGINT), err
            assert "Build interrupted. Nothing was published" in err and "Traceback" not in err
            assert not [p for p in buildable.iterdir() if p.name.startswith(".site")]
        assert tree_digest(buildable / "site") == site_before
    # The killed build left its temporary folder; the next build removes it.
    assert [p for p in buildable.iterdir() if p.name.startswith(".site")]
    result = run_build(buildable)
    assert result.returncode == 0 and "left by a build that was stopped" in result.stdout
    assert not [p for p in buildable.iterdir() if p.name.startswith(".site")]


def _wait_for_temp_folder(root: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".site.building-") for p in root.iterdir()):
        assert process.poll() is None, "the build ended before it was interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.02)


@pytest.mark.slow
def test_a_second_build_in_the_same_folder_waits_for_the_first(buildable):
    first = subprocess.Popen(BUILD, cwd=buildable,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    _wait_for_temp_folder(buildable, first)
    second = run_build(buildable)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr
    assert "Another build is writing" in second.stdout
    assert (buildable / "site" / "index.html").is_file()
