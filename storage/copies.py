"""Republished copies: the MinHash band index and the `copy_of` links with their events.

The signatures themselves are computed by the monitor (monitor/copies.py); this module only
keeps them and answers "which articles share a band with this one", which an index on
(band, hash) makes a handful of lookups however large the store grows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils

from storage.transactions import utc_now, writing

_ARTICLE_COLUMNS = ", ".join(f"a.{c}" for c in (
    "id", "url", "source", "title", "text", "published", "first_seen", "copy_of", "content_hash", "current_version_id",
    "origin"))


def articles_to_sign(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Articles never signed, or whose content changed since they were signed."""
    return list(db.query(
        f"select {_ARTICLE_COLUMNS} from articles a"
        " left join article_minhash m on m.article_id = a.id"
        " where m.article_id is null or m.content_hash is not a.content_hash order by a.id"
    ))


def save_signature(
    db: sqlite_utils.Database, article_id: int, content_hash: str, shingles: int, bands: Sequence[tuple[int, int]]
) -> None:
    """Replace an article's bands (none for a text too short to judge) and mark it signed."""
    with writing(db):
        db.execute("delete from article_shingle_bands where article_id = ?", [article_id])
        db["article_shingle_bands"].insert_all(
            ({"band": band, "hash": value, "article_id": article_id} for band, value in bands)
        )
        db["article_minhash"].upsert(
            {"article_id": article_id, "content_hash": content_hash, "shingles": shingles, "signed_at": utc_now()},
            pk="article_id",
        )


def candidate_copies(db: sqlite_utils.Database, article_id: int) -> list[int]:
    """Other articles sharing at least one LSH band with this one."""
    return [r["article_id"] for r in db.query(
        "select distinct other.article_id from article_shingle_bands mine"
        " join article_shingle_bands other on other.band = mine.band and other.hash = mine.hash"
        " where mine.article_id = ? and other.article_id != ? order by other.article_id",
        [article_id, article_id],
    )]


def articles_by_id(db: sqlite_utils.Database, ids: Iterable[int]) -> list[dict[str, Any]]:
    ids = list(ids)
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    return list(db.query(f"select {_ARTICLE_COLUMNS}, s.kind as source_kind, s.title as source_title from articles a"
                         " left join sources s on s.name = a.source"
                         f" where a.id in ({marks}) order by a.id", ids))


def link_copy(db: sqlite_utils.Database, article_id: int, original_id: int, similarity: float) -> bool:
    """Point a copy at its original; the first link of a copy writes its `republished` event.

    The event belongs to the run that first stored the copy, so a digest of that run lists it.
    Returns True when the link is new or moved.
    """
    with writing(db):
        copy = db["articles"].get(article_id)
        if copy["copy_of"] == original_id:
            return False
        original = db["articles"].get(original_id)
        db["articles"].update(article_id, {"copy_of": original_id})
        if copy["copy_of"] is None:
            first = next(iter(db.query(
                "select run_id from article_versions where article_id = ? order by version limit 1", [article_id])),
                {"run_id": None})
            db["events"].insert({
                "article_id": article_id, "kind": "republished", "run_id": first["run_id"], "source": copy["source"],
                "at": utc_now(), "version_id": copy["current_version_id"],
                "detail": json.dumps({"copy_of": original_id, "url": original["url"], "source": original["source"],
                                      "similarity": round(similarity, 3)}, ensure_ascii=False),
            })
        return True
