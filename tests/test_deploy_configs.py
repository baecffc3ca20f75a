"""Issue 4, point 4: the Apache (.htaccess) and IIS (web.config) configs the build writes.

Apache is checked by Debian's apache2 binary (syntax, then a real run on a loopback
port); IIS does not run on Linux, so web.config is checked as XML and for its content.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT

from backspasm import deploy
from backspasm.errors import BuildFailed

APACHE = "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
PREFIX = deploy.load_settings(ROOT / "deploy" / "settings.yml").prefix


def require_apache() -> None:
    if Path(APACHE).exists():
        return
    message = "apache2 not found: run `make test` (it installs Debian's apache2-bin)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def apache_config(work: Path, site: Path, port: int, include_htaccess: bool) -> Path:
    """A minimal httpd.conf serving site at the prefix, allowing what .htaccess needs."""
    modules = ["mpm_event", "authz_core", "mime", "headers", "filter", "deflate", "alias", "dir"]
    lines = [
        f"ServerRoot {work}", f"PidFile {work}/httpd.pid", f"ErrorLog {work}/error.log",
        f"Listen 127.0.0.1:{port}", "ServerName localhost", "TypesConfig /dev/null",
        *[f"LoadModule {m}_module {MODULES}/mod_{m}.so" for m in modules],
        f"Alias {PREFIX} {site}/",
        f"<Directory {site}/>", "    Require all granted", "    AllowOverride FileInfo Indexes",
        *([f"    Include {site}/.htaccess"] if include_htaccess else []),
        "</Directory>",
    ]
    config = work / "httpd.conf"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def nginx_policy(site: Path) -> str:
    line = next(l for l in (site / "_deploy" / "nginx.conf").read_text().splitlines() if "Content-Security-Policy" in l)
    return line.split('"')[1]


def test_the_build_writes_all_three_configs(site):
    for name in ("_deploy/nginx.conf", ".htaccess", "web.config"):
        assert f"Served at {PREFIX}" in (site / name).read_text(encoding="utf-8"), name


@pytest.mark.browser
def test_htaccess_passes_apache_syntax_check(site, tmp_path):
    require_apache()
    config = apache_config(tmp_path, site, free_port(), include_htaccess=True)
    result = subprocess.run([APACHE, "-t", "-f", str(config)], capture_output=True, text=True)
    assert result.returncode == 0 and "Syntax OK" in result.stderr, result.stderr


@pytest.mark.browser
def test_apache_with_the_htaccess_sends_headers_gzip_cache_and_404(site, tmp_path):
    require_apache()
    served = tmp_path / "site"
    shutil.copytree(site, served)
    port = free_port()
    config = apache_config(tmp_path, served, port, include_htaccess=False)  # real .htaccess lookup
    apache = subprocess.Popen([APACHE, "-X", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}{PREFIX}"
    try:
        for _ in range(100):
            try:
                get(base)
                break
            except OSError:
                time.sleep(0.05)
        status, headers = get(base + "index.html")
        assert status == 200
        assert headers["Content-Security-Policy"] == nginx_policy(site)
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"
        assert headers["Content-Encoding"] == "gzip" and headers["Cache-Control"] == "no-cache"
        bundle = next(a for a in deploy.hashed_assets(site) if a.endswith(".js"))
        status, headers = get(base + bundle)
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert get(base + "search/search_index.json")[1]["Content-Type"] == "application/json; charset=utf-8"
        status, headers = get(base + "guide/no/such/step.html")
        assert status == 404 and headers["Content-Type"].startswith("text/html")
        assert get(base + "_deploy/nginx.conf")[0] == 404
    finally:
        apache.terminate()
        apache.wait(timeout=10)


def test_web_config_is_well_formed_and_complete(site):
    tree = ET.parse(site / "web.config")  # raises on malformed XML
    server = tree.getroot().find("system.webServer")
    mime = {m.get("fileExtension"): m.get("mimeType") for m in server.iter("mimeMap")}
    for ext in (".html", ".css", ".js", ".json", ".svg", ".woff2", ".xml", ".gz"):
        assert ext in mime, ext
    assert mime[".json"].startswith("application/json") and mime[".js"].startswith("text/javascript")
    headers = {h.get("name"): h.get("value") for h in server.find("httpProtocol/customHeaders").iter("add")}
    assert headers["Content-Security-Policy"] == nginx_policy(site)
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-cache"
    assert server.find("urlCompression").get("doStaticCompression") == "true"
    assert server.find("httpErrors/error").get("path") == f"{PREFIX}404.html"
    long_cached = {loc.get("path") for loc in tree.getroot().findall("location")}
    assert long_cached == set(deploy.hashed_assets(site)) and long_cached


def test_web_config_passes_xmllint_when_installed(site):
    if not shutil.which("xmllint"):
        message = "xmllint not found: run `make test` (it installs Debian's libxml2-utils)"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    subprocess.run(["xmllint", "--noout", str(site / "web.config")], check=True)


def test_a_bad_prefix_stops_the_build_naming_the_setting(tmp_path):
    settings = tmp_path / "settings.yml"
    settings.write_text('prefix: coding/back-spasm\nserver_root: /srv/www/site/\n', encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        deploy.load_settings(settings)
    [error] = failed.value.errors
    assert error.file == "deploy/settings.yml" and error.entry == "prefix"
    assert "/coding/back-spasm/" in error.message


def test_the_content_security_policy_never_allows_inline_script_by_unsafe_inline(site):
    policy = nginx_policy(site)
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src "))
    assert "'unsafe-inline'" not in script_src and "'sha256-" in script_src
