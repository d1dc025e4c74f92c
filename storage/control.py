"""Operator controls: schedules, pauses and run-now requests, and the service's heartbeat.

Operators change the database; the running service reads it every few seconds. So a change
takes effect without a restart and survives one.
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any

import sqlite_utils

from storage.sources import UnknownSource, get_source
from storage.transactions import utc_now, writing


def set_schedule(db: sqlite_utils.Database, name: str, spec: str) -> None:
    """An operator's schedule for a source; kept over what sources.yaml says."""
    _require(db, name)
    with writing(db):
        db["sources"].update(name, {"schedule": spec, "origin": "operator", "updated_at": utc_now()})


def set_paused(db: sqlite_utils.Database, name: str, paused: bool) -> None:
    _require(db, name)
    with writing(db):
        db["sources"].update(name, {"paused": int(paused), "updated_at": utc_now()})


def set_enabled(db: sqlite_utils.Database, name: str, enabled: bool) -> dict[str, Any]:
    """Enable or disable a source (a disabled one is never scheduled); its row before the change.
    Marked as the operator's, so a later sync from sources.yaml keeps it (storage.sources)."""
    _require(db, name)
    before = next(db["sources"].rows_where("name = ?", [name]))
    with writing(db):
        db["sources"].update(name, {"enabled": int(enabled), "origin": "operator", "updated_at": utc_now()})
    return before


def add_source(db: sqlite_utils.Database, record: dict[str, Any]) -> None:
    """A source added at run time; refuses a name that exists."""
    with writing(db):
        if list(db["sources"].rows_where("name = ?", [record["name"]])):
            raise ValueError(f"source {record['name']!r} already exists; change it with "
                             f"`govwatch sources schedule` or in sources.yaml")
        db["sources"].insert({
            "name": record["name"], "kind": record.get("kind"), "title": record.get("title"),
            "config": json.dumps(record, ensure_ascii=False, sort_keys=True), "schedule": record.get("schedule"),
            "timezone": record.get("timezone"), "enabled": int(bool(record.get("enabled", True))), "paused": 0,
            "origin": "operator", "updated_at": utc_now(),
        })


def request_run(db: sqlite_utils.Database, name: str, requested_by: str = "cli") -> int:
    """Ask the running service to crawl `name` now."""
    _require(db, name)
    with writing(db):
        return int(db["run_requests"].insert(
            {"source": name, "requested_at": utc_now(), "requested_by": requested_by}).last_pk)


def take_run_requests(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The pending run-now requests, marked as picked up (each is served once)."""
    with writing(db):
        pending = list(db["run_requests"].rows_where("picked_at is null", order_by="id"))
        for row in pending:
            db["run_requests"].update(row["id"], {"picked_at": utc_now()})
    return pending


def record_next_runs(db: sqlite_utils.Database, next_runs: dict[str, str | None]) -> None:
    """What the service plans, for `sources list` and the operator page."""
    now = utc_now()
    with writing(db):
        db.execute("delete from source_schedule")
        db["source_schedule"].insert_all(
            [{"source": s, "next_run_at": t, "updated_at": now} for s, t in next_runs.items()])


def service_started(db: sqlite_utils.Database) -> int:
    now = utc_now()
    with writing(db):
        return int(db["service_status"].insert(
            {"pid": os.getpid(), "host": socket.gethostname(), "started_at": now, "beat_at": now}).last_pk)


def service_heartbeat(db: sqlite_utils.Database, service_id: int, stopped: bool = False, message: str | None = None) -> None:
    updates: dict[str, Any] = {"beat_at": utc_now()}
    if stopped:
        updates["stopped_at"] = updates["beat_at"]
    if message is not None:
        updates["message"] = message
    with writing(db):
        db["service_status"].update(service_id, updates)


def running_service(db: sqlite_utils.Database) -> dict[str, Any] | None:
    """The live service, if one beat recently and has not stopped.

    What "recently" means lives in the `service_liveness` view (storage/schema.py), so the CLI,
    the operator page and Datasette's /-/healthz can never disagree about it.
    """
    rows = list(db.query("select * from service_liveness where alive order by id desc limit 1"))
    return rows[0] if rows else None


def _require(db: sqlite_utils.Database, name: str) -> None:
    get_source(db, name)  # raises UnknownSource with the known names


__all__ = [
    "UnknownSource",
    "add_source",
    "record_next_runs",
    "request_run",
    "running_service",
    "service_heartbeat",
    "service_started",
    "set_enabled",
    "set_paused",
    "set_schedule",
    "take_run_requests",
]


def record_health(db: sqlite_utils.Database, flags_by_source: dict[str, list[str]]) -> None:
    """Store each source's health flags ("" when healthy) for the operator page and digests."""
    now = utc_now()
    with writing(db):
        db["source_health"].upsert_all(
            [{"source": s, "flags": "; ".join(f), "checked_at": now} for s, f in flags_by_source.items()],
            pk="source")
