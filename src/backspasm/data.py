"""Load: every source of the site read once, validated, into immutable values.

data/*.yml -> typed models checked against the official tabular; docs/ -> page texts;
deploy/settings.yml -> deploy settings. Every problem of every file is collected and
raised together, so an editor fixes them in one pass.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import deploy, matrix, practice, release_check, sources, tables
from .errors import BuildFailed, DataError, Problems
from .guide.cases import Case, load_cases
from .guide.model import Tree
from .guide.pages import query_examples
from .guide.validate import load_tree
from .models import RelatedCode, Synonym
from .project import Mode, Project
from .site_paths import QUERY_EXAMPLES

TREE = "decision_tree.yml"
CASES = "cases.yml"


@dataclass(frozen=True)
class SiteData:
    synonyms: tuple[Synonym, ...]
    related: tuple[RelatedCode, ...]
    tree: Tree
    cases: tuple[Case, ...]
    choices: matrix.Choices
    snapshot: release_check.Snapshot | None  # None only when a release is being accepted
    settings: deploy.DeploySettings
    docs: sources.Docs
    practice: practice.PracticeBook | None  # None only when data/practice.yml failed (the build stops)


def load(project: Project, mode: Mode = Mode.WRITE) -> SiteData:
    """Read and check every source; raises BuildFailed with all the problems found."""
    problems = Problems()
    # The release check first: after a code-set upgrade its report explains the other errors.
    snapshot, errors = release_check.load_snapshot(project.data / release_check.SNAPSHOT)
    if mode is not Mode.ACCEPT:
        if snapshot is None:
            problems += errors + [DataError(release_check.DISPLAY, "", "missing or unreadable snapshot: create it "
                                                                       f"with `{release_check.ACCEPT_COMMAND}`")]
        else:
            problems += release_check.compare(snapshot)
    synonyms, errors = tables.load_synonyms(project.data / tables.SYNONYMS)
    problems += errors
    related, related_errors = tables.load_related(project.data / tables.RELATED)
    problems += related_errors
    docs, errors = sources.read_docs(project.docs, project.theme, project.root)
    problems += errors
    # With related_codes.yml broken, its own errors are reported; the tree's links to its
    # rows are not checked (no "no row" error per result).
    rows = None if related_errors else {item.code for item in related}
    tree, errors = load_tree(project.data / TREE, f"data/{TREE}", rows, query_examples(docs.pages.get(QUERY_EXAMPLES)))
    problems += errors
    cases, errors = load_cases(project.data / CASES, f"data/{CASES}")
    problems += errors
    book, errors = practice.load_practice(project.data / practice.PRACTICE_FILE, f"data/{practice.PRACTICE_FILE}")
    problems += errors
    choices, errors = matrix.load_choices(project.data / matrix.CHOICES)
    problems += errors
    try:
        settings = deploy.load_settings(project.deploy / "settings.yml")
    except BuildFailed as failed:
        problems += failed.errors
    problems.raise_any()
    return SiteData(tuple(synonyms), tuple(related), tree, tuple(cases), choices, snapshot, settings, docs, book)
