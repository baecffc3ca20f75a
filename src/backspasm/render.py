"""The Jinja2 environment every page is rendered with. Autoescape is always on.

Templates link with filters from site_paths, so no template spells a path or an id:
    {{ "matrix.md" | href(here, code | anchor) }}   {{ code | code_page | href(here) }}
`here` is the path of the page being rendered.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from . import codeset, site_paths

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["anchor"] = site_paths.code_anchor
    env.filters["code_page"] = site_paths.code_page
    env.filters["href"] = lambda to_page, here, fragment="": site_paths.href(here, to_page, fragment)
    env.globals["title"] = codeset.title
    return env


def render(template: str, **values) -> str:
    return environment().get_template(template).render(**values)
