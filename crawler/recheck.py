"""Which known pages a crawl fetches again: cheap re-checks, as pure functions (no Scrapy).

Articles: a page is most likely to be edited or withdrawn soon after it appears, so an article
that is young (by its published date or when we first saw it, whichever is later) is re-checked
at every crawl, an older one daily, an old one weekly. With the defaults everything we first
saw within the last week is re-checked at every crawl, so a withdrawal is noticed at once.

Attachments: under an article that answered 304 its stored files are asked for again (a 附件 is
often replaced under an unchanged page), conditionally; a file whose link was dead at the last
check (404, 410) is asked for at intervals doubling from `dead_file_min_every` to
`dead_file_max_every` instead of at every crawl. Sites leave dead attachment links under old
notices for years: on the bench's sites they were half the requests of an unchanged re-check,
each one a request to a site that has said the file is gone.

List pages: page 1 (the start URLs) is always fetched. A deeper list page that keeps showing no
new article links is visited less and less often (its interval doubles per idle visit, from
`list_min_every` up to `list_max_every`); it is still fetched whenever the page before it showed
new links, so a burst of new articles that pushes others down is followed as deep as it goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(spec: str | float) -> float:
    """Seconds in "0", "90s", "30m", "6h" or "7d"; ValueError names the accepted forms."""
    if isinstance(spec, int | float):
        return float(spec)
    m = _DURATION.match(spec or "")
    if not m:
        raise ValueError(f"{spec!r} is not a duration; write a number with s, m, h or d (e.g. '6h', '7d', '0')")
    return float(m.group(1)) * _SECONDS[m.group(2)]


@dataclass(frozen=True)
class RecheckPolicy:
    """A source's re-check intervals, in seconds (see `Recheck` in monitor/config.py)."""

    recent_days: float = 7
    recent_every: float = 0
    middle_days: float = 60
    middle_every: float = 86400
    old_every: float = 7 * 86400
    list_min_every: float = 6 * 3600
    list_max_every: float = 7 * 86400
    dead_file_min_every: float = 86400
    dead_file_max_every: float = 30 * 86400

    @classmethod
    def from_config(cls, block: dict[str, Any] | None) -> RecheckPolicy:
        """From the `recheck:` block as stored with the source (durations as strings)."""
        block = block or {}
        values = {}
        for name in ("recent_days", "middle_days"):
            if block.get(name) is not None:
                values[name] = float(block[name])
        for name in ("recent_every", "middle_every", "old_every", "list_min_every", "list_max_every",
                     "dead_file_min_every", "dead_file_max_every"):
            if block.get(name) is not None:
                values[name] = parse_duration(block[name])
        return cls(**values)

    def article_interval(self, age_days: float) -> float:
        if age_days <= self.recent_days:
            return self.recent_every
        if age_days <= self.middle_days:
            return self.middle_every
        return self.old_every


def article_due(article: dict[str, Any], now: datetime, policy: RecheckPolicy) -> bool:
    """Is a known article (published, first_seen, last_checked) due for a re-check at `now`?"""
    born = max((t for t in (_parse(article.get("published")), _parse(article.get("first_seen"))) if t),
               default=None)
    age_days = (now - born).total_seconds() / 86400 if born else 0.0
    last = _parse(article.get("last_checked"))
    return last is None or (now - last).total_seconds() >= policy.article_interval(age_days)


def due_articles(articles: list[dict[str, Any]], now: datetime, policy: RecheckPolicy) -> list[str]:
    """URLs of the known articles due for a re-check, in the order given."""
    return [a["url"] for a in articles if article_due(a, now, policy)]


# A dead link: the file is gone (404 Not Found, 410 Gone). Other failures (5xx, timeouts, resets)
# are a bad moment of the site, asked for again at the next crawl.
DEAD_FILE_STATUSES = frozenset({404, 410})


def attachment_due(attachment: dict[str, Any], now: datetime, policy: RecheckPolicy) -> bool:
    """Is a stored attachment (status, http_status, fetched_at, last_checked) of an unchanged
    article asked for again at `now`? Yes, unless its link was dead at the last check: then once
    it has waited as long as it had been dead by then (`fetched_at` is when it died: a repeated
    404 does not move it), at least `dead_file_min_every` and at most `dead_file_max_every`: 1, 1,
    2, 4 … days with the defaults. A file that comes back is noticed at the next due check."""
    if attachment.get("status") != "fetch_failed" or attachment.get("http_status") not in DEAD_FILE_STATUSES:
        return True
    dead_since, last = _parse(attachment.get("fetched_at")), _parse(attachment.get("last_checked"))
    if dead_since is None or last is None:
        return True
    interval = min(max((last - dead_since).total_seconds(), policy.dead_file_min_every), policy.dead_file_max_every)
    return (now - last).total_seconds() >= interval


def list_page_due(stats: dict[str, Any] | None, now: datetime) -> bool:
    """A list page never fetched, or whose next visit has come."""
    if not stats or not stats.get("next_due"):
        return True
    due = _parse(stats["next_due"])
    return due is None or due <= now


def list_next_due(idle_streak: int, now: datetime, policy: RecheckPolicy) -> str:
    """When to visit a list page again, given how many visits in a row found nothing new."""
    interval = min(policy.list_min_every * (2 ** min(idle_streak, 30)), policy.list_max_every)
    return (now + timedelta(seconds=interval)).isoformat(timespec="seconds")


def _parse(value: str | None) -> datetime | None:
    """A stored UTC timestamp or a bare published date (taken as midnight UTC)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
