"""The site engine, MkDocs + Material: the only module that knows them.

The rest of the build hands it a folder of staged Markdown and gets a folder of HTML
back; then asks it, page by page, to correct the theme's markup, and once to remove
what the theme ships but the site never loads. Moving to another engine (Zensical)
means a new version of this module (and of overrides/, the theme's templates).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from . import csp
from .errors import BuildFailed, DataError

CONFIG = "mkdocs.yml"
THEME_FOLDER = "overrides"
SEARCH_INDEX = "search/search_index.json"


def show_warnings() -> None:
    """MkDocs warnings (a strict build fails on them) go to stderr with their origin."""
    log = logging.getLogger("mkdocs")
    if not any(getattr(h, "_backspasm", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("mkdocs %(levelname)s: %(message)s"))
        handler._backspasm = True
        log.addHandler(handler)
    log.setLevel(logging.WARNING)


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


def build(root: Path, stage: Path, out: Path, strict: bool = True, footer: str = "", notice: str = "",
          **overrides) -> None:
    """A strict build of the staged Markdown into `out` (which it fills).

    footer: a line of HTML every page carries at its foot (the theme's copyright line);
    notice: a line every page shows at its top (the theme's announcement bar), or "".
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    try:
        config = load_config(config_file=str(root / CONFIG), docs_dir=str(stage), site_dir=str(out),
                             strict=strict, **overrides)
        if footer:
            config["copyright"] = footer
        config["extra"]["page_notice"] = notice
        mkdocs_build(config)
    except (Abort, ConfigurationError) as exc:
        raise BuildFailed([DataError(CONFIG, "mkdocs build --strict", str(exc))]) from None


# --- The theme's own inline scripts (for the Content-Security-Policy) --------------

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

    Material writes the page's depth into one of its scripts, so each depth has its own
    hash. Cached under the theme's fingerprint (versions, mkdocs.yml, overrides/).
    """
    cached = cache / f"theme-inline-{_theme_fingerprint(root, depth)}.json"
    found = csp.load(cached)
    if found is not None:
        return found
    with tempfile.TemporaryDirectory(prefix="theme-probe-") as tmp:
        docs = folder = Path(tmp) / "docs"
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


# --- Corrections to the theme's markup, page by page ---------------------------------

# Material writes its drawer and search toggles as <input type="checkbox" ...
# autocomplete="off">, and HTML allows autocomplete only on text-like inputs (Nu HTML
# Checker). They sit in base.html outside any block: removed here rather than copying
# the whole base template into overrides/.
CHECKBOX_AUTOCOMPLETE = re.compile(r'(<input\b[^>]*\btype="checkbox"[^>]*?)\s+autocomplete="off"([^>]*>)')


def fix_page(html: str) -> str:
    return CHECKBOX_AUTOCOMPLETE.sub(r"\1\2", html)


# --- The 404 page, served at any mistyped address -------------------------------------

CONFIG_JSON = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.DOTALL)


def pin_config_to_prefix(html: str, prefix: str) -> str:
    """Material's page config names the site's base; its script resolves it against the
    address bar, not <base>, so the 404 page's config gets the prefix itself."""
    def config_for_prefix(m: re.Match) -> str:
        config = json.loads(m.group(2))
        old_base, search = config.get("base", "."), config.get("search", "")
        if search.startswith(old_base) and old_base.startswith("/"):
            search = search[len(old_base):]
        config["base"], config["search"] = prefix, prefix + search.lstrip("/")
        # Same escaping as Jinja's tojson, so the JSON cannot close the <script> element.
        body = json.dumps(config).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return m.group(1) + body + m.group(3)

    return CONFIG_JSON.sub(config_for_prefix, html, count=1)


# --- What the theme ships but the site never loads ----------------------------------

LUNR = Path("assets/javascripts/lunr")
SOURCE_MAP_COMMENT = re.compile(rb"\n?(//|/\*)# sourceMappingURL=\S+?\.map( \*/)?\s*$")


def prune(site: Path) -> None:
    """Remove source maps (about 1.3 MB) and the lunr language packs search never loads (about 1 MB)."""
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
    index = site / SEARCH_INDEX
    try:
        return list(json.loads(index.read_text(encoding="utf-8"))["config"]["lang"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BuildFailed([DataError(str(index), "config.lang", f"cannot read the search languages: {exc}")]) from None


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
