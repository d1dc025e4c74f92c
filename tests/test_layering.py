"""The house shape: storage is the leaf; crawler and datasette never import monitor."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PACKAGES = {"crawler", "monitor", "storage", "demo", "bench"}
FORBIDDEN = {
    "storage": PROJECT_PACKAGES - {"storage"},
    "crawler": {"monitor", "demo", "bench"},
    "datasette": {"monitor", "crawler", "demo", "bench"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_room_imports_only_what_it_may(room):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[room])
        for path in (ROOT / room).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_datasette_folder_is_not_a_package():
    assert not (ROOT / "datasette" / "__init__.py").exists()
