"""`make serve`: an editor saves a page and the open browser shows it; a mistake shows up
in the terminal and on the page, and the last good build stays readable."""
from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time

import pytest
from conftest import ROOT

from devtools.measure import free_port


@pytest.fixture
def serving(tmp_path):
    root = tmp_path / "project"
    for part in ("docs", "data", "deploy", "overrides", "mkdocs.yml"):
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, root / part)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "devtools.serve", "--root", str(root), "--port", str(port)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()
    deadline = time.monotonic() + 120
    while not any(line.startswith("Serving ") for line in output):
        assert process.poll() is None and time.monotonic() < deadline, "".join(output)
        time.sleep(0.1)
    yield root, f"http://127.0.0.1:{port}/", output
    process.terminate()
    process.wait(timeout=10)


def test_an_edit_reloads_the_page_and_a_mistake_is_shown_on_it(serving, browser):
    root, base, output = serving
    page = browser.new_page()
    try:
        page.goto(base + "index.html")
        page.wait_for_timeout(800)  # the page has asked for the build number once
        index = root / "docs" / "index.md"
        index.write_text(index.read_text(encoding="utf-8") + "\nA sentence the editor just added.\n", encoding="utf-8")
        # The body is null for a moment while the page reloads: the check waits through it.
        page.wait_for_function(
            "() => !!document.body && document.body.innerText.includes('A sentence the editor just added.')",
            timeout=60000)
        index.write_text(index.read_text(encoding="utf-8") + "\nReport M62.83 for this.\n", encoding="utf-8")
        box = page.locator("#dev-build-problems")
        box.wait_for(state="visible", timeout=60000)
        assert "docs/index.md, line" in box.inner_text() and "M62.83 is a header" in box.inner_text()
        assert "A sentence the editor just added." in page.locator("article").inner_text(), "the last good build"
    finally:
        page.close()
    assert any("Build stopped" in line for line in output)
    assert any("docs/index.md, line" in line for line in output)
