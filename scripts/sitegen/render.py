"""Jinja2 environment shared by every generator. Autoescape is always on."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from . import codeset

TEMPLATES = Path(__file__).parent / "templates"


def anchor(code: str) -> str:
    """Row id for a code on the related-codes page: M62.830 -> m62830, M79.1- -> m791."""
    bare, _ = codeset.strip_dash(code)
    return bare.replace(".", "").lower()


def make_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["anchor"] = anchor
    env.globals["title"] = codeset.title
    return env


_ENV: Environment | None = None


def render(template: str, **values) -> str:
    global _ENV
    if _ENV is None:
        _ENV = make_env()
    return _ENV.get_template(template).render(**values)
