"""`govwatch backup` / `restore` and the service's backup job, against real crawls of the demo site."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.backups import BackupSettings, kept_backups, scheduled_backup
from storage.backups import BackupError, backup_database, restore_database, verify_database
from tests.conftest import DEMO_SOURCES, PROJECT_ROOT, govwatch

# What "equal" means for a restored store: every article, version and event, row for row.
CONTENT_QUERIES = {
    "articles": "select id, url, content_hash, status, version_count from articles order by id",
    "versions": "select id, article_id, version, content_hash, raw_sha256 from article_versions order by id",
    "events": "select id, article_id, kind, version_id, at from events order by id",
}


def content(db_path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db_path)
    try:
        return {name: conn.execute(sql).fetchall() for name, sql in CONTENT_QUERIES.items()}
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_backups_taken_while_a_crawl_writes_are_consistent_and_restore_equal(tmp_path, fresh_demo_site):
    db_path = tmp_path / "govwatch.db"
    govwatch("crawl", "--db", str(db_path), "--demo-url", fresh_demo_site.base_url, "demo-gov")  # a store to copy
    crawl = subprocess.Popen(
        [sys.executable, "-m", "monitor", "crawl", "--db", str(db_path), "--demo-url", fresh_demo_site.base_url,
         *DEMO_SOURCES], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    during: list[tuple[Path, dict[str, int]]] = []
    try:
        while crawl.poll() is None:
            dest = tmp_path / "during" / f"copy-{len(during)}.db.zst"
            report = backup_database(db_path, dest, "zstd")  # verified inside; a bad copy raises
            if crawl.poll() is None:  # the crawl was still writing when the copy finished
                during.append((dest, report.counts))
            time.sleep(0.05)
    finally:
        output, _ = crawl.communicate(timeout=200)
    assert crawl.returncode == 0, output
    assert len(during) >= 2, "the crawl ended before two backups could be taken while it wrote"
    final = content(db_path)
    # Each copy is a snapshot: a restore of it passes the checks, and holds no row the crawl later lost.
    for dest, counts in during:
        restored = tmp_path / "restored-during.db"
        assert restore_database(dest, restored) == counts
        snapshot = content(restored)
        assert set(snapshot["versions"]) <= set(final["versions"])
        assert set(snapshot["events"]) <= set(final["events"])
    assert len({c["article_versions"] for _, c in during}) >= 2, "no copy saw the crawl's progress"

    # The commands: backup into a folder (dated name, zstd), restore into a new file, equal row for row.
    printed = govwatch("backup", "--db", str(db_path), str(tmp_path)).stdout
    assert "integrity ok" in printed
    (copy,) = kept_backups(tmp_path, db_path)
    restored = tmp_path / "restored.db"
    govwatch("restore", "--db", str(restored), str(copy))
    assert content(restored) == final
    assert final["events"] and final["versions"]


@pytest.mark.slow  # crawled_demo crawls the four demo sources
def test_restore_refuses_damaged_backups_and_never_replaces_the_store(tmp_path, crawled_demo):
    good = tmp_path / "good.db.gz"
    backup_database(crawled_demo, good, "gzip")
    target = tmp_path / "store.db"
    restore_database(good, target)
    before = content(target)

    truncated = tmp_path / "truncated.db"
    restore_database(good, truncated)
    data = truncated.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    garbage = tmp_path / "garbage.db.zst"
    garbage.write_bytes(b"not zstd at all" * 100)
    for bad in (truncated, garbage):
        with pytest.raises(BackupError):
            restore_database(bad, target)
        result = govwatch("restore", "--force", "--db", str(target), str(bad), check=False)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert content(target) == before  # the damaged backups changed nothing
    assert verify_database(target)["articles"] == len(before["articles"])

    refused = govwatch("restore", "--db", str(target), str(good), check=False)
    assert refused.returncode == 2 and "--force" in refused.stderr
    missing = govwatch("backup", "--db", str(tmp_path / "nope.db"), str(tmp_path / "x.db"), check=False)
    assert missing.returncode == 2 and "no such file" in missing.stderr


@pytest.mark.slow  # crawled_demo crawls the four demo sources
def test_scheduled_backup_keeps_the_newest_and_touches_nothing_else(tmp_path, crawled_demo):
    folder = tmp_path / "backups"
    folder.mkdir()
    unrelated = [folder / "notes.txt", folder / "other-20200101T000000Z.db"]
    for path in unrelated:
        path.write_text("keep me")
    settings = BackupSettings(folder, every="every 1h", keep=2, compression="gzip")
    made = []
    for second in range(4):  # names carry the second: write them a second apart, oldest first
        old = folder / f"{crawled_demo.stem}-2026010{second + 1}T000000Z.db.gz"
        old.write_bytes(b"")
        made.append(old)
    report = scheduled_backup(str(crawled_demo), settings)
    assert report is not None
    kept = kept_backups(folder, crawled_demo)
    assert kept == [made[-1], report.path]
    assert all(path.exists() for path in unrelated)
    # A failing backup is logged, not raised: the service goes on.
    assert scheduled_backup(str(tmp_path / "missing.db"), settings) is None

    for bad in ({"keep": 0}, {"compression": "rar"}, {"every": "every fortnight"}):
        with pytest.raises(ValueError):
            BackupSettings(folder, **bad)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_service_backs_up_on_schedule_while_it_crawls(tmp_path, fresh_demo_site):
    db_path, config, folder = tmp_path / "govwatch.db", tmp_path / "sources.yaml", tmp_path / "backups"
    config.write_text(f"""
sources:
  - name: demo-gov
    start_urls: ["{fresh_demo_site.base_url}/gov/index.html"]
    allow_paths: ["/gov/"]
    schedule: every 2s
    politeness: {{autothrottle: false, download_delay: 0, obey_robots: false}}
""", encoding="utf-8")
    service = subprocess.Popen(
        [sys.executable, "-m", "monitor", "run", "--db", str(db_path), "--config", str(config), "--poll", "0.5",
         "--backup-dir", str(folder), "--backup-every", "every 2s", "--backup-keep", "2"],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            copies = kept_backups(folder, db_path) if folder.exists() else []
            if len(copies) == 2 and verify_database_or_none(copies[-1], "articles"):
                break
            time.sleep(0.5)
        time.sleep(4.5)  # at least two more backups, so pruning has had work to do
    finally:
        service.send_signal(signal.SIGTERM)
        output, _ = service.communicate(timeout=60)
    assert service.returncode == 0, output
    written = re.findall(r"backup (\S+) written", output)
    assert len(written) >= 3, output
    copies = kept_backups(folder, db_path)
    assert len(copies) == 2 and [c.name for c in copies] == [Path(w).name for w in written[-2:]]
    restored = tmp_path / "restored.db"
    assert restore_database(copies[-1], restored)["articles"] > 0


def verify_database_or_none(path: Path, table: str) -> int | None:
    """Rows of `table` in a backup, or None while it cannot be read yet."""
    try:
        restored = path.parent.parent / "check.db"  # outside the backup folder
        count = restore_database(path, restored).get(table)
        restored.unlink()
        return count
    except (BackupError, FileNotFoundError):
        return None
