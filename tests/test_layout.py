"""The package's layout holds: data flows one way through the stages and no module is too long.

Read from the source's import statements (lazy imports inside functions included), so a new
import that reaches back to an earlier stage, or closes a cycle, fails here and not in review.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "models" / "abatelink"
# Each stage may import only stages to its left; games, studies and reports sit side by side
# above results, and may not import each other except studies → games (a sweep's gains are
# standalone costs).
ORDER = {
    "errors": 0,
    "extras": 0,
    "version": 0,
    "outputs": 0,
    "inputs": 1,
    "model": 2,
    "solve": 3,
    "results": 4,
    "games": 5,
    "studies": 6,
    "reports": 5,
    "run": 7,
    "compare": 8,
    "terminal": 8,
    "validation": 8,
    "cli": 9,
    "__init__": 9,
}
MAX_LINES = 800


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        out[".".join(("abatelink", *parts)).removesuffix(".__init__")] = path
    return out


def imports(path: Path) -> set[str]:
    """The abatelink modules `path` imports (`from a.b import c` counts as a.b.c if c is one)."""
    known = modules()
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("abatelink"):
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("abatelink")}
    return found


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_no_module_imports_a_later_stage():
    backwards = [
        f"{module} imports {target}"
        for module, path in modules().items()
        for target in imports(path)
        if ORDER[stage(target)] > ORDER[stage(module)]
        or (stage(module) == "reports" and stage(target) == "games")
        or (stage(module) == "games" and stage(target) == "reports")
    ]
    assert not backwards


def test_there_is_no_import_cycle():
    known = modules()
    graph = {m: {t for t in imports(p) if t in known} for m, p in known.items()}
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, " → ".join((*path[path.index(node) :], node))
        if node in done:
            return
        for target in graph[node]:
            visit(target, (*path, node))
        done.add(node)

    for module in graph:
        visit(module, ())


def test_no_module_is_longer_than_800_lines():
    long = {
        m: n for m, p in modules().items() if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long
