"""The layers depend one way only: catalog <- envelope <- signature <- adapters <- engine <- cli.

Each module may import only from its own layer, the layers below it, and the shared base
modules (errors, findings, _xml, _schemas). This test reads the imports of every module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "vbdt_exchange"
ORDER = [
    "catalog",
    "envelope",
    "status",
    "signature",
    "adapters",
    "hub",
    "engine",
    "testing",
    "cli",
]
BASE = {"errors", "findings", "_xml", "_schemas"}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "vbdt_exchange" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


MODULES = sorted(p for p in SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_respect_layers(path: Path) -> None:
    relative = path.relative_to(SRC)
    own = relative.parts[0] if len(relative.parts) > 1 else relative.stem
    if own in ("__init__", "__main__"):
        return  # the curated API and the entry point may import anything
    for module in _imports(path):
        layer = _layer(module)
        if layer is None or layer in BASE or layer == own:
            continue
        if own in BASE:
            # base modules may use the envelope's rule catalogue and nothing above it
            assert layer in ("envelope",), f"{relative} imports {module}"
            continue
        assert layer in ORDER, f"{relative} imports unknown layer {module}"
        assert ORDER.index(layer) < ORDER.index(own), (
            f"{relative} ({own}) imports {module} ({layer})"
        )


def test_every_subpackage_is_a_known_layer() -> None:
    folders = {p.name for p in SRC.iterdir() if p.is_dir() and not p.name.startswith("_")}
    folders.discard("examples")
    assert folders <= set(ORDER), folders - set(ORDER)
