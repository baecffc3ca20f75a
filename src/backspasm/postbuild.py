"""One pass over the built site before it is published.

Each page is read once: the theme's markup is corrected (engine), and the page is
checked for inline code the Content-Security-Policy would not allow (csp) and for
anything fetched from outside the intranet (external_refs). Problems name the source
of the page. Then the server configs carry the policy, and the build records it.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import codeset, csp, deploy, engine, external_refs, htmlscan
from .errors import Problems
from .project import Project

ASSETS = "assets/"


def run(built: Path, project: Project, source_of: dict[str, str], settings: deploy.DeploySettings) -> str:
    """Check and finish the built folder in place; returns the Content-Security-Policy."""
    engine.prune(built)
    pages = sorted(built.rglob("*.html"))
    depth = max((p.relative_to(built).as_posix().count("/") for p in pages
                 if not p.relative_to(built).as_posix().startswith(ASSETS)), default=0)
    allowed = engine.theme_allowlist(project.root, depth, project.cache)
    problems = Problems()
    for path in pages:
        rel = path.relative_to(built).as_posix()
        html = path.read_text(encoding="utf-8")
        fixed = engine.fix_page(html)
        if fixed != html:
            path.write_text(fixed, encoding="utf-8")
        source = source_of.get(rel)
        found = htmlscan.scan(fixed)
        problems += csp.check_page(found, allowed, source or f"built page {rel}", rel, _source_text(project, source))
        problems += external_refs.errors_for(found.outside, rel, source)
    for path in sorted(built.rglob("*.css")):
        rel = path.relative_to(built).as_posix()
        problems += external_refs.errors_for(external_refs.scan_css(path.read_text(encoding="utf-8", errors="replace")),
                                             rel)
    problems.raise_any()
    policy = csp.policy(allowed)
    deploy.prepare(built, settings, project.deploy, policy)
    info = {
        "written_by": "backspasm build",
        "code_set": f"ICD-10-CM {codeset.release_name()} (simple-icd-10-cm {codeset.package_version()})",
        "content_security_policy": policy,
    }
    (built / deploy.BUILD_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return policy


def _source_text(project: Project, source: str | None) -> str | None:
    """A hand-written page's text, to find the line of a problem in it."""
    if not source or not source.startswith("docs/"):
        return None
    path = project.root / source
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None
