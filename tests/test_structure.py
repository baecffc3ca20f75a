"""The build's shape, checked: one way through, no import cycles, one module per outside source."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "backspasm"


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def _imported(module: str, node: ast.AST) -> list[str]:
    """Modules of the package (and outside ones) one import statement brings in."""
    package = module.rsplit(".", 1)[0]  # an __init__ module imports nothing of its own package
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level == 0:
            return [node.module or ""]
        base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        target = f"{base}.{node.module}" if node.module else base
        if node.module is None:
            return [f"{base}.{alias.name}" for alias in node.names]
        return [target]
    return []


def graph() -> tuple[dict[str, set[str]], list[str]]:
    """(module -> package modules it imports at module level, imports made inside functions)."""
    mods = modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}
    late = []
    for name, tree in mods.items():
        for node in tree.body:
            for target in _imported(name, node):
                if target in mods:
                    edges[name].add(target)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    for target in _imported(name, inner):
                        if target.startswith("backspasm") or target.split(".")[0] in ("mkdocs", "material"):
                            late.append(f"{name}.{node.name} imports {target}")
    return edges, late


def test_no_import_cycle():
    edges, _ = graph()
    state: dict[str, str] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        if state.get(node) == "done":
            return
        if state.get(node) == "open":
            cycles.append(" -> ".join(trail[trail.index(node):] + [node]))
            return
        state[node] = "open"
        for nxt in sorted(edges[node]):
            visit(nxt, trail + [node])
        state[node] = "done"

    for node in sorted(edges):
        visit(node, [])
    assert cycles == []
    assert edges["backspasm.pipeline"], "the graph reads the package's imports"


def test_no_import_inside_a_function_dodges_a_cycle():
    _, late = graph()
    # engine imports MkDocs when it builds, so `check` never pays for it.
    assert [entry for entry in late if not entry.startswith("backspasm.engine.")] == []


def test_each_outside_source_is_read_by_one_module():
    readers: dict[str, set[str]] = {}
    for name, tree in modules().items():
        for node in ast.walk(tree):
            for target in _imported(name, node):
                readers.setdefault(target.split(".")[0], set()).add(name)
    assert readers["simple_icd_10_cm"] == {"backspasm.codeset"}
    assert readers["mkdocs"] == {"backspasm.engine"}
    assert "material" not in readers or readers["material"] <= {"backspasm.engine"}
