"""Imports point one way: ``models <- graph <- monitors <- api``, and inside ``graph/`` the
shared modules at its top (client, paging, values, labels, the outbox) never import a domain
package, so any domain may use them without a cycle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("models", "graph", "monitors", "api")


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module) for every import in a file, lazy ones inside functions too."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def upward_imports(layer: str) -> list[str]:
    above = set(LAYERS[LAYERS.index(layer) + 1 :])
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for line, module in imports(path)
        if module.split(".")[0] in above
    ]


def test_no_layer_imports_a_layer_above_it() -> None:
    problems = [problem for layer in LAYERS for problem in upward_imports(layer)]
    assert problems == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text("def f() -> None:\n    from api.settings import Settings\n")
    assert list(imports(source)) == [(2, "api.settings")]


def test_shared_graph_modules_import_no_domain_package() -> None:
    domains = {path.parent.name for path in (ROOT / "graph").glob("*/__init__.py")}
    assert {"complaints", "watchlist", "media", "crisis", "network", "bulk", "access"} <= domains
    problems = [
        f"{path.name}:{line} imports {module}"
        for path in sorted((ROOT / "graph").glob("*.py"))
        for line, module in imports(path)
        if module.startswith("graph.") and module.split(".")[1] in domains
    ]
    assert problems == []
