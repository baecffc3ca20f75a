"""Browser helpers for the accessibility, keyboard and print tests: the built site only."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

BASE_HREF = re.compile(r'<base href="(/[^"]*)"')


def not_found_prefix(site: Path) -> str | None:
    """The URL prefix the deploy step pins the 404 page to (its <base href>), if any."""
    page = site / "404.html"
    match = BASE_HREF.search(page.read_text(encoding="utf-8")) if page.exists() else None
    return match.group(1) if match and match.group(1) != "/" else None


def keep_local(context, served: str, site: Path | None = None) -> None:
    """Abort every request to another host (nothing may load from outside, and a page
    must never wait on one); serve the 404 page's <base> prefix from the test server's
    root, as the intranet server would serve it under that prefix."""
    origin = served.rstrip("/")
    prefix = not_found_prefix(site) if site else None

    def handle(route):
        url = route.request.url
        if not url.startswith(served):
            return route.abort()
        path = urlsplit(url).path
        if prefix and path.startswith(prefix):
            return route.continue_(url=origin + "/" + path[len(prefix):])
        return route.continue_()

    context.route("**/*", handle)
