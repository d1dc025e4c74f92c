"""Source health: which sources need an operator's look, and why.

A source is flagged when its last run failed or was degraded (part of it did not work: a
start page missing or showing no articles, article pages that could not be stored), when it saw far fewer articles than its
recent runs did (a changed template or a block page), or when it has been silent for
several times its usual gap between new articles.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlite_utils

from storage.runs import last_run, new_article_times, recent_runs
from storage.sources import source_names

# A run that sees less than this share of the median of recent runs is "far fewer".
FEWER_SHARE = 0.5
# Silent for more than this many times the median gap between new articles.
SILENCE_FACTOR = 4.0
MIN_HISTORY = 3


@dataclass(frozen=True)
class HealthFlag:
    source: str
    problem: str  # failed, degraded, fewer, silent
    detail: str


def articles_seen(run: dict[str, Any]) -> int:
    return (run["articles_new"] or 0) + (run["articles_changed"] or 0) + (run["articles_unchanged"] or 0)


def source_health(db: sqlite_utils.Database, source: str, now: datetime | None = None) -> list[HealthFlag]:
    now = now or datetime.now(timezone.utc)
    flags = []
    last = last_run(db, source)
    if last and last["status"] in ("failed", "timeout", "killed"):
        flags.append(HealthFlag(source, "failed", f"last run {last['id']} {last['status']}: {last['message'] or ''}".strip()))
    elif last and last["status"] == "degraded":
        flags.append(HealthFlag(source, "degraded", f"last run {last['id']} degraded: {last['message'] or ''}".strip()))
    runs = recent_runs(db, source, limit=8)
    if len(runs) > MIN_HISTORY:
        latest, earlier = runs[0], runs[1:]
        typical = statistics.median(articles_seen(r) for r in earlier)
        if typical > 0 and articles_seen(latest) < FEWER_SHARE * typical:
            flags.append(HealthFlag(source, "fewer", f"last run saw {articles_seen(latest)} articles; "
                                                      f"recent runs saw {typical:.0f}"))
    times = [datetime.fromisoformat(t) for t in new_article_times(db, source)]
    gaps = [(a - b).total_seconds() for a, b in zip(times, times[1:]) if a > b]
    if len(gaps) >= MIN_HISTORY:
        usual = statistics.median(gaps)
        silent_for = (now - times[0]).total_seconds()
        if usual > 0 and silent_for > SILENCE_FACTOR * usual:
            flags.append(HealthFlag(source, "silent", f"no new article for {silent_for / 3600:.1f} h; "
                                                       f"usual gap {usual / 3600:.1f} h"))
    return flags


def all_source_health(db: sqlite_utils.Database, now: datetime | None = None) -> dict[str, list[HealthFlag]]:
    return {name: source_health(db, name, now) for name in source_names(db)}
