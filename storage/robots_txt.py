"""The `robots_txt` table: each origin's robots.txt as last fetched, so a crawl need not ask again.

Why: every crawl is a process of its own (monitor/crawl_processes.py), and Scrapy keeps what it
read only for the process's life, so each crawl of each source asked every host for robots.txt
again. At 300 columns checked every two hours on a few dozen hosts that is thousands of requests a
day to learn the same file, ~2 % of an unchanged re-check's CPU, and one more request per crawl
for the site. RFC 9309 §2.4 lets a crawler keep robots.txt for up to 24 hours; the crawler
(crawler/robots.py) reuses what is stored here while it is younger than its max age and stores
each file it fetches (through storage.outcome_writer, the one writer of crawl outcomes).

Only answers a crawler may keep are stored: 2xx (the rules) and 4xx (no rules: everything is
allowed, RFC 9309 §2.3.1.3). A 5xx or a failed fetch is not, so the next crawl asks again, and
while the host keeps failing that crawl obeys the last rules stored, up to UNREACHABLE_KEEP_S
old (RFC 9309 §2.4: a crawler may go on using a cached copy for a reasonably long period, for
example 30 days). Bodies are cut at MAX_BODY_BYTES, the least RFC 9309 asks a crawler to parse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import sqlite_utils

from storage.transactions import utc_now, writing

MAX_BODY_BYTES = 500 * 1024  # RFC 9309 §2.5: parse at least the first 500 KiB
UNREACHABLE_KEEP_S = 30 * 24 * 3600.0  # stored rules still obeyed while the host's robots.txt fails


@dataclass(frozen=True)
class StoredRobotsTxt:
    """One origin's robots.txt as fetched: its status, its (cut) body, and when."""

    origin: str          # scheme://host[:port], what robots.txt belongs to (RFC 9309 §2.3)
    http_status: int
    body: bytes
    fetched_at: str

    def age_s(self, now: datetime | None = None) -> float:
        fetched = datetime.fromisoformat(self.fetched_at)
        return ((now or datetime.now(UTC)) - fetched).total_seconds()


def create_robots_txt_table(db: sqlite_utils.Database) -> None:
    db["robots_txt"].create(
        {"origin": str, "host": str, "http_status": int, "body": bytes, "fetched_at": str},
        pk="origin",
        not_null={"host", "http_status", "body", "fetched_at"},
        if_not_exists=True,
    )
    db["robots_txt"].create_index(["host"], if_not_exists=True)


def keepable(http_status: int) -> bool:
    """A robots.txt answer a later crawl may reuse: the rules (2xx) or their absence (4xx)."""
    return 200 <= http_status < 300 or 400 <= http_status < 500


def record_robots_txt(db: sqlite_utils.Database, origin: str, http_status: int, body: bytes,
                      fetched_at: str | None = None) -> bool:
    """Keep `origin`'s robots.txt (replacing the one held); False, and nothing written, for an
    answer that must not be reused (a 5xx)."""
    if not keepable(http_status):
        return False
    host = urlsplit(origin).hostname or ""
    with writing(db):
        db.execute(
            "insert into robots_txt (origin, host, http_status, body, fetched_at) values (?, ?, ?, ?, ?)"
            " on conflict(origin) do update set host = excluded.host, http_status = excluded.http_status,"
            " body = excluded.body, fetched_at = excluded.fetched_at",
            [origin, host, http_status, bytes(body[:MAX_BODY_BYTES]), fetched_at or utc_now()])
    return True


def stored_robots_txt(db: sqlite_utils.Database, domains: Iterable[str], max_age_s: float,
                      now: datetime | None = None) -> dict[str, StoredRobotsTxt]:
    """origin → its stored robots.txt, for every origin on `domains` or their subdomains (a
    source's allowed_domains) fetched less than `max_age_s` ago."""
    domains = sorted({d.lower() for d in domains if d})
    if not domains or max_age_s <= 0:
        return {}
    since = ((now or datetime.now(UTC)) - timedelta(seconds=max_age_s)).isoformat(timespec="seconds")
    on_domain = " or ".join(["host = ? or substr(host, -length(?) - 1) = '.' || ?"] * len(domains))
    rows = db.execute(
        f"select origin, http_status, body, fetched_at from robots_txt where fetched_at > ? and ({on_domain})",
        [since, *(d for domain in domains for d in (domain, domain, domain))])
    return {row[0]: StoredRobotsTxt(row[0], row[1], bytes(row[2]), row[3]) for row in rows}
