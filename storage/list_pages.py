"""The `list_pages` table: how productive each list page has been, so idle ones are visited less.

The policy (when a page is next due) is the crawler's (crawler/recheck.py); this module only
keeps the counts and the due time it is given, and what the page's last full fetch showed (its
validators, article links and next pages), for the next visit to ask conditionally and follow
on a 304 (crawler/spiders/source.py, `list_request`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from storage.transactions import utc_now, writing


def list_page_stats(db: sqlite_utils.Database, source: str) -> dict[str, dict[str, Any]]:
    """url → its row, for every list page of a source we have fetched."""
    return {r["url"]: r for r in db["list_pages"].rows_where("source = ?", [source])}


def record_list_fetch(
    db: sqlite_utils.Database, source: str, url: str, new_links: int, next_due: str | None, at: str | None = None,
    *, full: FullListFetch | None = None,
) -> None:
    """Count one fetch of a list page and the new article links it showed; after a full fetch
    (`full`), keep its validators and what it showed, and after a 304 (None) what is stored."""
    now = at or utc_now()
    with writing(db):
        existing = db.execute("select fetch_count, new_link_count, idle_streak from list_pages where url = ?",
                              [url]).fetchone()
        fetches, found, idle = existing or (0, 0, 0)
        row = {"url": url, "source": source, "last_fetched": now, "last_new_links": new_links,
               "fetch_count": fetches + 1, "new_link_count": found + new_links,
               "idle_streak": 0 if new_links else idle + 1, "next_due": next_due}
        if full is not None:
            shown = full.shown if full.etag or full.last_modified else None  # nothing to ask with: not kept
            row |= {"etag": full.etag, "last_modified": full.last_modified,
                    "shown": json.dumps(shown, ensure_ascii=False) if shown is not None else None}
        db["list_pages"].upsert(row, pk="url")


@dataclass(frozen=True)
class FullListFetch:
    """What a list page answered with a 200: its validators and what it showed."""

    etag: str | None
    last_modified: str | None
    shown: dict[str, Any] | None


@dataclass(frozen=True)
class StoredListView:
    """What the last full fetch of a list page showed, and the validators to ask it again with."""

    etag: str | None
    last_modified: str | None
    links: list[tuple[str, str | None]]  # in-scope article links: (url, the list's anchor text)
    pages: list[str]  # the list pages it leads to
    rules: str | None  # the crawler's key of the rules it was read with: replayed only under the same
    kept_at: datetime | None  # when that full fetch was


def stored_list_view(row: dict[str, Any] | None) -> StoredListView | None:
    """The view kept in a `list_pages` row, if the page can be asked for conditionally.

    None when there is no validator or nothing kept (a page fetched before this was kept, or
    one kept by a newer version in a shape this one does not read): the page is fetched whole.
    """
    if not row or not (row.get("etag") or row.get("last_modified")) or not row.get("shown"):
        return None
    try:
        shown = json.loads(row["shown"])
        links = [(str(url), None if anchor is None else str(anchor)) for url, anchor in shown["links"]]
        pages = [str(url) for url in shown["pages"]]
        rules = shown.get("rules")
        kept_at = datetime.fromisoformat(shown["kept_at"]) if shown.get("kept_at") else None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if kept_at is not None and kept_at.tzinfo is None:
        kept_at = kept_at.replace(tzinfo=UTC)
    return StoredListView(row.get("etag"), row.get("last_modified"), links, pages,
                          None if rules is None else str(rules), kept_at)
