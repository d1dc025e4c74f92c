"""What operators see of each source: schedule, next and last run, result and health.

Shared by `govwatch sources list` and the operator page, so both say the same thing.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from monitor.health import source_health
from storage.control import running_service
from storage.list_profiles import source_profiles
from storage.runs import last_run
from storage.sources import get_source, source_names


def profile_summary(profiles: dict[str, dict[str, Any]]) -> str:
    """One line for a table cell: each start page's list region and URL shape, pinned or not.

    The same words as the operator page's `list_profile` column (the operator_sources view).
    """
    return "; ".join(
        f"{p['profile'].get('region', '?')} → {p['profile'].get('url_shape', '?')}" + (" (pinned)" if p["pinned"] else "")
        for p in profiles.values())


def source_overview(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    service = running_service(db)
    next_runs = {r["source"]: r["next_run_at"] for r in db.query("select * from source_schedule")} if service else {}
    rows = []
    for name in source_names(db):
        source = get_source(db, name)
        last = last_run(db, name) or {}
        profiles = source_profiles(db, name)
        state = "disabled" if not source["enabled"] else "paused" if source["paused"] else "active"
        rows.append({
            "name": name,
            "title": source.get("title"),
            "state": state,
            "schedule": source.get("schedule"),
            "timezone": source.get("timezone"),
            "next_run_at": next_runs.get(name),
            "last_run_id": last.get("id"),
            "last_run_at": last.get("started_at"),
            "last_status": last.get("status"),
            "last_new": last.get("articles_new"),
            "last_changed": last.get("articles_changed"),
            "last_errors": last.get("errors"),
            "last_message": last.get("message"),
            "health": [f"{f.problem}: {f.detail}" for f in source_health(db, name)],
            # what crawls learned about each start page's list (storage/list_profiles.py)
            "list_profiles": profiles,
            "list_profile": profile_summary(profiles),
        })
    return rows
