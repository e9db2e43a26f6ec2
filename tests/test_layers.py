"""The import graph of lcqy: no circle among its modules, and no import from a lower floor to a
higher one. Read with `ast` from the source (every import, at the top of a file or inside a
function), so a new module is covered the day it is written.

Floors, from the ground: errors; rules; store, docs, xlsx (each beside the others, never
importing them); acts; cli and web (beside each other); the top level (sample builder, entry
points, build tools)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lcqy"

# floor of each first-level part of lcqy; what is not named here is top level
FLOORS = {"__init__": 0, "errors": 0, "rules": 1, "store": 2, "docs": 2, "xlsx": 2, "acts": 3, "cli": 4, "web": 4}
TOP = 5


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _target(name: str) -> str | None:
    """The lcqy module an imported name lands in: the longest module prefix of it."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _package(module: str) -> str:
    path = MODULES[module]
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def imports(module: str) -> set[str]:
    """Every lcqy module that `module` imports, at any depth of its code."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = _package(module).split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from lcqy.acts.figures import counts` names the module lcqy.acts.figures.counts
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        for n in names:
            t = _target(n) if n.startswith("lcqy") else None
            if t and t != module and not MODULES[t].name == "__init__.py":
                found.add(t)
    return found


GRAPH = {m: imports(m) for m in MODULES}


def floor(module: str) -> tuple[int, str]:
    parts = module.split(".")
    part = parts[1] if len(parts) > 1 else "__init__"
    return FLOORS.get(part, TOP), part


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or a module on itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_is_read():
    # the layers below mean something only if the imports were found
    assert "lcqy.acts.context" in GRAPH["lcqy.acts.handling"]
    assert "lcqy.rules.figures" in GRAPH["lcqy.acts.figures.counts"]
    assert any(t.startswith("lcqy.acts") for t in GRAPH["lcqy.cli.handling"])


def test_no_circle():
    assert _circles(GRAPH) == []


def test_circle_finder_finds_one():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_runs_upward():
    wrong = []
    for module, targets in GRAPH.items():
        (mine, part) = floor(module)
        for t in sorted(targets):
            (theirs, other) = floor(t)
            # a floor imports only lower floors and itself; its neighbours on the same floor
            # (store, docs, xlsx; cli, web) stay apart
            if theirs > mine or (theirs == mine and other != part and mine != TOP):
                wrong.append(f"{module} -> {t}")
    assert wrong == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("lcqy.acts.boards.")))
def test_boards_never_import_a_writer(module):
    """The read models load no act that writes: only the context, case look-ups, the shared
    pieces, other boards, and the floors below."""
    readers = ("lcqy.acts.context", "lcqy.acts.cases", "lcqy.acts.common", "lcqy.acts.boards.")
    writers = [t for t in GRAPH[module] if t.startswith("lcqy.acts") and not t.startswith(readers)]
    assert writers == []


def test_every_package_is_shipped():
    """A new subpackage must be in pyproject's list, or an installed lcqy lacks it."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later
    listed = set(tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(PACKAGE.parent).parts) for p in PACKAGE.rglob("__init__.py")}
    assert found - listed == set()
