"""Errors a content editor can read: file, entry, what is wrong. Never a traceback."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataError:
    file: str
    entry: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, {self.entry}" if self.entry else self.file
        return f"{where}: {self.message}"


class BuildFailed(Exception):
    """Raised with every problem found, so an editor can fix them all in one pass."""

    def __init__(self, errors: list[DataError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class Problems(list):
    """The problems one step of the build found; the step raises them once, together."""

    def raise_any(self) -> None:
        if self:
            raise BuildFailed(self)
