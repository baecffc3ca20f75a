"""Post-build: make Material's fixed page frame valid HTML (Nu HTML Checker).

Material writes its drawer and search toggles as
<input type="checkbox" ... autocomplete="off">, and the HTML standard allows
autocomplete only on text-like inputs. Those inputs sit in base.html outside any
template block, so overrides/ cannot change them without copying the whole base
template; this step removes the attribute from checkboxes instead.
"""
from __future__ import annotations

import re
from pathlib import Path

CHECKBOX_AUTOCOMPLETE = re.compile(r'(<input\b[^>]*\btype="checkbox"[^>]*?)\s+autocomplete="off"([^>]*>)')


def fix_checkbox_autocomplete(html: str) -> str:
    return CHECKBOX_AUTOCOMPLETE.sub(r"\1\2", html)


def fix_theme_markup(site: Path, root: Path) -> None:
    """Hook for pipeline.post_build_hooks()."""
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        fixed = fix_checkbox_autocomplete(html)
        if fixed != html:
            page.write_text(fixed, encoding="utf-8")
