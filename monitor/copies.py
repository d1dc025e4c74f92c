"""Finding republished copies: MinHash over character shingles, with an LSH band index.

The MinHash is datasketch's (`MinHash` with a fixed seed, so a signature stored by one process
is comparable with one computed by another). Its own LSH index (`MinHashLSH`) lives in memory
or Redis; ours must live in the SQLite store beside the articles, so the bands are cut here and
kept in `article_shingle_bands` (storage/copies.py), where an index on (band, hash) answers
"who shares a band with this one" in a few lookups however large the store grows.

Chinese text has no word boundaries, so the shingles are runs of SHINGLE_CHARS characters of the
normalised text (whitespace and punctuation dropped, so a re-typeset copy still matches).
Candidates from the bands are confirmed on the exact Jaccard similarity of their shingle sets,
so the LSH only has to be generous, never right. Each copy is linked to the earliest copy we
hold, judged by published date, then first seen. On the same published date a page whose 来源
names another copy's site is not the original (it credits that one), and a source the operator
declared a mirror (`kind: mirror`) is never the original: parallel crawls store a day's copy and
its original in either order, and first seen alone made the copy the original whenever its crawl
stored first.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import unicodedata
from collections.abc import Sequence
from typing import Any

import sqlite_utils

from storage.copies import articles_by_id, articles_to_sign, candidate_copies, link_copy, save_signature

SHINGLE_CHARS = 5
BANDS, ROWS = 16, 4  # 64 hash functions; candidates from about Jaccard 0.5 up ((1/16) ** (1/4))
COPY_MIN_JACCARD = 0.7  # confirmed copies: at least this share of shingles in common
MIN_SHINGLES = 40  # shorter texts (a caption, a one-line notice) are too short to call copies
SIGNATURE_SEED = 20240601  # fixed: changing it (or the shingles) needs every stored signature redone (m015)
_DROP = re.compile(r"[\s\W_]+")


def shingles(text: str | None) -> set[int]:
    """32-bit hashes (what datasketch's MinHash permutes) of every run of SHINGLE_CHARS characters."""
    letters = _DROP.sub("", unicodedata.normalize("NFKC", text or ""))
    return {
        int.from_bytes(hashlib.blake2b(letters[i:i + SHINGLE_CHARS].encode("utf-8"), digest_size=4).digest(), "big")
        for i in range(max(len(letters) - SHINGLE_CHARS + 1, 0))
    }


def minhash(hashes: set[int]) -> list[int]:
    """The BANDS * ROWS minima of datasketch's permutations over the shingle hashes."""
    signature = minhash_class()(num_perm=BANDS * ROWS, seed=SIGNATURE_SEED, hashfunc=int)
    signature.update_batch(list(hashes))
    return [int(v) for v in signature.hashvalues]


@functools.cache
def minhash_class() -> type:
    """datasketch's MinHash, imported on first use and on its own.

    Not `from datasketch import MinHash`: the package's `__init__` imports every sketch it has,
    and its LSH modules import scipy.integrate (and the redis client): ~0.9 s of CPU and ~70 MB
    in each process that signs articles, for one class that needs only numpy (`govwatch crawl`
    paid it after every crawl; bench/README.md, "A crawl command's own CPU"). So its `minhash`
    module is loaded under a package object whose `__init__` has not run, and that object is
    removed again: a later `import datasketch` runs the real `__init__`, which finds
    `datasketch.minhash` already loaded and uses the same class.
    """
    with _IMPORT_LOCK:  # two threads must not swap the package object under each other
        return _load_minhash()


_IMPORT_LOCK = threading.Lock()


def _load_minhash() -> type:
    import importlib
    import importlib.util
    import sys

    if "datasketch" in sys.modules:  # the whole package is loaded already (a test, a bench)
        from datasketch.minhash import MinHash

        return MinHash
    spec = importlib.util.find_spec("datasketch")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("datasketch is not installed (requirements.txt)")
    sys.modules["datasketch"] = importlib.util.module_from_spec(spec)  # its __init__ not run
    try:
        minhash_module = importlib.import_module("datasketch.minhash")
    finally:
        del sys.modules["datasketch"]
    return minhash_module.MinHash


def band_hashes(signature: Sequence[int]) -> list[tuple[int, int]]:
    """(band, hash) pairs; the hash fits SQLite's signed 64-bit integers."""
    out = []
    for band in range(BANDS):
        chunk = ",".join(str(v) for v in signature[band * ROWS:(band + 1) * ROWS]).encode()
        out.append((band, int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "big", signed=True)))
    return out


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def sign_new_articles(db: sqlite_utils.Database) -> list[int]:
    """Sign every article not signed for its current content; return those long enough to compare."""
    signed = []
    for article in articles_to_sign(db):
        found = shingles(article["text"])
        bands = band_hashes(minhash(found)) if len(found) >= MIN_SHINGLES else []
        save_signature(db, article["id"], article["content_hash"], len(found), bands)
        if bands:
            signed.append(article["id"])
    return signed


def link_copies(db: sqlite_utils.Database, article_ids: Sequence[int]) -> int:
    """Link each of these articles and its confirmed copies to the earliest of them; return links made."""
    cache: dict[int, set[int]] = {}
    links = 0
    for article_id in article_ids:
        candidates = candidate_copies(db, article_id)
        if not candidates:
            continue
        rows = {r["id"]: r for r in articles_by_id(db, [article_id, *candidates])}
        mine = _shingles_of(rows[article_id], cache)
        copies = [c for c in candidates if jaccard(mine, _shingles_of(rows[c], cache)) >= COPY_MIN_JACCARD]
        if not copies:
            continue
        members = [article_id, *copies]
        roots = {rows[m]["copy_of"] for m in members if rows[m]["copy_of"] and rows[m]["copy_of"] not in rows}
        rows.update({r["id"]: r for r in articles_by_id(db, roots)})
        group = set(members) | {rows[m]["copy_of"] for m in members if rows[m]["copy_of"]}
        sites = [_site_names(rows[i]) for i in group]
        root = min(group, key=lambda i: _age_key(rows[i], sites))
        for member in sorted(group - {root}):
            similarity = jaccard(_shingles_of(rows[member], cache), _shingles_of(rows[root], cache))
            if link_copy(db, member, root, similarity):
                rows[member]["copy_of"] = root
                links += 1
    return links


def detect_copies(db: sqlite_utils.Database) -> int:
    """Sign what is new or edited, then link its copies; return the links made."""
    return link_copies(db, sign_new_articles(db))


def _shingles_of(row: dict[str, Any], cache: dict[int, set[int]]) -> set[int]:
    if row["id"] not in cache:
        cache[row["id"]] = shingles(row["text"])
    return cache[row["id"]]


def _age_key(row: dict[str, Any], sites: list[set[str]]) -> tuple[str, bool, bool, str, int]:
    """Earliest first: the page's own date, then not crediting another copy's site, then not a
    mirror's, then when we first saw it, then storage order. A date the page gives outranks both
    words: a page dated earlier than the other copy is taken for the original."""
    first_seen = row["first_seen"] or ""
    return (row["published"] or first_seen[:10], _credits_another(row, sites), row.get("source_kind") == "mirror",
            first_seen, row["id"])


def _site_names(row: dict[str, Any]) -> set[str]:
    """What a copy's own site is called: its source's title and name, folded for comparison."""
    return {_fold(n) for n in (row.get("source_title"), row.get("source")) if n and len(_fold(n)) >= 2}


def _credits_another(row: dict[str, Any], sites: list[set[str]]) -> bool:
    """The page's 来源 names another copy's site (a county portal's 来源：湖南日报 under the paper's
    story, published the same day): it says itself that it is the copy."""
    origin = _fold(row.get("origin") or "")
    if len(origin) < 2:
        return False
    own = _site_names(row)
    return any(name not in own and (name in origin or origin in name) for names in sites for name in names)


def _fold(text: str) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", text)).lower()
