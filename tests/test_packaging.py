"""pyproject.toml names every distribution the code imports, so `pip install .` alone gives a
working govwatch (bootstrap.sh installs requirements.txt's pins on top, for CI)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ("crawler", "monitor", "storage", "demo", "datasette")
OURS = {"crawler", "monitor", "storage", "demo", "bench", "tests"}
# Imported only where present, each behind its own fallback.
OPTIONAL = {
    "pypdf": "a second PDF reader, used only if installed (crawler/extraction/attachments.py)",
    "compression": "the standard library's zstd from Python 3.14 on; backports.zstd before",
}


def imported_top_level() -> dict[str, str]:
    """Every non-standard top-level module the shipped code imports → one file that does."""
    found: dict[str, str] = {}
    for room in CODE:
        for path in (ROOT / room).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in OURS:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_canonical(re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_distribution_is_a_declared_dependency():
    providers = packages_distributions()
    missing = {}
    for module, where in imported_top_level().items():
        if module in OPTIONAL:
            continue
        distributions = {_canonical(d) for d in providers.get(module, [])}
        if not distributions & declared():
            missing[module] = (sorted(distributions) or ["not installed"], where)
    assert missing == {}


def test_every_declared_dependency_is_pinned_for_ci():
    pins = {_canonical(line.split("==")[0]) for line in (ROOT / "requirements.txt").read_text().splitlines()
            if "==" in line and not line.startswith("#")}
    assert declared() - pins == set()


def test_every_file_the_packages_read_is_installed_with_them():
    """Each data file inside a package (rules, templates, the demo's corpus) matches the package's
    package-data patterns: crawler/block_pages.yaml was left out once, and an installed crawl
    then failed on every start page."""
    from fnmatch import fnmatch

    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = tool["package-data"]
    missing = []
    for room in ("crawler", "monitor", "storage", "demo"):
        for path in (ROOT / room).rglob("*"):
            if path.is_dir() or path.suffix in (".py", ".pyc", ".md") or "__pycache__" in path.parts:
                continue
            relative = path.relative_to(ROOT)
            owners = [".".join(relative.parts[:i]) for i in range(len(relative.parts) - 1, 0, -1)]
            if not any(fnmatch(str(relative.relative_to(Path(*owner.split(".")))), pattern)
                       for owner in owners for pattern in patterns.get(owner, [])):
                missing.append(str(relative))
    assert missing == []
