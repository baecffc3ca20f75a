"""Serve a built site on a loopback port: nginx with the tested config, or Python with gzip.

nginx is used when it is installed: scripts/sitegen/nginx_local.py (the harness the
deployment tests use) copies the site, regenerates the configs from deploy/ for the
copy and runs Debian's nginx under a URL prefix. Without nginx a small Python server
answers the way that config does for what a benchmark sees: gzip for text, a year of
caching for Material's hashed bundles, revalidation (304) for everything else.
"""
from __future__ import annotations

import contextlib
import email.utils
import gzip
import http.server
import re
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "/bench/"
COMPRESSED = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt"}
HASHED = re.compile(r"\.[0-9a-f]{8}\.min\.(js|css)$")


@dataclass
class Served:
    name: str
    url: str  # ends with "/"


def nginx_harness():
    """The deployment tests' nginx harness, or None when it or nginx is missing."""
    try:
        from sitegen import nginx_local
    except ImportError:
        return None
    return nginx_local if nginx_local.nginx_path() else None


@contextlib.contextmanager
def serve(site: Path, work: Path, mode: str = "auto"):
    """Yields a Served; mode is "auto", "nginx" or "python"."""
    harness = nginx_harness() if mode in ("auto", "nginx") else None
    if mode == "nginx" and harness is None:
        raise SystemExit("nginx or scripts/sitegen/nginx_local.py is missing: use --server python")
    if harness:
        with harness.serve(site, work / "nginx", PREFIX, ROOT / "deploy") as url:
            yield Served(f"nginx ({harness.nginx_path()}, the tested config from deploy/, under {PREFIX})", url)
    else:
        with _python(site) as served:
            yield served


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with gzip, cache headers and 304s, like the nginx config."""

    def log_message(self, *args):
        pass

    def end_headers(self):
        name = self.path.split("?", 1)[0]
        cache = "public, max-age=31536000, immutable" if HASHED.search(name) else "no-cache"
        self.send_header("Cache-Control", cache)
        super().end_headers()

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants_gzip and path.is_file() and path.suffix in COMPRESSED):
            return super().do_GET()
        stat = path.stat()
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                if int(stat.st_mtime) <= email.utils.parsedate_to_datetime(since).timestamp():
                    self.send_response(304)
                    self.end_headers()
                    return
            except (TypeError, ValueError):
                pass
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(int(stat.st_mtime)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def _python(site: Path):
    handler = lambda *a, **kw: GzipHandler(*a, directory=str(site), **kw)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served("Python http.server with gzip (nginx not found)",
                     f"http://127.0.0.1:{httpd.server_address[1]}/")
    finally:
        httpd.shutdown()
        httpd.server_close()
