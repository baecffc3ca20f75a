"""Where the build may write, and how a new site replaces the last good one.

Nothing a reader or an editor owns is ever deleted:
- an output folder (the site, the staged pages) is refused when it is the project, holds
  a .git folder, overlaps the sources, or holds files that no build of ours wrote;
  build outputs carry a marker file, so the next build knows it may replace them;
- one build at a time writes to a folder (a lock; a second build waits, then stops);
- the site is built in a temporary sibling folder and swapped in only when complete;
  temporary folders go on every exit path, and those of a killed build are removed by
  the next build;
- the published tree is world-readable (folders 0755, files 0644), so a web server
  whose workers run as another user can serve a copy made with `cp -a`.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .deploy import BUILD_INFO as SITE_MARKER  # the server configs hide _deploy/
from .errors import BuildFailed, DataError

STAGE_MARKER = ".build-output"
LOCK_WAIT_SECONDS = 300
DIR_MODE, FILE_MODE = 0o755, 0o644
# What must never be inside, or contain, an output folder.
SOURCE_FOLDERS = ("docs", "data", "src", "devtools", "scripts", "overrides", "deploy", "tests", ".git", ".ci", ".venv",
                  "node_modules")


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a in b.parents or b in a.parents


# Outputs of builds made before the markers existed, recognised by a file only they write.
LEGACY_MARKERS = {SITE_MARKER: "_deploy/nginx.conf", STAGE_MARKER: "guide/all-paths.md"}


def check_output(path: Path, option: str, root: Path, sources: list[Path], marker: str) -> list[DataError]:
    """Why the build may not write (and delete) there, or [] when it may."""
    real = path.resolve()
    root = root.resolve()
    where = f"{option} {path}"
    if real == root or real in root.parents:
        return [DataError(where, "", "is the project folder or contains it: the build would replace your sources")]
    if real.exists() and not real.is_dir():
        return [DataError(where, "", "is a file, not a folder")]
    if (real / ".git").exists():
        return [DataError(where, "", "holds a .git folder: it is somebody's project, not a build output")]
    for source in sources:
        if _overlap(real, source.resolve()):
            return [DataError(where, "", f"overlaps {source} (sources): choose a folder of its own, such as site/")]
    ours = (real / marker).is_file() or (real / LEGACY_MARKERS[marker]).is_file()
    if real.is_dir() and any(real.iterdir()) and not ours:
        return [DataError(where, "", "is not empty and was not written by this build: choose a new or empty folder "
                                     "(the build replaces everything in it)")]
    return []


def check_outputs(site: Path, stage: Path, root: Path, data_dir: Path) -> list[DataError]:
    sources = [root / name for name in SOURCE_FOLDERS] + [data_dir, root / "mkdocs.yml"]
    errors = check_output(site, "--site-dir", root, sources, SITE_MARKER)
    errors += check_output(stage, "--stage-dir", root, sources, STAGE_MARKER)
    if not errors and _overlap(site.resolve(), stage.resolve()):
        errors.append(DataError(f"--stage-dir {stage}", "", f"overlaps --site-dir {site}: use two separate folders"))
    if not data_dir.is_dir():
        errors.append(DataError(f"--data-dir {data_dir}", "", "folder is missing"))
    return errors


def mark_stage(stage: Path) -> None:
    (stage / STAGE_MARKER).write_text("Staged pages written by the build; replaced at every build.\n", encoding="utf-8")


# --- One build at a time -------------------------------------------------------------

def _lock_file(folder: Path) -> Path:
    key = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:20]
    return Path(tempfile.gettempdir()) / f"back-spasm-build-{key}.lock"


@contextlib.contextmanager
def locked(folders: list[Path], wait: float = LOCK_WAIT_SECONDS, say=print) -> Iterator[None]:
    """Hold a lock on each output folder; a second build waits for the first, then stops.

    flock locks vanish with the process, so a killed build never leaves one behind.
    """
    handles = []
    try:
        for folder in sorted({f.resolve() for f in folders}):
            handle = open(_lock_file(folder), "a+")  # noqa: SIM115 (closed below)
            handles.append(handle)
            deadline = time.monotonic() + wait
            told = False
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise BuildFailed([DataError(str(folder), "", f"another build has been writing here for over "
                                                                      f"{wait:.0f} s; stop it, or wait and try again")]) from None
                    if not told:
                        say(f"Another build is writing {folder}: waiting for it to finish...")
                        told = True
                    time.sleep(0.2)
        yield
    finally:
        for handle in handles:
            handle.close()


# --- Build beside, then swap ---------------------------------------------------------

def _temp_prefixes(site: Path) -> tuple[str, str]:
    return f".{site.name}.building-", f".{site.name}.replaced-"


def remove_stale_temp(site: Path) -> list[str]:
    """Temporary folders a killed build left beside the site (call with the lock held)."""
    removed = []
    parent = site.resolve().parent
    if not parent.is_dir():
        return removed
    for prefix in _temp_prefixes(site.resolve()):
        for stale in parent.glob(prefix + "*"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
                removed.append(stale.name)
    return removed


@contextlib.contextmanager
def new_site_folder(site: Path) -> Iterator[Path]:
    """A temporary folder beside `site` to build into; removed however the block ends."""
    site = site.resolve()
    site.parent.mkdir(parents=True, exist_ok=True)
    building, _ = _temp_prefixes(site)
    tmp = Path(tempfile.mkdtemp(prefix=building, dir=site.parent))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def make_world_readable(folder: Path) -> None:
    """Folders 0755, files 0644: mkdtemp makes 0700, and `cp -a` would carry that to the server."""
    os.chmod(folder, DIR_MODE)
    for current, dirs, files in os.walk(folder):
        for name in dirs:
            os.chmod(os.path.join(current, name), DIR_MODE)
        for name in files:
            path = os.path.join(current, name)
            if not os.path.islink(path):
                os.chmod(path, FILE_MODE)


def swap_in(built: Path, site: Path) -> None:
    """Fix permissions and replace `site` with `built` (the old one is removed)."""
    site = site.resolve()
    if not (built / SITE_MARKER).is_file():
        raise BuildFailed([DataError(str(site), "", f"the new build has no {SITE_MARKER}: not published")])
    make_world_readable(built)
    _, replaced = _temp_prefixes(site)
    old = None
    if site.exists():
        old = Path(tempfile.mkdtemp(prefix=replaced, dir=site.parent))
        site.rename(old / "site")
    built.rename(site)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --- Interruptions ------------------------------------------------------------------

@contextlib.contextmanager
def stop_cleanly_on_sigterm() -> Iterator[None]:
    """Treat SIGTERM like Ctrl+C, so `finally` blocks remove temporary folders.

    Ctrl+C is made to interrupt even where the parent process ignored it (a job started
    in the background inherits an ignored SIGINT).
    """
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = [(sig, signal.signal(sig, handler)) for sig, handler in
                    ((signal.SIGTERM, interrupt), (signal.SIGINT, signal.default_int_handler))]
    except ValueError:  # not the main thread (a test runner): nothing to install
        yield
        return
    try:
        yield
    finally:
        for sig, handler in previous:
            signal.signal(sig, handler)
