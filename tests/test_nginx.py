"""Issue 4, point 4: the generated nginx config, exercised with Debian's real nginx.

nginx runs as a child process on a loopback port with the config the build wrote
(site/_deploy/nginx.conf), serving the site under the deploy prefix.
"""
from __future__ import annotations

import gzip
import os
import urllib.error
import urllib.request

import pytest
from browser_checks import open_all, outside, search, site_paths, watch
from conftest import ROOT, require_nginx

from backspasm import deploy
from devtools import nginx as harness

PREFIX = deploy.load_settings(ROOT / "deploy" / "settings.yml").prefix


def fetch(url: str, gzip_ok: bool = True):
    """(status, headers, body) of a plain GET, with the browser's Accept-Encoding."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def policy_of(headers) -> dict[str, list[str]]:
    directives = [d.split() for d in headers["Content-Security-Policy"].split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


def test_every_page_carries_the_security_headers(site, nginx):
    for path in site_paths(site, with_404=True):
        status, headers, _ = fetch(nginx + path)
        assert status == 200, path
        policy = policy_of(headers)
        assert policy["default-src"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert policy["frame-ancestors"] == ["'self'"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Frame-Options"] == "SAMEORIGIN"


def test_inline_scripts_are_allowed_by_hash_only(site, nginx):
    _, headers, _ = fetch(nginx + "index.html")
    script_src = policy_of(headers)["script-src"]
    assert script_src[0] == "'self'"
    assert len(script_src) > 1 and all(s.startswith("'sha256-") for s in script_src[1:])


@pytest.mark.parametrize(
    "path, mime",
    [
        ("index.html", "text/html"),
        ("guide/index.html", "text/html"),
        ("stylesheets/extra.css", "text/css"),
        ("assets/javascripts/iframe-worker/shim.js", "text/javascript"),
        ("search/search_index.json", "application/json"),
    ],
)
def test_text_is_sent_gzipped_with_the_right_type(nginx, path, mime):
    status, headers, body = fetch(nginx + path)
    assert status == 200
    assert headers["Content-Type"] == f"{mime}; charset=utf-8"
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body)


def test_bundles_with_a_hash_are_cached_for_a_year_pages_are_revalidated(site, nginx):
    hashed = deploy.hashed_assets(site)
    assert any(a.endswith(".js") for a in hashed) and any(a.endswith(".css") for a in hashed)
    for asset in hashed:
        _, headers, _ = fetch(nginx + asset)
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable", asset
        assert "Content-Security-Policy" in headers, "nested location must repeat the headers"
    for path in ("index.html", "search/search_index.json", "stylesheets/extra.css"):
        _, headers, _ = fetch(nginx + path)
        assert headers["Cache-Control"] == "no-cache", path


def test_other_file_types_get_their_mime_type(nginx):
    assert fetch(nginx + "sitemap.xml")[1]["Content-Type"].startswith("application/xml")
    status, headers, _ = fetch(nginx + "sitemap.xml.gz")
    assert headers["Content-Type"] == "application/gzip" and "Content-Encoding" not in headers
    assert fetch(nginx + "assets/images/favicon.png")[1]["Content-Type"] == "image/png"


def test_a_missing_page_answers_404_with_the_site_404_page(nginx):
    status, headers, body = fetch(nginx + "guide/no/such/step.html", gzip_ok=False)
    assert status == 404
    assert "404" in body.decode() and "Content-Security-Policy" in headers


def test_generated_configs_are_not_served(nginx):
    for path in ("_deploy/nginx.conf", ".htaccess", "web.config"):
        assert fetch(nginx + path)[0] == 404, path


def test_search_and_a_mistyped_address_work_under_the_csp(nginx, browser):
    """Every page is opened under this server by test_every_page.py; here the search worker
    and its index, and the 404 page at a deep address, run under the policy."""
    context = browser.new_context()
    try:
        visit = watch(context)
        page = context.new_page()
        page.goto(nginx + "guide/no/such/step.html", wait_until="networkidle")
        titles = search(page, "spasm of back")
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert titles
    assert visit.violations == []
    not_found = nginx + "guide/no/such/step.html"
    assert [e for e in visit.console_errors if not e.startswith(not_found)] == []
    assert [f for f in visit.failed if not f.startswith(not_found)] == []
    assert [url for url in visit.requests if outside(url, nginx)] == []
    assert any(url.endswith("search/search_index.json") for url in visit.requests), "search index never loaded"


def test_the_policy_would_catch_an_injected_script(site, browser, tmp_path):
    """The checks can fail: a page with an unlisted inline script is blocked and reported."""
    require_nginx()
    with harness.serve(site, tmp_path / "nginx", PREFIX, ROOT / "deploy") as base:
        (tmp_path / "nginx" / "site" / "injected.html").write_text(
            "<!doctype html><title>x</title><script>document.title='ran'</script>", encoding="utf-8")
        context = browser.new_context()
        try:
            visit = watch(context)
            page = context.new_page()
            page.goto(base + "injected.html", wait_until="load")
            assert page.title() == "x"
        finally:
            context.close()
    assert visit.violations


def _copy_as_the_readme_says(site, target):
    """`cp -a site/. target/` into a folder the admin made, then configs for that folder."""
    import subprocess

    target.mkdir(mode=0o755)
    target.chmod(0o755)
    subprocess.run(["cp", "-a", f"{site}/.", f"{target}/"], check=True)
    settings = deploy.DeploySettings(prefix=PREFIX, server_root=f"{target}/")
    deploy.prepare(target, settings, ROOT / "deploy")


@pytest.fixture
def server_folder():
    """A folder outside the (0700) test temp area, as /srv/www would be."""
    import shutil
    import tempfile
    from pathlib import Path

    if os.geteuid() != 0:
        pytest.skip("workers as an unprivileged user need nginx started as root")
    parent = Path(tempfile.mkdtemp(prefix="back-spasm-srv-", dir="/var/tmp"))
    parent.chmod(0o755)
    yield parent / "site"
    shutil.rmtree(parent, ignore_errors=True)


@pytest.mark.browser
def test_the_readme_copy_is_served_by_unprivileged_workers(site, server_folder, tmp_path):
    require_nginx()
    _copy_as_the_readme_says(site, server_folder)
    for path in [server_folder, *server_folder.rglob("*")]:
        mode = path.lstat().st_mode & 0o777
        if not path.is_symlink():
            assert mode == (0o755 if path.is_dir() else 0o644), f"{path}: {oct(mode)}"
    with harness.serve_folder(server_folder, tmp_path / "nginx", PREFIX, user="nobody nogroup") as base:
        for path in ("", "index.html", "guide/index.html", "search/search_index.json", "stylesheets/extra.css"):
            status, _, _ = fetch(base + path)
            assert status == 200, f"{path}: {status}"


@pytest.mark.browser
def test_the_unprivileged_check_can_fail(site, server_folder, tmp_path):
    """Control: a folder copied with mode 0700 (what the build used to publish) answers 403."""
    require_nginx()
    _copy_as_the_readme_says(site, server_folder)
    (server_folder / "guide").chmod(0o700)
    with harness.serve_folder(server_folder, tmp_path / "nginx", PREFIX, user="nobody nogroup") as base:
        assert fetch(base + "guide/index.html")[0] == 403
        assert fetch(base + "index.html")[0] == 200


def test_a_script_in_the_data_is_shown_as_text_and_never_runs(tmp_path, browser):
    """A guide question holding a script, built for real and served with the build's CSP."""
    import shutil

    import yaml
    from conftest import build_into

    require_nginx()
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    tree = yaml.safe_load((data / "decision_tree.yml").read_text(encoding="utf-8"))
    payload = "Red flag?</title><script>document.title='ran';window.ran=1</script><img src=x onerror=window.ran=2>"
    tree["questions"][0]["question"] = payload
    (data / "decision_tree.yml").write_text(yaml.safe_dump(tree, sort_keys=False, width=10_000), encoding="utf-8")
    site = build_into(tmp_path, data)
    with harness.serve(site, tmp_path / "nginx", PREFIX, ROOT / "deploy") as base:
        context = browser.new_context()
        try:
            visit = watch(context)
            page = context.new_page()
            page.goto(base + "guide/index.html", wait_until="load")
            assert page.evaluate("() => window.ran") is None
            assert page.title().startswith(payload)
            assert page.locator("h1").inner_text().startswith("Red flag?</title><script>")
        finally:
            context.close()
    assert visit.violations == []  # nothing even tried to run: the text was escaped


def test_the_policy_hashes_only_the_theme_scripts(site):
    """The hashes come from a probe of the theme, not from the pages: same set either way."""
    import tempfile
    from pathlib import Path

    from backspasm import engine, htmlscan

    depth = max(p.relative_to(site).as_posix().count("/") for p in site.rglob("*.html")
                if not p.relative_to(site).as_posix().startswith("assets/"))
    with tempfile.TemporaryDirectory() as cache:
        allowed = engine.theme_allowlist(ROOT, depth, Path(cache))
    _, hashes, _ = fetch_policy_from_config(site)
    assert hashes == set(allowed.hashes())
    assert any("__md_scope" in s for s in allowed.scripts) and len(allowed.scripts) == len(allowed.hashes())
    # Every inline script of every built page is one of them.
    for page in site.rglob("*.html"):
        assert htmlscan.scan(page.read_bytes()).scripts <= allowed.scripts, page


def fetch_policy_from_config(site):
    text = (site / "_deploy" / "nginx.conf").read_text(encoding="utf-8")
    policy = text.split('Content-Security-Policy "', 1)[1].split('"', 1)[0]
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src "))
    return policy, {h for h in script_src.split()[1:] if h.startswith("'sha256-")}, None
