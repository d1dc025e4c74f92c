"""Raw response bodies, kept once per SHA-256 and compressed with zstd and a per-source dictionary.

Why this shape (measured by `python -m bench.growth`): the raw HTML was the largest part of
the store, gzip per version. Pages of one site share most of their bytes (template, menus,
footer), which per-row compression cannot see; a zstd dictionary trained on a source's own
pages carries them once. A body is first stored with plain zstd (computed in the extraction
worker, off the writer's core); after a crawl, `compact_bodies` trains the source's
dictionary once it has enough pages and recompresses its plain bodies with it. Bodies are
keyed by their SHA-256 (`article_versions.raw_sha256`, the hash cited as evidence), so a body
served twice (a version written again, a page republished verbatim) is kept once.

Retention (`prune_raw_bodies`) may drop the body of an old version of an article that never
changed; the version keeps its text, hashes and size (`raw_pruned_at` says when it went).
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from storage.transactions import utc_now, writing

try:  # Python 3.14+
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the Python version
    from backports import zstd

# Plain zstd in the worker: fast, replaced by the dictionary form after the crawl.
PLAIN_LEVEL = 3
# With a dictionary the body is written once and read rarely: spend CPU for size.
DICT_LEVEL = 12
# A source's dictionary is trained once it has this many bodies; from its first this many.
DICT_MIN_SAMPLES = 48
DICT_MAX_SAMPLES = 400
DICT_BYTES = 64 * 1024

_dictionaries: dict[tuple[str, int, str], zstd.ZstdDict] = {}
DICTIONARIES_KEPT = 64  # ~64 KB each: a bounded share of a process's memory however many sources


def compress_plain(body: bytes) -> bytes:
    """The first stored form of a body: pure, so a crawl computes it in an extraction worker."""
    return zstd.compress(body, level=PLAIN_LEVEL)


def store_body(db: sqlite_utils.Database, sha256: str, compressed: bytes, size: int) -> None:
    """Keep a body (plain zstd from `compress_plain`) unless one with its hash is kept already."""
    db.execute("insert or ignore into raw_bodies (sha256, codec, dictionary_id, body, size) values (?, 'zstd', null, ?, ?)",
               [sha256, compressed, size])


def read_body(db: sqlite_utils.Database, version: dict[str, Any]) -> bytes | None:
    """The body of a version (a row with raw_sha256 and, in stores of older releases, raw_html_gz)
    as received; None when retention dropped it."""
    if version.get("raw_html_gz") is not None:
        return gzip.decompress(version["raw_html_gz"])
    row = db.execute("select codec, dictionary_id, body from raw_bodies where sha256 = ?",
                     [version["raw_sha256"]]).fetchone()
    if row is None:
        return None
    codec, dictionary_id, body = row
    return decode_body(codec, body, _dictionary(db, dictionary_id) if codec == "zstd-dict" else None)


def decode_body(codec: str, body: bytes, dictionary: zstd.ZstdDict | bytes | None = None) -> bytes:
    """A stored body as received, from its codec and (for zstd-dict) its dictionary: pure, so
    Datasette can serve a body it read with plain SQL."""
    if codec == "zstd":
        return zstd.decompress(body)
    if codec == "zstd-dict" and dictionary is not None:
        if isinstance(dictionary, bytes):
            dictionary = zstd.ZstdDict(dictionary)
        return zstd.decompress(body, zstd_dict=dictionary)
    raise ValueError(f"cannot decode a raw body stored as {codec!r}")


# Bodies without their source's dictionary yet, counted per source: read through the partial
# index of migration m018 (the table's rows are ~a page each; a scan read the store's raw HTML).
PLAIN_BY_SOURCE = ("select a.source, count(distinct b.sha256) from raw_bodies b"
                   " join article_versions v on v.raw_sha256 = b.sha256 join articles a on a.id = v.article_id"
                   " where b.codec = 'zstd' group by a.source")


def compact_bodies(db: sqlite_utils.Database) -> dict[str, int]:
    """Train the dictionary of each source that has enough bodies and none yet, and recompress
    every plain body of a source that has one; returns bodies recompressed per source."""
    done: dict[str, int] = {}
    plain = db.execute(PLAIN_BY_SOURCE).fetchall()
    for source, count in plain:
        with writing(db):
            dictionary_id = _latest_dictionary(db, source)
            if dictionary_id is None:
                if count < DICT_MIN_SAMPLES:
                    continue
                dictionary_id = _train(db, source)
            done[source] = _recompress(db, source, dictionary_id)
    return done


def prune_raw_bodies(db: sqlite_utils.Database, older_than_days: int, now: datetime | None = None) -> int:
    """Drop the raw bodies of versions fetched more than `older_than_days` ago whose article has
    only that one version (never changed: the text and hashes say all there is to say). Bodies
    of articles that changed are kept as the evidence of each change. Returns versions pruned."""
    if older_than_days < 1:
        raise ValueError(f"raw HTML retention must be at least 1 day, not {older_than_days}")
    cutoff = ((now or datetime.now(UTC)) - timedelta(days=older_than_days)).isoformat(timespec="seconds")
    with writing(db):
        pruned = db.execute(
            "update article_versions set raw_pruned_at = ?, raw_html_gz = null"
            " where raw_pruned_at is null and fetched_at < ?"
            " and article_id in (select id from articles where version_count = 1)",
            [utc_now(), cutoff]).rowcount
        db.execute("delete from raw_bodies where sha256 not in"
                   " (select raw_sha256 from article_versions where raw_pruned_at is null and raw_sha256 is not null)")
    return pruned


def _train(db: sqlite_utils.Database, source: str) -> int:
    samples = [zstd.decompress(body) for (body,) in db.execute(
        "select b.body from raw_bodies b where b.codec = 'zstd' and b.sha256 in"
        " (select v.raw_sha256 from article_versions v join articles a on a.id = v.article_id where a.source = ?)"
        " limit ?", [source, DICT_MAX_SAMPLES])]
    trained = zstd.train_dict(samples, DICT_BYTES)
    return int(db.execute(
        "insert into body_dictionaries (source, trained_at, samples, dictionary) values (?, ?, ?, ?)",
        [source, utc_now(), len(samples), trained.dict_content]).lastrowid)


def _recompress(db: sqlite_utils.Database, source: str, dictionary_id: int) -> int:
    dictionary = _dictionary(db, dictionary_id)
    rows = db.execute(
        "select b.sha256, b.body from raw_bodies b where b.codec = 'zstd' and b.sha256 in"
        " (select v.raw_sha256 from article_versions v join articles a on a.id = v.article_id where a.source = ?)",
        [source]).fetchall()
    for sha256, body in rows:
        packed = zstd.compress(zstd.decompress(body), level=DICT_LEVEL, zstd_dict=dictionary)
        db.execute("update raw_bodies set codec = 'zstd-dict', dictionary_id = ?, body = ? where sha256 = ?",
                   [dictionary_id, packed, sha256])
    return len(rows)


def _latest_dictionary(db: sqlite_utils.Database, source: str) -> int | None:
    row = db.execute("select max(id) from body_dictionaries where source = ?", [source]).fetchone()
    return row[0] if row else None


def _dictionary(db: sqlite_utils.Database, dictionary_id: int) -> zstd.ZstdDict:
    """Dictionaries never change once written, so each is read once per process and file (keyed
    with its training time too: a restored file may reuse an id for another dictionary)."""
    (trained_at,) = db.execute("select trained_at from body_dictionaries where id = ?", [dictionary_id]).fetchone()
    key = (db.conn.execute("pragma database_list").fetchone()[2], dictionary_id, trained_at)
    if key not in _dictionaries:
        (content,) = db.execute("select dictionary from body_dictionaries where id = ?", [dictionary_id]).fetchone()
        if len(_dictionaries) >= DICTIONARIES_KEPT:  # the oldest read goes: a long-lived service reads
            del _dictionaries[next(iter(_dictionaries))]  # every source's, and stores (and files) come and go
        _dictionaries[key] = zstd.ZstdDict(content)
    return _dictionaries[key]
