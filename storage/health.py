"""Source health: which sources need an operator's look, and why — the one answer.

Computed here, from the runs themselves, and read by everything that shows it: `govwatch
sources list` (monitor/operator_view.py), the operator page (datasette/plugins/operator_page.py,
which cannot import monitor/), the digest's health section and the service. The page used to
read a snapshot the service wrote, and said "ok" for a source whose last run had failed.

A source is flagged when its last run failed or was degraded (part of it did not work: a
start page missing or showing no articles, article pages that could not be stored), when it saw far fewer articles than its
recent runs did (a changed template or a block page), or when it has been silent for
several times its usual gap between new articles. A source is flagged too for articles its lists
show that could not be fetched in two crawls or more (each is named: staff would otherwise never
hear of them).
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from storage.runs import last_run, new_article_times, recent_runs
from storage.sources import source_names
from storage.unfetched_links import failing_links

# A run that sees less than this share of the median of recent runs is "far fewer".
FEWER_SHARE = 0.5
# Silent for more than this many times the median gap between new articles…
SILENCE_FACTOR = 4.0
# …and for at least a day: a first crawl finds a whole archive within seconds, so its "usual
# gap" is ~0 and every source looked silent twenty minutes later (the demo showed two).
MIN_SILENCE_S = 24 * 3600
MIN_HISTORY = 3
# A listed article whose fetch failed in this many crawls (a 503 at every try, a timeout) is named:
# it is news the digest cannot show, and one bad crawl is not yet a pattern.
UNFETCHED_FAILURES = 2


@dataclass(frozen=True)
class HealthFlag:
    source: str
    problem: str  # failed, degraded, unfetched, fewer, silent
    detail: str


def articles_seen(run: dict[str, Any]) -> int:
    return (run["articles_new"] or 0) + (run["articles_changed"] or 0) + (run["articles_unchanged"] or 0)


def source_health(db: sqlite_utils.Database, source: str, now: datetime | None = None) -> list[HealthFlag]:
    now = now or datetime.now(UTC)
    flags = []
    last = last_run(db, source)
    if last and last["status"] in ("failed", "timeout", "killed"):
        flags.append(HealthFlag(source, "failed", f"last run {last['id']} {last['status']}: {run_reason(db, last)}"))
    elif last and last["status"] == "degraded":
        flags.append(HealthFlag(source, "degraded", f"last run {last['id']} degraded: {run_reason(db, last)}"))
    runs = recent_runs(db, source, limit=8)
    if len(runs) > MIN_HISTORY:
        latest, earlier = runs[0], runs[1:]
        typical = statistics.median(articles_seen(r) for r in earlier)
        if typical > 0 and articles_seen(latest) < FEWER_SHARE * typical:
            flags.append(HealthFlag(source, "fewer", f"last run saw {articles_seen(latest)} articles; "
                                                      f"recent runs saw {typical:.0f}"))
    times = [datetime.fromisoformat(t) for t in new_article_times(db, source)]
    gaps = [(a - b).total_seconds() for a, b in itertools.pairwise(times) if a > b]
    if len(gaps) >= MIN_HISTORY:
        usual = statistics.median(gaps)
        silent_for = (now - times[0]).total_seconds()
        if usual > 0 and silent_for > max(SILENCE_FACTOR * usual, MIN_SILENCE_S):
            flags.append(HealthFlag(source, "silent", f"no new article for {silent_for / 3600:.1f} h; "
                                                       f"usual gap {usual / 3600:.1f} h"))
    failing, oldest = failing_links(db, source, UNFETCHED_FAILURES)
    if failing:
        named = "; ".join(f"{link['url']} ({link['failures']} tries since {link['first_seen'][:10]})" for link in oldest)
        more = f"; and {failing - len(oldest)} more" if failing > len(oldest) else ""
        flags.append(HealthFlag(source, "unfetched", f"{failing} article(s) its lists show could not be fetched: "
                                                     f"{named}{more}"))
    return flags


# What a crawl says when it ended without saying why: the reason is then in fetch_errors.
UNINFORMATIVE = ("crawl ended: finished", "finished", "")


def run_reason(db: sqlite_utils.Database, run: dict[str, Any]) -> str:
    """Why a run failed, in its own words: its message, and the first fetch errors when the
    message does not already say them (a DNS failure or a refused connection is recorded
    per request, and the run itself only said "crawl ended: finished")."""
    message = (run.get("message") or "").strip()
    errors = list(db.query(
        "select url, reason from fetch_errors where run_id = ? order by id limit ?", [run["id"], REASON_ERRORS]))
    said = [f"{e['reason']} ({e['url']})" for e in errors if e["reason"] and e["reason"] not in message]
    if message.lower() in UNINFORMATIVE:
        message = ""
    return "; ".join(p for p in [message, *said] if p) or "no reason recorded"


REASON_ERRORS = 2
SEVERITY = ("failed", "degraded", "unfetched", "fewer", "silent")


def health_status(flags: list[HealthFlag]) -> str:
    """One word for a source: its worst flag (failed, degraded, fewer, silent), or ok."""
    problems = {f.problem for f in flags}
    return next((p for p in SEVERITY if p in problems), "ok")


def all_source_health(db: sqlite_utils.Database, now: datetime | None = None) -> dict[str, list[HealthFlag]]:
    return {name: source_health(db, name, now) for name in source_names(db)}
