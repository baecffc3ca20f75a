"""The build, step by step: generate, stage, check, mkdocs build, publish.

Nothing is published unless every step succeeded: mkdocs writes into a fresh folder
that replaces site/ only at the end.
"""
from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import codelinks, codeset, csp, deploy, engine, external_refs, prune, publish, sources, theme_markup
from .errors import BuildFailed, DataError

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"<!--\s*generated:\s*([a-z0-9-]+)\s*-->")
TITLE = re.compile(r"<!--\s*title:\s*(\S+)\s*-->")


@dataclass
class Context:
    root: Path
    data_dir: Path
    docs_src: Path
    stage: Path
    errors: list[DataError] = field(default_factory=list)
    # marker name -> Markdown/HTML that replaces <!-- generated: name -->
    fragments: dict[str, str] = field(default_factory=dict)
    # site path ("guide/index.md") -> Markdown of a generated page
    pages: dict[str, str] = field(default_factory=dict)
    # code -> site path of its own page, when one is generated
    code_pages: dict[str, str] = field(default_factory=dict)
    # code -> site paths of the pages that mention it
    usage: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # site path of a staged page -> the source file named in messages about it
    source_of: dict[str, str] = field(default_factory=dict)

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


Generator = Callable[[Context], None]


def generators() -> tuple[list[Generator], list[Generator]]:
    """(early, late): late generators run after every page was scanned for codes."""
    from . import codepages, guide, matrix, reference_tables, release_check

    # The release check first: after a code-set upgrade its report explains the errors
    # the other generators then find.
    early: list[Generator] = [release_check.compare, reference_tables.generate, guide.generate]
    # Code pages first (they fill ctx.code_pages), then the matrix; the snapshot is
    # written last, when every code the site uses is known.
    late: list[Generator] = [codepages.generate, matrix.generate, release_check.generate]
    return early, late


# Where a generated page's content comes from, for messages about the built page.
GENERATED_FROM = {
    "guide/": "data/decision_tree.yml",
    "codes/": "the official tabular (generated code page)",
    "matrix.md": "data/reported_together.yml",
}


def page_source(rel: str) -> str:
    for prefix, source in GENERATED_FROM.items():
        if rel.startswith(prefix):
            return f"{source}, page {rel}"
    return f"generated page {rel}"


def read_docs(ctx: Context) -> dict[str, tuple[str, str]]:
    """site path -> (Markdown, name for messages) of every hand-written page, read once.

    Files that are not Markdown (CSS, images) are copied to the stage as they are.
    Links out of the project, odd names and unreadable files are errors.
    """
    found, errors = sources.list_files(ctx.docs_src, ctx.root, ctx.rel(ctx.docs_src))
    ctx.errors.extend(errors)
    # The theme's own files are published too: the same rules for links.
    if (ctx.root / "overrides").is_dir():
        ctx.errors.extend(sources.list_files(ctx.root / "overrides", ctx.root, "overrides")[1])
    pages: dict[str, tuple[str, str]] = {}
    for src in found:
        if not src.rel.endswith(".md"):
            dest = ctx.stage / src.rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src.path, dest)
            continue
        text, problems = sources.read_page(src, ctx.root)
        ctx.errors.extend(problems)
        if text is not None:
            pages[src.rel] = (text, src.display)
    return pages


def with_generated(ctx: Context, docs: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The hand-written pages and the generated ones; a generated page never replaces one."""
    pages = dict(docs)
    for rel, text in ctx.pages.items():
        if rel not in pages:
            pages[rel] = (text, page_source(rel))
    return pages


def stage_pages(ctx: Context, pages: dict[str, tuple[str, str]], docs_pages: set[str]) -> None:
    """Check front matter and raw HTML, fill markers, check and link codes, write each page."""
    for rel, (text, display) in pages.items():
        page, problems = sources.split_page(text, display)
        ctx.errors.extend(problems)
        if page is None:
            continue
        if rel in docs_pages:
            # Generated pages come from autoescaped templates; a hand-written page may hold raw HTML.
            ctx.errors.extend(sources.unsafe_markup(page.body, display, page.body_line))
        ctx.source_of[rel] = display
        body, errors = fill_markers(page.body, display, ctx, page.body_line)
        ctx.errors.extend(errors)
        body, errors = codelinks.process(
            body,
            file=display,
            page_path=rel,
            link_target=ctx.code_pages.get,
            used=lambda code, rel=rel: ctx.usage[code].add(rel),
            first_line=page.body_line,
        )
        ctx.errors.extend(errors)
        dest = ctx.stage / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(sources.front_matter_block(page.meta) + body, encoding="utf-8")


def fill_markers(text: str, display: str, ctx: Context, first_line: int = 1) -> tuple[str, list[DataError]]:
    """Generated fragments and official titles in place of their markers."""
    errors: list[DataError] = []

    def fragment(m: re.Match) -> str:
        name = m.group(1)
        if name not in ctx.fragments:
            known = ", ".join(sorted(ctx.fragments)) or "none"
            line = text.count("\n", 0, m.start()) + first_line
            errors.append(
                DataError(display, f"line {line}", f"unknown marker '{name}' (known: {known})")
            )
            return ""
        return ctx.fragments[name]

    def title(m: re.Match) -> str:
        code = m.group(1)
        try:
            return codeset.title(code)
        except KeyError:
            line = text.count("\n", 0, m.start()) + first_line
            errors.append(
                DataError(display, f"line {line}", f"title placeholder: {code} is not in the tabular")
            )
            return ""

    return TITLE.sub(title, MARKER.sub(fragment, text)), errors


def generate(root: Path = ROOT, data_dir: Path | None = None, stage: Path | None = None) -> Context:
    """Run every generator and stage the Markdown. Raises BuildFailed with all errors."""
    stage = stage or root / "build" / "docs"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    publish.mark_stage(stage)
    ctx = Context(root=root, data_dir=data_dir or root / "data", docs_src=root / "docs", stage=stage)
    codeset.open_cache(root / "build" / "cache")
    try:
        return _generate(ctx)
    finally:
        codeset.save_cache()


def _generate(ctx: Context) -> Context:
    early, late = generators()
    for gen in early:
        gen(ctx)
    docs = read_docs(ctx)
    if ctx.errors:
        raise BuildFailed(ctx.errors)
    if late:
        # Late generators (code pages) need to know which codes the pages mention;
        # problems are reported once, when the pages are staged.
        for rel, (text, display) in with_generated(ctx, docs).items():
            for code in codelinks.codes_in(fill_markers(text, display, ctx)[0]):
                ctx.usage[code].add(rel)
        for gen in late:
            gen(ctx)
        ctx.usage.clear()
    for rel in sorted(set(docs) & set(ctx.pages)):
        ctx.errors.append(DataError(docs[rel][1], "", f"a generated page has the same path, {rel}: rename the file"))
    stage_pages(ctx, with_generated(ctx, docs), set(docs))
    if ctx.errors:
        raise BuildFailed(ctx.errors)
    return ctx


def mkdocs_build(root: Path, stage: Path, site_dir: Path, source_of: dict[str, str] | None = None) -> str:
    """Strict build of the staged pages beside site_dir, checked, then swapped in.

    Returns the Content-Security-Policy. Nothing replaces site_dir unless every step passed.
    """
    with publish.new_site_folder(site_dir) as built:
        engine.build(root, stage, built)
        policy = post_build(built, root, source_of or {})
        publish.swap_in(built, site_dir)
    return policy


def post_build(built: Path, root: Path, source_of: dict[str, str]) -> str:
    """One pass over the built folder before it is published; returns the CSP."""
    theme_markup.fix_theme_markup(built, root)
    prune.prune(built, root)
    by_html = {rel[:-3] + ".html": source for rel, source in source_of.items()}

    def read_source(name: str) -> str | None:
        path = root / name
        return path.read_text(encoding="utf-8", errors="replace") if name.startswith("docs/") and path.is_file() else None

    errors = external_refs.find_outside_assets(built, by_html)
    pages = [p.relative_to(built).as_posix() for p in built.rglob("*.html")]
    depth = max((p.count("/") for p in pages if not p.startswith("assets/")), default=0)
    allowed = engine.theme_allowlist(root, depth, root / "build" / "cache")
    errors += csp.check_site(built, allowed, by_html, read_source)
    if errors:
        raise BuildFailed(errors)
    policy = csp.policy(allowed)
    deploy.write_deploy_configs(built, root, policy)
    info = {
        "written_by": "scripts/build_site.py",
        "code_set": f"ICD-10-CM {codeset.release_name()} (simple-icd-10-cm {codeset.package_version()})",
        "content_security_policy": policy,
    }
    (built / deploy.BUILD_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return policy
