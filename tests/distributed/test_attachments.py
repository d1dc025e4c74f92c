"""Attachments in distributed mode, for real: redis-server, a worker process, the store writer, the
demo site. A worker fetches and reads each attachment of the articles it stores, the outcome
crosses the Redis stream and the store writer records it as a single-machine crawl would; a
re-crawl asks for the stored files conditionally (validators from the run's context) and a
replaced file becomes a second version with a `changed` event."""

from __future__ import annotations

import pytest

from demo.attachment_files import DEMO_PHRASES, REPLACED_LINE
from storage import open_db
from tests.conftest import PROJECT_ROOT
from tests.distributed.cluster import NO_REDIS, Cluster, redis_server
from tests.security.conftest import ALWAYS_RECHECK

pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(NO_REDIS), reason=NO_REDIS)]


@pytest.fixture
def cluster(tmp_path):
    with redis_server(tmp_path) as url:
        c = Cluster(url, tmp_path / "govwatch.db", tmp_path)
        yield c
        c.shutdown()


def sync_demo_gov(db_path, base_url: str) -> None:
    """The demo's gov source, every article due again at every crawl (so files are re-checked)."""
    from monitor.config import load_sources, source_as_record
    from storage.sources import sync_sources

    [record] = [source_as_record(s) for s in load_sources(PROJECT_ROOT / "sources.yaml", demo_url=base_url)
                if s.name == "demo-gov"]
    db = open_db(db_path)
    try:
        sync_sources(db, [{**record, "recheck": {**(record.get("recheck") or {}), **ALWAYS_RECHECK}}])
    finally:
        db.close()


def crawl_gov(cluster: Cluster) -> dict:
    from monitor.distributed import enqueue_crawl

    [run] = cluster.wait_for_runs([enqueue_crawl(cluster.redis_url, cluster.db_path, "demo-gov")], timeout=60)
    assert run["status"] == "ok", cluster.logs()
    return run


def stored_attachments(cluster: Cluster) -> dict[str, dict]:
    db = open_db(cluster.db_path)
    try:
        return {r["url"]: r for r in db.query(
            "select t.*, a.url as article_url, a.source from attachments t join articles a on a.id = t.article_id")}
    finally:
        db.close()


def test_workers_fetch_read_and_recheck_attachments(cluster, fresh_demo_site):
    site = fresh_demo_site
    sync_demo_gov(cluster.db_path, site.base_url)
    cluster.start_writer()
    cluster.start_worker("w1")

    crawl_gov(cluster)
    first = stored_attachments(cluster)
    linked = {
        site.base_url + path: owner.path
        for owner in site.state.live("gov") for path in owner.extra.get("attachments", [])
    }
    assert linked, "the demo site links no attachments: nothing to test"
    assert set(first) == set(linked), cluster.logs()
    assert {r["source"] for r in first.values()} == {"demo-gov"}
    assert {r["status"] for r in first.values()} == {"read"}, {u: r["reason"] for u, r in first.items()}
    assert {r["kind"] for r in first.values()} == set(DEMO_PHRASES)
    for row in first.values():
        assert DEMO_PHRASES[row["kind"]] in row["text"], row["url"]
        assert row["sha256"] and row["version_count"] == 1 and row["http_status"] == 200
        assert row["article_url"].endswith(linked[row["url"]])

    # Re-crawl: every article is a 304, and its files are asked for again with their ETags.
    replaced = min(linked)
    crawl_gov(cluster)
    second = stored_attachments(cluster)
    assert set(second) == set(first)
    assert {r["http_status"] for r in second.values()} == {304}, cluster.logs()
    assert {r["version_count"] for r in second.values()} == {1}

    # A file replaced under an unchanged page: a second version, a changed event naming it.
    site.state.replace_attachment(replaced.removeprefix(site.base_url))
    run = crawl_gov(cluster)
    third = stored_attachments(cluster)
    assert third[replaced]["version_count"] == 2 and REPLACED_LINE in third[replaced]["text"]
    assert {u for u, r in third.items() if r["version_count"] > 1} == {replaced}
    db = open_db(cluster.db_path)
    try:
        events = list(db.query("select * from events where attachment_version_id is not null and run_id = ?",
                               [run["id"]]))
    finally:
        db.close()
    assert len(events) == 1 and third[replaced]["name"] in events[0]["detail"]
