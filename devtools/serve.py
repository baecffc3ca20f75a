"""`make serve`: build, serve, and rebuild and reload the browser on every edit.

    .venv/bin/python -m devtools.serve [--port 8000]

Watches docs/, data/, overrides/, deploy/ and mkdocs.yml. After an edit the site is
rebuilt in this process (the code-set answers and the theme probe stay warm) and every
open page reloads itself. When the build fails, the problems are printed here and
shown at the top of every page, which keeps the last good build, until the next edit
fixes them. The reload hook is added by this server only: the published site has none.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from backspasm import engine, pipeline, publish
from backspasm.errors import BuildFailed
from backspasm.project import Mode, Project

from . import server

WATCHED = ("docs", "data", "overrides", "deploy", "mkdocs.yml")
POLL_SECONDS = 0.25
ROUTE = "__build.json"
HOOK = """
<div id="dev-build-problems" role="alert" style="display:none"></div>
<script>
(function () {
  var seen = null;
  function poll() {
    fetch("%(route)s", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (seen !== null && s.build !== seen) { location.reload(); return; }
      seen = s.build;
      var box = document.getElementById("dev-build-problems");
      box.style.display = s.problems.length ? "block" : "none";
      box.style.cssText += ";position:fixed;z-index:9;top:0;left:0;right:0;max-height:50vh;overflow:auto;" +
        "background:#fff3cd;color:#000;border-bottom:3px solid #b00;padding:1em;font:14px/1.4 monospace";
      box.textContent = s.problems.length ? "Build stopped (the last good build is shown):\\n" +
        s.problems.join("\\n") : "";
      box.style.whiteSpace = "pre-wrap";
    }).catch(function () {}).then(function () { setTimeout(poll, 400); });
  }
  poll();
})();
</script>
"""


@dataclass
class State:
    build: int = 0
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self) -> tuple[int, str, bytes]:
        with self.lock:
            body = json.dumps({"build": self.build, "problems": self.problems})
        return 200, "application/json", body.encode()


def snapshot(root: Path) -> dict[str, float]:
    """Modification time of every watched file."""
    found: dict[str, float] = {}
    for name in WATCHED:
        path = root / name
        if path.is_file():
            found[name] = path.stat().st_mtime_ns
        for current, dirs, files in os.walk(path):
            for file in files:
                full = os.path.join(current, file)
                try:
                    found[full] = os.stat(full).st_mtime_ns
                except FileNotFoundError:
                    pass
    return found


def rebuild(project: Project, state: State) -> None:
    started = time.perf_counter()
    try:
        with publish.locked([project.site, project.stage]):
            pipeline.run(project, Mode.WRITE)
        problems: list[str] = []
        print(f"Rebuilt in {time.perf_counter() - started:.1f} s.", flush=True)
    except BuildFailed as failed:
        problems = [str(e) for e in failed.errors]
        print(f"Build stopped: {len(problems)} problem(s); the last good build is still served.", flush=True)
        for problem in problems:
            print(f"  - {problem}", flush=True)
    with state.lock:
        state.build += 1
        state.problems = problems


def with_hook(rel: str, body: bytes) -> bytes:
    hook = (HOOK % {"route": html.escape("/" + ROUTE)}).encode()
    at = body.rfind(b"</body>")
    return body[:at] + hook + body[at:] if at >= 0 else body + hook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    project = Project.at(args.root)
    problems = publish.check_outputs(project.site, project.stage, project.root, project.data)
    if problems:
        print("\n".join(f"  - {p}" for p in problems))
        return 1
    engine.show_warnings()
    state = State()
    rebuild(project, state)
    seen = snapshot(project.root)
    with server.serve(project.site, "/", args.port, html_filter=with_hook, routes={ROUTE: state.status}) as running:
        print(f"Serving {project.site} at {running.url} (Ctrl+C to stop); rebuilding on every edit.", flush=True)
        try:
            while True:
                time.sleep(POLL_SECONDS)
                now = snapshot(project.root)
                if now != seen:
                    time.sleep(POLL_SECONDS)  # an editor saving several files at once
                    seen = snapshot(project.root)
                    rebuild(project, state)
        except KeyboardInterrupt:
            print("\nStopped.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
