"""The build, step by step: generate, stage, check, mkdocs build, publish.

Nothing is published unless every step succeeded: mkdocs writes into a fresh folder
that replaces site/ only at the end.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import codelinks, codeset
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


def collect_sources(ctx: Context) -> dict[str, tuple[str, str]]:
    """site path -> (Markdown, name for messages), from docs/ and the generated pages.

    Files that are not Markdown (CSS, images) are copied to the stage as they are.
    """
    sources: dict[str, tuple[str, str]] = {}
    for src in sorted(ctx.docs_src.rglob("*")):
        if not src.is_file():
            continue
        rel = src.relative_to(ctx.docs_src).as_posix()
        if src.suffix != ".md":
            dest = ctx.stage / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
            continue
        sources[rel] = (src.read_text(encoding="utf-8"), ctx.rel(src))
    for rel, text in ctx.pages.items():
        if rel in sources:
            ctx.errors.append(DataError(f"docs/{rel}", "", "a generated page has the same path"))
            continue
        sources[rel] = (text, f"generated page {rel}")
    return sources


def stage_pages(ctx: Context, sources: dict[str, tuple[str, str]]) -> None:
    """Fill markers, check and link codes, and write each page into the stage."""
    for rel, (text, display) in sources.items():
        text = _fill_markers(text, display, ctx)
        text, errors = codelinks.process(
            text,
            file=display,
            page_path=rel,
            link_target=ctx.code_pages.get,
            used=lambda code, rel=rel: ctx.usage[code].add(rel),
        )
        ctx.errors.extend(errors)
        dest = ctx.stage / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")


def _fill_markers(text: str, display: str, ctx: Context) -> str:
    def fragment(m: re.Match) -> str:
        name = m.group(1)
        if name not in ctx.fragments:
            known = ", ".join(sorted(ctx.fragments)) or "none"
            line = text.count("\n", 0, m.start()) + 1
            ctx.errors.append(
                DataError(display, f"line {line}", f"unknown marker '{name}' (known: {known})")
            )
            return ""
        return ctx.fragments[name]

    def title(m: re.Match) -> str:
        code = m.group(1)
        try:
            return codeset.title(code)
        except KeyError:
            line = text.count("\n", 0, m.start()) + 1
            ctx.errors.append(
                DataError(display, f"line {line}", f"title placeholder: {code} is not in the tabular")
            )
            return ""

    return TITLE.sub(title, MARKER.sub(fragment, text))


def generate(root: Path = ROOT, data_dir: Path | None = None, stage: Path | None = None) -> Context:
    """Run every generator and stage the Markdown. Raises BuildFailed with all errors."""
    stage = stage or root / "build" / "docs"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    ctx = Context(root=root, data_dir=data_dir or root / "data", docs_src=root / "docs", stage=stage)
    early, late = generators()
    for gen in early:
        gen(ctx)
    if ctx.errors:
        raise BuildFailed(ctx.errors)
    if late:
        # Late generators (code pages) need to know which codes the pages mention.
        for rel, (text, _) in collect_sources(ctx).items():
            for code in codelinks.codes_in(_fill_markers(text, "", ctx)):
                ctx.usage[code].add(rel)
        for gen in late:
            gen(ctx)
        ctx.usage.clear()
    stage_pages(ctx, collect_sources(ctx))
    if ctx.errors:
        raise BuildFailed(ctx.errors)
    return ctx


def mkdocs_build(root: Path, stage: Path, site_dir: Path) -> None:
    """Strict mkdocs build of the staged pages into a fresh folder, then swap it in."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    site_dir = site_dir.resolve()
    tmp = Path(tempfile.mkdtemp(prefix=".site-", dir=site_dir.parent))
    try:
        config = load_config(
            config_file=str(root / "mkdocs.yml"),
            docs_dir=str(stage),
            site_dir=str(tmp),
            strict=True,
        )
        build(config)
    except (Abort, ConfigurationError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildFailed([DataError("mkdocs.yml", "mkdocs build --strict", str(exc))]) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for hook in post_build_hooks():
        try:
            hook(tmp, root)
        except BuildFailed:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    old = site_dir.with_name(site_dir.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if site_dir.exists():
        site_dir.rename(old)
    tmp.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)


def post_build_hooks() -> list[Callable[[Path, Path], None]]:
    """Steps on the built folder before it is published (asset pruning, deploy configs)."""
    from . import prune, theme_markup

    hooks: list[Callable[[Path, Path], None]] = [theme_markup.fix_theme_markup, prune.prune]
    # Last: the strict outside-asset check and the server configs (CSP hashes) must see
    # the final pages.
    from . import deploy, external_refs

    hooks += [external_refs.fail_on_outside_assets, deploy.write_deploy_configs]
    return hooks

