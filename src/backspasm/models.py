"""Typed rows for the structured facts. Text fields are plain text: templates escape them."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


def one_line(value: object) -> object:
    """Text from a data file as one line: runs of spaces and line breaks become one space.

    A line break inside a text could end the HTML block a template puts it in, and the
    rest would be read as Markdown (a link, a heading); on one line it stays text.
    """
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [one_line(v) for v in value]
    return value


class Strict(BaseModel):
    """A data-file entry: unknown fields are refused, every text is one trimmed line."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _one_line(cls, value: object) -> object:
        return one_line(value)


class Synonym(Strict):
    """A word readers type, and the code it leads to."""

    term: str = Field(min_length=1)
    code: str
    origin: Literal["source page", "reader search"]
    relation: Literal["synonym", "leads elsewhere", "not a synonym"] = "synonym"
    why: str = Field(min_length=1)
    title: str | None = None  # optional: if given, must equal the official title


class RelatedCode(Strict):
    """One row of 'When to use each related code'."""

    code: str
    group: str
    report: bool  # true: the page tells readers to report it (or a code under it)
    when_to_use: str = Field(min_length=1)
    when_not: str = Field(min_length=1)
    seventh_character: bool = False  # true: a 7th character is required
    title: str | None = None  # optional: if given, must equal the official title
