"""The `unfetched_links` table: article links a list page showed that the store does not hold yet.

Why it exists: a list page is only followed while it shows something new (crawler/recheck.py
visits idle pages less often). An article whose fetch failed (a 503, a timeout) or whose crawl
was killed before it was fetched is still "new" on its list page, so the next crawl asks for it
again, but only while it stays where a crawl looks. Once newer articles push it to page 2 and
every link on page 1 is known, nothing leads back to it until page 2 is next due, which can be
days. The soak test lost articles exactly so. A link seen is therefore written down when it is
seen (in the crawl's batch, so a crawl killed later keeps it), asked for directly by every later
crawl of its source, and forgotten when its article is stored, or given up after
MAX_LINK_FAILURES failed fetches (a link that is dead for good must not be asked for forever).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from storage.transactions import utc_now, writing

# Failed fetches (errors after their retries, 404s for a never-stored link) before a link is
# given up: with one crawl a day, about a week of a broken page.
MAX_LINK_FAILURES = 5
# The most owed links one crawl asks for (a source whose whole archive failed once must not
# turn every later crawl into a full re-crawl of it).
MAX_OWED_PER_CRAWL = 500


def create_unfetched_links_table(db: sqlite_utils.Database) -> None:
    db["unfetched_links"].create(
        {"url": str, "source": str, "list_url": str, "first_seen": str, "last_seen": str, "failures": int},
        pk="url",
        defaults={"failures": 0},
        not_null={"source", "first_seen", "failures"},
        if_not_exists=True,
    )
    db["unfetched_links"].create_index(["source"], if_not_exists=True)


def remember_links(db: sqlite_utils.Database, source: str, list_url: str, urls: Iterable[str],
                   at: str | None = None) -> None:
    """Note article links `list_url` showed that are not stored (again: when it was last shown, and
    where). One stored meanwhile (by another crawl of the source, which the crawler that saw the
    link could not know of) is not noted."""
    now = at or utc_now()
    with writing(db):
        db.conn.executemany(
            "insert into unfetched_links (url, source, list_url, first_seen, last_seen, failures)"
            " select ?, ?, ?, ?, ?, 0 where not exists (select 1 from articles where url = ?)"
            " on conflict(url) do update set last_seen = excluded.last_seen, list_url = excluded.list_url",
            [(url, source, list_url, now, now, url) for url in urls])


def forget_link(db: sqlite_utils.Database, url: str) -> None:
    """Its article is stored now (or the link led to one we hold)."""
    with writing(db):
        db.execute("delete from unfetched_links where url = ?", [url])


def count_link_failure(db: sqlite_utils.Database, url: str) -> None:
    """One more failed fetch of a noted link (a no-op for any other URL)."""
    with writing(db):
        db.execute("update unfetched_links set failures = failures + 1 where url = ?", [url])


def owed_links(db: sqlite_utils.Database, source: str, limit: int = MAX_OWED_PER_CRAWL) -> list[str]:
    """Links of `source` to ask for again: noted, not stored, not given up; oldest first."""
    return [row[0] for row in db.execute(
        "select u.url from unfetched_links u where u.source = ? and u.failures < ?"
        " and not exists (select 1 from articles a where a.url = u.url) order by u.first_seen, u.url limit ?",
        [source, MAX_LINK_FAILURES, limit])]


def failing_links(db: sqlite_utils.Database, source: str, min_failures: int,
                  limit: int = 3) -> tuple[int, list[dict]]:
    """Links of `source` a list showed whose fetch has failed at least `min_failures` times and whose
    article is still not stored (given up or not): how many, and the oldest `limit` of them."""
    where = ("from unfetched_links u where u.source = ? and u.failures >= ?"
             " and not exists (select 1 from articles a where a.url = u.url)")
    count = db.execute(f"select count(*) {where}", [source, min_failures]).fetchone()[0]
    rows = [dict(zip(("url", "first_seen", "failures"), row)) for row in db.execute(
        f"select u.url, u.first_seen, u.failures {where} order by u.first_seen, u.url limit ?",
        [source, min_failures, limit])] if count else []
    return count, rows
