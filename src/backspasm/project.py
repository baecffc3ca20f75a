"""Where a build reads and writes, and what it is asked to do: values passed down the pipeline."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .errors import BuildFailed, DataError

CONFIG = "mkdocs.yml"


class Mode(enum.Enum):
    """What a run does with the checked, staged pages."""

    WRITE = "build"  # build, check the HTML, publish site/
    CHECK = "check"  # check data, pages, links and settings; build nothing
    ACCEPT = "accept-release"  # record the installed code-set release, then build


@dataclass(frozen=True)
class Project:
    root: Path  # holds mkdocs.yml, docs/, data/, deploy/, overrides/
    data: Path
    site: Path
    stage: Path
    today: date = field(default_factory=date.today)  # the day the build says it ran (and checks against)

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def deploy(self) -> Path:
        return self.root / "deploy"

    @property
    def theme(self) -> Path:
        return self.root / "overrides"

    @property
    def cache(self) -> Path:
        """Build artefacts kept between runs (code-set answers, the theme's script hashes)."""
        return self.root / "build" / "cache"

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    @classmethod
    def at(cls, root: Path, data: Path | None = None, site: Path | None = None, stage: Path | None = None,
           today: date | None = None) -> Project:
        root = root.resolve()
        if not (root / CONFIG).is_file():
            raise BuildFailed([DataError(str(root), "", f"no {CONFIG} here: run from the project folder, or pass --root")])
        return cls(root=root, data=data or root / "data", site=site or root / "site",
                   stage=stage or root / "build" / "docs", today=today or date.today())
