"""Shared fixtures: a real demo site on 127.0.0.1 and a real crawl of it into SQLite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from demo.server import DemoSite

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEMO_SOURCES = ["demo-gov", "demo-paper", "demo-news", "demo-mirror"]
DEMO_SOURCE_KIND = {"demo-gov": "gov", "demo-paper": "paper", "demo-news": "news", "demo-mirror": "mirror"}


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
