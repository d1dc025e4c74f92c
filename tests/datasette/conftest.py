"""The project's Datasette (its metadata and plugins) over a test module's `db_path` store."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from datasette.app import Datasette

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def ds(db_path):
    metadata = yaml.safe_load((ROOT / "datasette/metadata.yml").read_text(encoding="utf-8"))
    datasette = Datasette([str(db_path)], metadata=metadata, plugins_dir=str(ROOT / "datasette/plugins"))
    await datasette.invoke_startup()
    return datasette


def loaded_plugin(name: str) -> ModuleType:
    """The plugin module Datasette loaded from plugins_dir (registered under its file name), to
    read or patch its module state; call after a Datasette of this project was made."""
    from datasette.plugins import pm

    return next(p for p in pm.get_plugins() if getattr(p, "__name__", "") == name)


def searchable_store(path: Path, sources: list[str], articles: list[dict]) -> Path:
    """A store at `path` holding `articles` (rows of the articles table, the same keys in each),
    indexed for search as the crawler indexes them: bigrams of title and text in articles_fts."""
    from storage import open_db
    from storage.search import cjk_bigrams
    from storage.sources import sync_sources

    db = open_db(path)
    sync_sources(db, [{"name": name, "schedule": "every 1h"} for name in sources])
    columns = list(articles[0])
    with db.conn:
        db.conn.executemany(f"insert into articles ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
                            [[article[column] for column in columns] for article in articles])
        db.conn.executemany("insert into articles_fts (rowid, title, text) values (?, ?, ?)",
                            [(a["id"], cjk_bigrams(a["title"]), cjk_bigrams(a["text"])) for a in articles])
    db.close()
    return path


async def request_plans(datasette: Datasette, path: str, db_path: Path,
                        attach: ModuleType | None = None) -> dict[str, list[str]]:
    """Every query a request to `path` ran, with SQLite's plan for it (its steps' details):
    what a view costs as the store grows is in the plan, not in a test's timings.

    `attach`: the search_filter plugin, for a searched page: its statements read the request's
    hits table in the plugin's scratch database, which the planning connection then attaches too.
    """
    from datasette.tracer import capture_traces

    from storage import open_db

    traces: list[dict] = []
    with capture_traces(traces):
        assert (await datasette.client.get(path)).status_code == 200
    statements = [t for t in traces if t["type"] == "sql" and t.get("database") == Path(db_path).stem
                  and t["sql"].lstrip()[:6].lower() in ("select", "with")]
    assert statements, f"{path} ran no SQL: nothing would be checked"
    db = open_db(db_path)
    if attach is not None:
        from storage.search_plan import attach_hits

        attach_hits(db.conn, attach._scratch_file())
    try:
        return {t["sql"]: [row[3] for row in db.execute("explain query plan " + t["sql"], t.get("params") or [])]
                for t in statements}
    finally:
        db.close()


def row_reads(plans: dict[str, list[str]], tables: set[str]) -> dict[str, list[str]]:
    """The statements that read every row of one of `tables`: a table scan, or a scan of an index
    that does not cover the statement (a row lookup per entry). A covering index scan is kept."""
    names = "|".join(re.escape(table) for table in tables)
    every_row = re.compile(rf"^SCAN (?:{names})(?: USING (?!COVERING )INDEX .*)?$")
    return {sql: plan for sql, plan in plans.items() if any(every_row.match(step) for step in plan)}
