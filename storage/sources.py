"""The `sources` table: the configured sources as the crawler and scheduler read them."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from storage.transactions import utc_now, writing


class UnknownSource(LookupError):
    """No source of that name is in the database."""


def sync_sources(db: sqlite_utils.Database, sources: list[dict[str, Any]]) -> None:
    """Upsert the sources read from the configuration file.

    What an operator set at run time (origin "operator": a schedule, enable/disable, a pause) is
    kept: the config file supplies the schedule and `enabled` only for new sources or ones it
    last set itself. Without this, `govwatch sources disable` on a misbehaving source was undone
    by the next edit of sources.yaml, which the service syncs within a poll.
    """
    now = utc_now()
    with writing(db):
        for source in sources:
            existing = _row(db, source["name"])
            row = {
                "name": source["name"],
                "kind": source.get("kind"),
                "title": source.get("title"),
                "config": json.dumps(source, ensure_ascii=False, sort_keys=True),
                "timezone": source.get("timezone"),
                "updated_at": now,
            }
            if existing is None or existing.get("origin") != "operator":
                row["schedule"] = source.get("schedule")
                row["enabled"] = int(bool(source.get("enabled", True)))
                row["origin"] = "config"
            if existing is None:
                row["paused"] = 0
            db["sources"].upsert(row, pk="name")


def _row(db: sqlite_utils.Database, name: str) -> dict[str, Any] | None:
    rows = list(db["sources"].rows_where("name = ?", [name]))
    return rows[0] if rows else None


def get_source(db: sqlite_utils.Database, name: str) -> dict[str, Any]:
    """The source's config (as validated when it was synced), with schedule state merged."""
    row = _row(db, name)
    if row is None:
        raise UnknownSource(f"unknown source {name!r}; known: {', '.join(source_names(db)) or 'none'}")
    config = json.loads(row["config"])
    config.update(schedule=row["schedule"], enabled=bool(row["enabled"]), paused=bool(row["paused"]))
    return config


def source_names(db: sqlite_utils.Database) -> list[str]:
    return [r["name"] for r in db.query("select name from sources order by name")]
