"""Backups of the store: a consistent copy taken while crawls write, checked before it is kept.

`VACUUM INTO` reads the database inside one read transaction, so in WAL mode it sees one
committed snapshot while crawl processes go on committing (they are never blocked), and it
writes a compacted copy with no free pages. The copy is checked with `PRAGMA integrity_check`
and `foreign_key_check` before it is compressed and renamed into place: a backup file that
exists is a backup that was verified. Restoring checks again and moves the file in whole.

Compression uses the standard library's gzip or zstd (`backports.zstd`, pinned; it is
`compression.zstd` from Python 3.14), streamed in blocks so a multi-GB store never sits in memory.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO

try:  # Python 3.14+
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the Python version
    from backports import zstd

COMPRESSIONS = ("none", "gzip", "zstd")
SUFFIXES = {"gzip": ".gz", "zstd": ".zst", "none": ""}
BLOCK = 1 << 20
# The tables whose rows a backup must carry: counted in the copy so a restore can be compared.
COUNTED_TABLES = ("articles", "article_versions", "events", "crawl_runs")


class BackupError(Exception):
    """A copy failed its checks or a file cannot be read as a database; the message names the file."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    compression: str
    bytes: int
    counts: dict[str, int]


def compression_of(path: str | Path) -> str:
    """The compression a backup file is in, from its suffix (what `backup` wrote)."""
    name = str(path)
    for kind, suffix in SUFFIXES.items():
        if suffix and name.endswith(suffix):
            return kind
    return "none"


def backup_database(db_path: str | Path, dest: str | Path, compression: str = "none") -> BackupReport:
    """Copy the store at `db_path` to `dest`, verified, optionally compressed.

    The copy is made next to `dest` under a temporary name and renamed only once it passed
    its checks, so an interrupted backup never leaves a file that looks complete.
    """
    if compression not in COMPRESSIONS:
        raise BackupError(f"unknown compression {compression!r}; use one of {', '.join(COMPRESSIONS)}")
    db_path, dest = Path(db_path), Path(dest)
    if not db_path.is_file():
        raise BackupError(f"cannot back up {db_path}: no such file")
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".govwatch-backup-", dir=dest.parent))
    try:
        copy = work / "copy.db"
        with closing(sqlite3.connect(db_path, timeout=30)) as conn:
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("VACUUM INTO ?", [str(copy)])
        counts = verify_database(copy)
        final = work / "final"
        if compression == "none":
            copy.rename(final)
        else:
            _stream(copy, final, _opener(compression), open)
        os.replace(final, dest)
        return BackupReport(dest, compression, dest.stat().st_size, counts)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def restore_database(src: str | Path, db_path: str | Path) -> dict[str, int]:
    """Put the backup `src` in place as the store at `db_path`; returns its row counts.

    The backup is decompressed beside `db_path` and checked before anything is replaced;
    the old `-wal`/`-shm` files go with the old database, since a WAL left behind would be
    replayed onto the restored file. The caller makes sure no process has the store open.
    """
    src, db_path = Path(src), Path(db_path)
    if not src.is_file():
        raise BackupError(f"cannot restore {src}: no such file")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".govwatch-restore-", dir=db_path.parent)
    os.close(handle)
    staged = Path(name)
    try:
        kind = compression_of(src)
        try:
            _stream(src, staged, open, _opener(kind) if kind != "none" else open)
        except (OSError, EOFError, zstd.ZstdError) as exc:
            raise BackupError(f"cannot restore {src}: not a readable {kind} file ({exc})") from None
        counts = verify_database(staged)
        for suffix in ("-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.replace(staged, db_path)
        return counts
    finally:
        staged.unlink(missing_ok=True)


def verify_database(path: str | Path) -> dict[str, int]:
    """Run SQLite's integrity and foreign-key checks on `path`; return the counted tables' rows."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            problems = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError(f"{path} failed integrity_check: {'; '.join(problems[:5])}")
            orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
            if orphans:
                raise BackupError(f"{path} failed foreign_key_check: {len(orphans)} row(s), first {orphans[0]}")
            tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
            return {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in COUNTED_TABLES if t in tables}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a usable SQLite database: {exc}") from None


def _opener(kind: str) -> Callable[[Path, str], IO[bytes]]:
    if kind == "gzip":
        return lambda path, m: gzip.open(path, m, compresslevel=6)
    if kind == "zstd":
        return lambda path, m: zstd.open(path, m)
    raise BackupError(f"unknown compression {kind!r}")


def _stream(src: Path, dest: Path, open_dest: Callable[..., IO[bytes]], open_src: Callable[..., IO[bytes]]) -> None:
    with open_src(src, "rb") as reader, open_dest(dest, "wb") as writer:
        shutil.copyfileobj(reader, writer, BLOCK)
