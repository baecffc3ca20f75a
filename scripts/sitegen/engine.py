"""The site engine, MkDocs + Material: the build call and the probe of the theme.

Moving to another engine (Zensical) means a new version of this module: the rest of
the build hands it a folder of staged Markdown and gets a folder of HTML back.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

from . import csp
from .errors import BuildFailed, DataError

CONFIG = "mkdocs.yml"
THEME_FOLDER = "overrides"


@contextlib.contextmanager
def _quiet():
    """Probe builds of empty pages warn about the nav; nobody needs to read that."""
    log = logging.getLogger("mkdocs")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def build(root: Path, stage: Path, out: Path, strict: bool = True, **overrides) -> None:
    """A strict build of the staged Markdown into `out` (which it fills)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    try:
        config = load_config(config_file=str(root / CONFIG), docs_dir=str(stage), site_dir=str(out),
                             strict=strict, **overrides)
        mkdocs_build(config)
    except (Abort, ConfigurationError) as exc:
        raise BuildFailed([DataError(CONFIG, "mkdocs build --strict", str(exc))]) from None


def _theme_fingerprint(root: Path, depth: int) -> str:
    digest = hashlib.sha256()
    for package in ("mkdocs", "mkdocs-material", "pymdown-extensions", "Markdown"):
        digest.update(f"{package}={metadata.version(package)}\n".encode())
    digest.update((root / CONFIG).read_bytes())
    theme = root / THEME_FOLDER
    for path in sorted(theme.rglob("*")) if theme.is_dir() else []:
        if path.is_file():
            digest.update(path.relative_to(theme).as_posix().encode() + b"\0" + path.read_bytes())
    digest.update(f"depth={depth}".encode())
    return digest.hexdigest()[:24]


def theme_allowlist(root: Path, depth: int, cache: Path) -> csp.Allowlist:
    """The theme's own inline code, from empty probe pages at folder depths 0..depth.

    Cached under the theme's fingerprint (versions, mkdocs.yml, overrides/): a change
    to any of them probes again.
    """
    cached = cache / f"theme-inline-{_theme_fingerprint(root, depth)}.json"
    found = csp.load(cached)
    if found is not None:
        return found
    with tempfile.TemporaryDirectory(prefix="theme-probe-") as tmp:
        docs = Path(tmp) / "docs"
        folder = docs
        folder.mkdir()
        for level in range(depth + 1):
            (folder / "index.md").write_text("# Probe\n\nText.\n", encoding="utf-8")
            folder = folder / f"level{level + 1}"
            folder.mkdir()
        with _quiet():
            build(root, docs, Path(tmp) / "site", strict=False, nav=[{"Probe": "index.md"}], not_in_nav="/**")
        found = csp.allowlist_from_probe(Path(tmp) / "site")
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob("theme-inline-*.json"):
        old.unlink()
    csp.save(found, cached)
    return found


def remove_folder(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
