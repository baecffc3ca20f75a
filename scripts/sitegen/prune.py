"""Post-build: delete what the published site never loads.

Material ships source maps (about 1.3 MB) and lunr language packs for some thirty
languages (about 1 MB). The search worker loads a pack only for a language named in
the search config, so with English alone none of them is needed. Search keeps working:
the worker, the search index and lunr itself (inside the worker) stay.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import BuildFailed, DataError

LUNR = Path("assets/javascripts/lunr")
SOURCE_MAP_COMMENT = re.compile(rb"\n?(//|/\*)# sourceMappingURL=\S+?\.map( \*/)?\s*$")


def prune(site: Path, root: Path) -> None:
    """Hook for pipeline.post_build_hooks(): remove source maps and unused lunr packs."""
    remove_source_maps(site)
    remove_unused_lunr_files(site, search_languages(site))


def remove_source_maps(site: Path) -> None:
    """Delete *.map files and the comments pointing to them (so no request 404s)."""
    for source_map in site.rglob("*.map"):
        source_map.unlink()
    for asset in [*site.glob("assets/**/*.js"), *site.glob("assets/**/*.css")]:
        data = asset.read_bytes()
        stripped = SOURCE_MAP_COMMENT.sub(b"\n", data)
        if stripped != data:
            asset.write_bytes(stripped)


def search_languages(site: Path) -> list[str]:
    """The languages the search worker will load, from the built search index."""
    index = site / "search" / "search_index.json"
    try:
        return list(json.loads(index.read_text(encoding="utf-8"))["config"]["lang"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BuildFailed([DataError(str(index), "config.lang", f"cannot read the search languages: {exc}")])


def needed_lunr_files(languages: list[str]) -> set[str]:
    """Paths under assets/javascripts/lunr/ that Material's search worker imports.

    Mirrors the worker's own rule (material/templates/assets/javascripts/workers/search):
    a pack per non-English language, a segmenter for ja/hi/th, multi for several languages.
    """
    needed: set[str] = set()
    for lang in languages:
        if lang == "ja":
            needed.add("tinyseg.js")
        if lang in ("hi", "th"):
            needed.add("wordcut.js")
        if lang != "en":
            needed.add(f"min/lunr.{lang}.min.js")
    if len(languages) > 1:
        needed.add("min/lunr.multi.min.js")
    if needed:
        needed.add("min/lunr.stemmer.support.min.js")
    return needed


def remove_unused_lunr_files(site: Path, languages: list[str]) -> None:
    folder = site / LUNR
    if not folder.is_dir():
        return
    keep = needed_lunr_files(languages)
    for path in sorted(folder.rglob("*"), reverse=True):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
