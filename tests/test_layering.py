"""The house shape: storage is the leaf; crawler and datasette never import monitor; no import
cycles; Scrapy and Twisted stay in the crawl process (never reached from monitor/ or from the
pure extraction functions, which run in worker processes and in `govwatch extract`)."""

from __future__ import annotations

import ast
from functools import cache
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


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PROJECT_PACKAGES for path in (ROOT / package).rglob("*.py")}


def imports_of(path: Path, modules: dict[str, Path]) -> tuple[set[str], set[str]]:
    """(project modules, other top-level packages) that `path` imports anywhere, a function's
    lazy imports included: a cycle or a Scrapy import deferred to call time is still one."""
    project, other = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module
                     for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] not in PROJECT_PACKAGES:
                other.add(name.split(".")[0])
                continue
            while name not in modules and "." in name:
                name = name.rsplit(".", 1)[0]
            project.add(name)
    return project, other


@cache
def import_graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    modules = project_modules()
    found = {name: imports_of(path, modules) for name, path in modules.items()}
    return {n: p & set(modules) for n, (p, _) in found.items()}, {n: o for n, (_, o) in found.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of `graph`: its strongly connected components of more than one module
    (Tarjan's algorithm, iterative: the graph has ~300 modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles():
    graph, _ = import_graph()
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def reached(graph: dict[str, set[str]], start: str) -> set[str]:
    """`start` and every project module it imports, directly or through others (with the
    packages each one's import runs: importing a.b.c runs a and a.b)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in graph]
        todo += graph[name]
    return seen


@pytest.mark.parametrize("room", ["monitor", "crawler.extraction"])
def test_scrapy_and_twisted_stay_in_the_crawl_process(room):
    graph, other = import_graph()
    offenders = {
        name: sorted(via for via in reached(graph, name) if other[via] & {"scrapy", "twisted"})
        for name in graph if name == room or name.startswith(room + ".")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_datasette_folder_is_not_a_package():
    assert not (ROOT / "datasette" / "__init__.py").exists()
