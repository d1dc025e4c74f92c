"""The `crawl_runs` and `fetch_errors` tables: each run's health, kept for operators."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from storage.transactions import utc_now, writing

# Marks a crawl's log lines that say something about the run as a whole (an unsupported pager,
# a list learned again): the run's log tail keeps them at its end (monitor/crawls.py).
RUN_NOTE_MARK = "run note:"
RUN_COUNTERS = (
    "pages_fetched",
    "bytes_downloaded",
    "not_modified",
    "articles_new",
    "articles_changed",
    "articles_unchanged",
    "articles_withdrawn",
    "errors",
)


def start_run(db: sqlite_utils.Database, source: str, trigger: str = "cli") -> int:
    """Record a run as started and return its id."""
    with writing(db):
        table = db["crawl_runs"].insert(
            {"source": source, "trigger": trigger, "started_at": utc_now(), "status": "running", "pid": os.getpid()}
        )
    return int(table.last_pk)


def count_in_run(db: sqlite_utils.Database, run_id: int, **increments: int) -> None:
    """Add to a run's counters; called inside the caller's write transaction."""
    unknown = set(increments) - set(RUN_COUNTERS)
    if unknown:
        raise ValueError(f"unknown run counters: {sorted(unknown)}")
    assignments = ", ".join(f"{name} = {name} + :{name}" for name in increments)
    db.execute(f"update crawl_runs set {assignments} where id = :id", {**increments, "id": run_id})


def close_run(
    db: sqlite_utils.Database,
    run_id: int,
    status: str,
    *,
    message: str | None = None,
    log_tail: str | None = None,
    **counters: int,
) -> None:
    """Close a run: its final status and any counters known only at the end."""
    unknown = set(counters) - set(RUN_COUNTERS)
    if unknown:
        raise ValueError(f"unknown run counters: {sorted(unknown)}")
    updates: dict[str, Any] = {"finished_at": utc_now(), "status": status, **counters}
    if message is not None:
        updates["message"] = message
    if log_tail is not None:
        updates["log_tail"] = log_tail
    with writing(db):
        db["crawl_runs"].update(run_id, updates)


# A run that stores less than this share of the article pages it fetched is degraded: the
# extraction (or the list) is failing on the site, even if a few pages still come through.
MIN_STORED_SHARE = 0.5


def run_outcome(
    status: str,
    *,
    pages_fetched: int,
    article_pages: int,
    articles_stored: int,
    start_urls: list[str],
    start_failures: dict[str, str],
    starts_without_links: list[str],
    notes: list[str] | tuple[str, ...] = (),
    page_errors: int = 0,
    unwritten: int = 0,
    new_article_pages: int = 0,
    articles_new: int = 0,
) -> tuple[str, str | None]:
    """The status and message a crawl that closed with `status` is recorded with.

    A crawl that ran to its end is `ok` only when it did its job: every start page read and
    showing article links, and the article pages it fetched stored. Otherwise it is
    `degraded` (part of the source worked) or `failed` (nothing usable came of it), with the
    reasons in the message, so that `sources list`, the operator page and the digest's health
    section never call a crawl that stored nothing "ok". `notes` (an unsupported pager, a list
    profile learned again) go in the message of any run.

    `articles_stored`: articles seen by the run (new, changed or unchanged: a 304 counts).
    `page_errors`: pages whose handling raised in the crawler (a bug, or a missing rules file):
    never silent, since such a page is neither a failure nor a success in the other counts (a
    start page that raised used to leave a run that stored nothing "ok").
    `new_article_pages`, `articles_new`: pages fetched for links the store did not hold, and the
    new articles stored. Judged apart, because re-checks of known articles go another way (no
    worker pool, often a 304): seventy good re-checks must not hide that none of the ten new
    notices, the ones monitoring staff are waiting for, could be stored.
    `unwritten`: outcomes the crawl could not commit when it closed (the write lock never came,
    the disk was full): they are lost to this run, so it is at best degraded.
    """
    problems = [f"start URL {url}: {reason}" for url, reason in start_failures.items()]
    problems += [f"no article links found on start page {url}" for url in starts_without_links]
    if article_pages and not articles_stored:
        problems.append(f"fetched {article_pages} article page(s) and stored none (see fetch_errors)")
    elif articles_stored < article_pages * MIN_STORED_SHARE:
        problems.append(f"stored {articles_stored} of {article_pages} article pages fetched (see fetch_errors)")
    elif articles_new < new_article_pages * MIN_STORED_SHARE:
        problems.append(f"stored {articles_new} of {new_article_pages} new article pages fetched (see fetch_errors)")
    if page_errors:
        problems.append(f"{page_errors} page(s) raised an error in the crawler (see the run's log)")
    if unwritten:
        problems.append(f"{unwritten} outcome(s) could not be written to the store when the crawl closed "
                        "(see the run's log); the next crawl fetches them again")
    if status != "ok":
        return status, None
    if pages_fetched == 0:
        outcome = "failed"
        problems.insert(0, "no page could be fetched")
    elif len(start_failures) >= len(start_urls) or not articles_stored and (
            article_pages or len(start_failures) + len(starts_without_links) >= len(start_urls)):
        outcome = "failed"  # no start page read, or nothing stored from what was found
    elif problems:
        outcome = "degraded"
    else:
        outcome = "ok"
    message = "; ".join([*problems, *notes]) or None
    return outcome, message


def start_failures_logged(db: sqlite_utils.Database, run_id: int, start_urls: list[str]) -> dict[str, str]:
    """start URL → the reason its fetch failed, from the run's log (for a run whose spider is not
    at hand when it closes: distributed mode's store writer)."""
    if not start_urls:
        return {}
    marks = ", ".join("?" * len(start_urls))
    return {r["url"]: r["reason"] for r in db.query(
        f"select url, reason from fetch_errors where run_id = ? and url in ({marks}) order by id", [run_id, *start_urls])}


def articles_stored(run: dict[str, Any]) -> int:
    """Articles a run stored or confirmed: new, changed, unchanged (a 304 is unchanged)."""
    return sum(run.get(k) or 0 for k in ("articles_new", "articles_changed", "articles_unchanged"))


def record_fetch_error(
    db: sqlite_utils.Database, run_id: int, source: str, url: str, reason: str, http_status: int | None = None
) -> None:
    """Keep one failed fetch (URL and reason) in the run's log."""
    with writing(db):
        db["fetch_errors"].insert(
            {"run_id": run_id, "source": source, "url": url, "reason": reason, "http_status": http_status, "at": utc_now()}
        )
        count_in_run(db, run_id, errors=1)


def prune_run_logs(db: sqlite_utils.Database, older_than_days: int, now: datetime | None = None) -> int:
    """Drop the log tails and fetch errors of runs that finished more than `older_than_days` ago;
    returns the runs pruned. Each run's row stays (status, counts, message: the source's history),
    and so does everything of each source's latest run (the operator page and its health read it).

    Why: a log tail is ~2 KB (mostly Scrapy's closing stats), and a service checking 300 columns
    every two hours writes 3,600 runs a day: ~3 GB a year of diagnostics nobody reads after a
    month, more than the articles themselves grow.
    """
    if older_than_days < 1:
        raise ValueError(f"run log retention must be at least 1 day, not {older_than_days}")
    cutoff = ((now or datetime.now(UTC)) - timedelta(days=older_than_days)).isoformat(timespec="seconds")
    old = "finished_at < ? and id not in (select max(id) from crawl_runs group by source)"
    with writing(db):
        db.execute(f"delete from fetch_errors where run_id in (select id from crawl_runs where {old})", [cutoff])
        return db.execute(f"update crawl_runs set log_tail = null where log_tail is not null and {old}",
                          [cutoff]).rowcount


def get_run(db: sqlite_utils.Database, run_id: int) -> dict[str, Any]:
    return db["crawl_runs"].get(run_id)


def mark_abandoned_runs(db: sqlite_utils.Database, source: str | None = None) -> int:
    """Runs left "running" by a process that no longer exists are marked "killed"."""
    where = "status = 'running'" + (" and source = ?" if source else "")
    params = [source] if source else []
    stale = [r for r in db["crawl_runs"].rows_where(where, params) if not _pid_alive(r["pid"])]
    if stale:
        with writing(db):
            for r in stale:
                db["crawl_runs"].update(r["id"], {"status": "killed", "finished_at": utc_now(),
                                                  "message": "the crawl process ended without closing its run"})
    return len(stale)


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recent_runs(db: sqlite_utils.Database, source: str, limit: int = 10) -> list[dict[str, Any]]:
    """The source's latest finished runs, newest first."""
    return list(db.query(
        "select * from crawl_runs where source = ? and status != 'running' order by id desc limit ?", [source, limit]))


def last_run(db: sqlite_utils.Database, source: str) -> dict[str, Any] | None:
    rows = list(db.query("select * from crawl_runs where source = ? order by id desc limit 1", [source]))
    return rows[0] if rows else None


def new_article_times(db: sqlite_utils.Database, source: str, limit: int = 50) -> list[str]:
    """When the source's latest new articles were first seen (UTC ISO), newest first."""
    return [r["at"] for r in db.query(
        "select at from events where source = ? and kind = 'new' order by at desc limit ?", [source, limit])]
