"""The `list_pages` table: how productive each list page has been, so idle ones are visited less.

The policy (when a page is next due) is the crawler's (crawler/recheck.py); this module only
keeps the counts and the due time it is given.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from storage.transactions import utc_now, writing


def list_page_stats(db: sqlite_utils.Database, source: str) -> dict[str, dict[str, Any]]:
    """url → its row, for every list page of a source we have fetched."""
    return {r["url"]: r for r in db["list_pages"].rows_where("source = ?", [source])}


def record_list_fetch(
    db: sqlite_utils.Database, source: str, url: str, new_links: int, next_due: str | None, at: str | None = None
) -> None:
    """Count one fetch of a list page and the new article links it showed."""
    now = at or utc_now()
    with writing(db):
        existing = db.execute("select fetch_count, new_link_count, idle_streak from list_pages where url = ?",
                              [url]).fetchone()
        fetches, found, idle = existing or (0, 0, 0)
        db["list_pages"].upsert(
            {"url": url, "source": source, "last_fetched": now, "last_new_links": new_links,
             "fetch_count": fetches + 1, "new_link_count": found + new_links,
             "idle_streak": 0 if new_links else idle + 1, "next_due": next_due},
            pk="url",
        )
