"""Fixtures of the fault tests: the fault site on 127.0.0.1, its sources file, and crawls of it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import govwatch
from tests.faults.server import FaultSite

# Small timeouts and back-off so the faults cost seconds, not the real defaults' minutes.
FAST_POLITENESS = {"autothrottle": False, "download_delay": 0, "concurrent_requests": 16, "obey_robots": False,
                   "download_timeout": 2, "backoff_max_delay": 0.5}


def write_sources(path: Path, site: FaultSite, name: str = "faults", **fields: Any) -> Path:
    """A sources file with one source crawling the fault site (fields override the defaults)."""
    source = {"name": name, "kind": "gov", "start_urls": [site.start_url], "allow_paths": ["/gov/"],
              "schedule": "every 1h", "time_limit_s": 120, "confirm_withdrawal_checks": 2,
              "politeness": {**FAST_POLITENESS, **fields.pop("politeness", {})}, **fields}
    path.write_text(json.dumps({"sources": [source]}, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    return path


def crawl(db_path: Path, config: Path, *names: str, check: bool = False):
    return govwatch("crawl", "--db", str(db_path), "--config", str(config), *(names or ("faults",)), check=check)


def rows(db_path: Path, sql: str, params: list[Any] | tuple = ()) -> list[dict[str, Any]]:
    """Read with plain sqlite3 (no migrations, no writes), as a reader beside the crawler would."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def snapshot(db_path: Path) -> dict[str, list[tuple]]:
    """What the store holds about articles: compared before and after a crawl of faults."""
    return {
        "articles": [tuple(r.values()) for r in rows(db_path, "select url, title, text, content_hash, status,"
                                                                " version_count, current_version_id from articles order by url")],
        "versions": [tuple(r.values()) for r in rows(db_path, "select id, article_id, version, content_hash, raw_sha256"
                                                                " from article_versions order by id")],
        "events": [tuple(r.values()) for r in rows(db_path, "select id, article_id, kind from events order by id")],
    }


@pytest.fixture
def fault_site() -> Iterator[FaultSite]:
    site = FaultSite(articles=8)
    site.start()
    yield site
    site.stop()
