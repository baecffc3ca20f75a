"""One local web server for every development tool and test that needs one.

Serves a built site under a URL prefix the way the generated nginx config does, for
what a reader's browser can notice: gzip for text, a year of caching for Material's
hashed bundles and revalidation (304) for the rest, the site's 404 page, a redirect
from the prefix without its slash. It sends no Content-Security-Policy: the nginx
harness (devtools.nginx) tests the real config. `make serve` adds a reload hook.
"""
from __future__ import annotations

import contextlib
import email.utils
import gzip
import http.server
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

COMPRESSED = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt"}
HASHED = re.compile(r"\.[0-9a-f]{8}\.min\.(js|css)$")
TYPES = {".js": "text/javascript", ".json": "application/json", ".webmanifest": "application/manifest+json"}


@dataclass
class Options:
    root: Path
    prefix: str = "/"
    # HTML pages pass through this before they are sent (the reload hook of `make serve`).
    html_filter: Callable[[str, bytes], bytes] | None = None
    # Extra routes: path (without prefix) -> handler returning (status, content type, body).
    routes: dict[str, Callable[[], tuple[int, str, bytes]]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


class Handler(http.server.BaseHTTPRequestHandler):
    options: Options  # set on the subclass made per server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # the tests and the bench read self.options.log
        pass

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        opts = self.options
        path = unquote(urlsplit(self.path).path)
        opts.log.append(path)
        if path + "/" == opts.prefix:
            return self._send(301, "text/plain", b"", {"Location": opts.prefix}, head)
        if not path.startswith(opts.prefix):
            return self._not_found(head)
        rel = path[len(opts.prefix):]
        if rel in opts.routes:
            status, ctype, body = opts.routes[rel]()
            return self._send(status, ctype, body, {"Cache-Control": "no-store"}, head)
        target = (opts.root / rel).resolve()
        root = opts.root.resolve()
        if root not in target.parents and target != root:
            return self._not_found(head)
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return self._not_found(head)
        self._send_file(target, 200, head)

    def _not_found(self, head: bool) -> None:
        page = self.options.root / "404.html"
        if page.is_file():
            return self._send_file(page, 404, head)
        self._send(404, "text/plain", b"not found", {}, head)

    def _send_file(self, path: Path, status: int, head: bool) -> None:
        stat = path.stat()
        headers = {"Cache-Control": "public, max-age=31536000, immutable" if HASHED.search(path.name) else "no-cache",
                   "Last-Modified": email.utils.formatdate(int(stat.st_mtime), usegmt=True)}
        since = self.headers.get("If-Modified-Since")
        if status == 200 and since and self.options.html_filter is None:
            with contextlib.suppress(TypeError, ValueError):
                if int(stat.st_mtime) <= email.utils.parsedate_to_datetime(since).timestamp():
                    return self._send(304, None, b"", headers, head)
        body = path.read_bytes()
        if path.suffix == ".html" and self.options.html_filter:
            body = self.options.html_filter(path.relative_to(self.options.root).as_posix(), body)
        ctype = TYPES.get(path.suffix) or self.guess_type(path)
        self._send(status, ctype, body, headers, head, compress=path.suffix in COMPRESSED)

    def guess_type(self, path: Path) -> str:
        import mimetypes

        return mimetypes.guess_type(path.name)[0] or "application/octet-stream"

    def _send(self, status, ctype, body, headers, head, compress=False) -> None:
        if compress and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=6)
            headers = {**headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        self.send_response(status)
        if ctype:
            charset = "; charset=utf-8" if ctype.startswith("text/") or ctype.endswith(("json", "xml")) else ""
            self.send_header("Content-Type", ctype + charset)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A browser that goes to the next page before this one finished is no error."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


@dataclass
class Running:
    url: str  # http://127.0.0.1:PORT/prefix/
    options: Options


@contextlib.contextmanager
def serve(root: Path, prefix: str = "/", port: int = 0, **options) -> Iterator[Running]:
    """Serve root at http://127.0.0.1:port/prefix/ in a thread until the block ends."""
    opts = Options(root=root, prefix=prefix, **options)
    handler = type("SiteHandler", (Handler,), {"options": opts})
    httpd = _Server(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Running(f"http://127.0.0.1:{httpd.server_address[1]}{prefix}", opts)
    finally:
        httpd.shutdown()
        httpd.server_close()
