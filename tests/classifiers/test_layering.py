"""The classifier is the layer the gateway builds on: nothing in ``classifiers/`` imports ``router`` (lazily inside a
function either), so the classifier trains, scores and evaluates without the gateway and no import cycle can form."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "classifiers"


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every import in ``tree``, however deep in a function it sits; relative ones are the package's."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_the_classifier_package_imports_nothing_from_the_router():
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 20, PACKAGE
    upward = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}"
              for path in sources for line, module in _imported(ast.parse(path.read_text(encoding="utf-8")))
              if module == "router" or module.startswith("router.")]
    assert not upward, "classifiers/ reaches up into the gateway:\n" + "\n".join(upward)
