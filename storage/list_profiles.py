"""The `list_profiles` table: what a crawl learned about each start page's list.

A profile is the list detector's own record (crawler/listing: where the list is, the URL
shape of its records), kept here as JSON without being interpreted: the store only knows
whose it is, when it was learned, and whether an operator pinned it. Pinned: a crawl never
replaces it. Reset: it is forgotten, and the next crawl learns the page again.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from storage.sources import get_source
from storage.transactions import utc_now, writing


def source_profiles(db: sqlite_utils.Database, source: str) -> dict[str, dict[str, Any]]:
    """start URL → {profile (dict), pinned (bool), learned_at, relearned_count}, for one source."""
    return {r["start_url"]: _decoded(r) for r in db["list_profiles"].rows_where("source = ?", [source],
                                                                              order_by="start_url")}


def save_learned_profile(db: sqlite_utils.Database, source: str, start_url: str, profile: dict[str, Any],
                         *, relearned: bool = False) -> bool:
    """Keep the profile a crawl learned for `start_url`; False (nothing written) when it is pinned.

    Called inside the caller's write transaction or on its own.
    """
    with writing(db):
        existing = db.execute("select pinned, relearned_count from list_profiles where source = ? and start_url = ?",
                              [source, start_url]).fetchone()
        if existing and existing[0]:
            return False
        now = utc_now()
        db["list_profiles"].upsert({
            "source": source, "start_url": start_url, "profile": json.dumps(profile, ensure_ascii=False, sort_keys=True),
            "pinned": 0, "learned_at": now, "last_used_at": now,
            "relearned_count": (existing[1] if existing else 0) + int(relearned),
        }, pk=("source", "start_url"))
    return True


def pin_profiles(db: sqlite_utils.Database, source: str, pinned: bool = True) -> int:
    """Pin (or unpin) every profile of a source; how many there are. Unknown source: UnknownSource."""
    get_source(db, source)
    with writing(db):
        cursor = db.execute("update list_profiles set pinned = ? where source = ?", [int(pinned), source])
    return cursor.rowcount


def reset_profiles(db: sqlite_utils.Database, source: str) -> int:
    """Forget every profile of a source (the next crawl learns its lists again); how many went."""
    get_source(db, source)
    with writing(db):
        cursor = db.execute("delete from list_profiles where source = ?", [source])
    return cursor.rowcount


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    return {"profile": json.loads(row["profile"]), "pinned": bool(row["pinned"]), "learned_at": row["learned_at"],
            "relearned_count": row["relearned_count"] or 0}
