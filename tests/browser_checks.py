"""What a reader's browser saw: requests, failures, console errors, CSP violations.

Shared by the deployment tests (outside requests, file share, sub-path, nginx).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# Runs before any page script: a Content-Security-Policy violation becomes a console
# error that names the directive, so no violation can go unnoticed.
REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', e => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
                ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


@dataclass
class Visit:
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # network failures and HTTP >= 400
    console_errors: list[str] = field(default_factory=list)
    responses: dict[str, int] = field(default_factory=dict)  # document URL -> status

    @property
    def violations(self) -> list[str]:
        return [m for m in self.console_errors if "CSP violation" in m or "Content Security Policy" in m]


def watch(context) -> Visit:
    """Record everything the context's pages (and their workers) fetch and log from now on."""
    visit = Visit()
    context.add_init_script(REPORT_VIOLATIONS)
    context.on("request", lambda r: visit.requests.append(r.url))

    def on_failed(request) -> None:
        # A fetch cut short because the test moved on to the next page is no fault.
        if "ERR_ABORTED" not in (request.failure or ""):
            visit.failed.append(f"{request.url} ({request.failure})")

    def on_response(response) -> None:
        if response.request.resource_type == "document":
            visit.responses[response.url] = response.status
        if response.status >= 400:
            visit.failed.append(f"{response.url} (HTTP {response.status})")

    context.on("requestfailed", on_failed)
    context.on("response", on_response)

    def on_console(message) -> None:
        if message.type == "error":
            visit.console_errors.append(f"{message.location.get('url')}: {message.text}")

    context.on("console", on_console)
    context.on("weberror", lambda e: visit.console_errors.append(str(e.error)))
    return visit


def open_all(context, urls: list[str], tabs: int = 4) -> None:
    """Load every URL (tabs at a time) until each page's load event, like a reader would."""
    pages = [context.new_page() for _ in range(tabs)]
    try:
        for start in range(0, len(urls), tabs):
            batch = list(zip(pages, urls[start:start + tabs]))
            for page, url in batch:
                page.goto(url, wait_until="commit")
            for page, _ in batch:
                page.wait_for_load_state("load")
    finally:
        for page in pages:
            page.close()


def site_paths(site: Path, with_404: bool = False) -> list[str]:
    """Every reader-facing page, as a path relative to the site root.

    404.html is left out unless asked for: the build pins it to the deploy prefix
    (deploy/settings.yml), so it is checked where it is served, under that prefix.
    """
    return sorted(
        rel
        for rel in (p.relative_to(site).as_posix() for p in site.rglob("*.html"))
        if not rel.startswith(("assets/", "_deploy/")) and (with_404 or rel != "404.html")
    )


def search(page, query: str) -> list[str]:
    """Type into Material's search box like a reader; returns the result titles."""
    box = page.locator("input.md-search__input")
    if not box.is_visible():  # narrow screens: the magnifier opens the box
        page.locator("label.md-header__button[for=__search]").click()
    box.click()
    box.press_sequentially(query, delay=20)  # Material reacts to key events, not to a set value
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    titles = page.locator(".md-search-result__item h1, .md-search-result__item h2").all_inner_texts()
    return [t.strip() for t in titles if t.strip()]


def outside(url: str, base: str) -> bool:
    """True when url is on another host (or scheme) than base."""
    if url.startswith(("data:", "blob:", "about:")):
        return False
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) != (b.scheme, b.netloc)
