"""Serve a built site with Debian's real nginx on a loopback port, under a URL prefix.

Used by the deployment tests, the bench and devtools/measure_transfer.py: the site is copied, its
configs are regenerated for the copy's folder, and nginx runs as a child process with
its pid, logs and temp files in a work folder, so several can run side by side.
"""
from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from backspasm import deploy

from . import server

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).parent / "templates"

NGINX = "/usr/sbin/nginx"


def nginx_path() -> str | None:
    return NGINX if Path(NGINX).exists() else shutil.which("nginx")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx stopped: {log.read_text(errors='replace')[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not answer on {url}")


@contextlib.contextmanager
def serve(site: Path, work: Path, prefix: str, templates: Path) -> Iterator[str]:
    """Yield the base URL (http://127.0.0.1:PORT/prefix/) of a copy of site under nginx."""
    work.mkdir(parents=True, exist_ok=True)
    copy = work / "site"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(site, copy)
    settings = deploy.DeploySettings(prefix=prefix, server_root=f"{copy.resolve()}/")
    deploy.prepare(copy, settings, templates)
    with serve_folder(copy, work, prefix) as base:
        yield base


@contextlib.contextmanager
def serve_folder(folder: Path, work: Path, prefix: str, user: str | None = None) -> Iterator[str]:
    """nginx serving a deployed folder (its _deploy/nginx.conf) at prefix.

    user: run the workers as this unprivileged user ("nobody nogroup"), as a packaged
    nginx does (needs root); None runs one process as the current user.
    """
    nginx = nginx_path()
    if nginx is None:
        raise FileNotFoundError("nginx is not installed: run `make test` (installs Debian's nginx)")
    work.mkdir(parents=True, exist_ok=True)
    (work / "temp").mkdir(exist_ok=True)
    port = _free_port()
    config = work / "nginx.conf"
    config.write_text(
        Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, trim_blocks=True,
                    lstrip_blocks=True, autoescape=False)
        .get_template("nginx-local.conf.j2")
        .render(work=work.resolve(), port=port, user=user, snippet=(folder / "_deploy" / "nginx.conf").resolve()),
        encoding="utf-8",
    )
    log = work / "error.log"
    process = subprocess.Popen(
        [nginx, "-p", str(work.resolve()), "-c", str(config.resolve()), "-e", str(log.resolve())],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}{prefix}"
    try:
        _wait_until_up(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def serve_best(site: Path, work: Path, prefix: str = "/bench/", mode: str = "auto") -> Iterator[tuple[str, str]]:
    """(description, base URL): nginx with the tested config when installed, else the Python server."""
    if mode in ("auto", "nginx") and nginx_path():
        with serve(site, work / "nginx", prefix, ROOT / "deploy") as url:
            yield f"nginx ({nginx_path()}, the tested config from deploy/, under {prefix})", url
    elif mode == "nginx":
        raise SystemExit("nginx is not installed: use --server python")
    else:
        with server.serve(site, prefix) as running:
            yield "the Python development server (gzip and cache headers like the nginx config)", running.url
