"""Shared fixtures: a real demo site on 127.0.0.1 and a real crawl of it into SQLite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.nginx import NGINX
from demo.server import DemoSite

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The tests that crawl a generated site on nginx, as the benchmarks do, skip where it is missing.
needs_nginx = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed (the site is served with it)")
DEMO_SOURCES = ["demo-gov", "demo-paper", "demo-news", "demo-mirror"]
DEMO_SOURCE_KIND = {"demo-gov": "gov", "demo-paper": "paper", "demo-news": "news", "demo-mirror": "mirror"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Modules holding a `long` test first, the others after them, each module's tests together.

    Why: the workers take whole modules (`--dist loadscope` in pyproject.toml, so a module's
    fixtures, a crawled demo site or a faults story, are built once, not once per worker that
    got one of its tests), and a module of one minute-long test handed out last ran alone at the
    end while the other workers idled (a minute of a nine-minute suite). Within each group the
    modules keep their order of collection.
    """
    def starts_first(item: pytest.Item) -> bool:
        return item.get_closest_marker("long") is not None

    first_modules = {item.nodeid.split("::", 1)[0] for item in items if starts_first(item)}
    items.sort(key=lambda item: item.nodeid.split("::", 1)[0] not in first_modules)  # stable: order kept within


def govwatch(*args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real `govwatch` command (as `python -m monitor`) and capture its output."""
    result = subprocess.run([sys.executable, "-m", "monitor", *args], check=False, cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"govwatch {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def demo_site():
    """The demo site, unchanged for the whole session (tests that change it make their own)."""
    site = DemoSite()
    site.start(port=0)
    yield site
    site.stop()


@pytest.fixture
def fresh_demo_site():
    """A demo site of one's own, for tests that publish, edit or withdraw pages."""
    site = DemoSite()
    site.start(port=0)
    yield site
    site.stop()


@pytest.fixture(scope="session")
def crawled_demo(demo_site, tmp_path_factory) -> Path:
    """The four demo sources crawled once, through `govwatch crawl`, into a fresh database."""
    db_path = tmp_path_factory.mktemp("crawl") / "govwatch.db"
    govwatch("crawl", "--db", str(db_path), "--demo-url", demo_site.base_url, *DEMO_SOURCES)
    return db_path


@pytest.fixture(scope="session")
def two_day_demo(tmp_path_factory) -> tuple[Path, str]:
    """The main job as a user runs it: `govwatch demo --no-serve` (two crawls around a scripted
    second day on the demo site); returns the database and what the command printed."""
    db_path = tmp_path_factory.mktemp("demo") / "govwatch.db"
    result = govwatch("demo", "--no-serve", "--db", str(db_path))
    return db_path, result.stdout
