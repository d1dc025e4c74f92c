"""A list page whose rows call a function defined in the site's script file, crawled by two workers
sharing a Redis frontier: the page waits for the file in plain request meta that Redis pickles, and
whichever worker fetches the file reads the page again (crawler/spiders/source.py, ListScripts).
And a Hanweb jpage column, whose later record groups are POSTs: the frontier keeps their method and form."""

from __future__ import annotations

import pytest

from tests.distributed.cluster import NO_REDIS, Cluster, redis_server
from tests.list_site import (
    SHOW_ARTICLE,
    TITLES,
    jpage_posts,
    list_calling_a_script_file,
    served,
    write_jpage_column,
    write_site,
)

pytestmark = [pytest.mark.long, pytest.mark.slow, pytest.mark.skipif(bool(NO_REDIS), reason=NO_REDIS)]


def test_two_workers_follow_rows_that_call_the_sites_script_file(tmp_path):
    from monitor.config import load_sources, source_as_record
    from monitor.distributed import enqueue_crawl
    from storage import open_db
    from storage.sources import sync_sources

    root = tmp_path / "site"
    write_site(root, list_calling_a_script_file)
    (root / "js").mkdir()
    (root / "js" / "list.js").write_text(SHOW_ARTICLE, encoding="utf-8")
    db_path = tmp_path / "govwatch.db"
    with redis_server(tmp_path) as redis_url, served(root) as base:
        config = tmp_path / "sources.yaml"
        config.write_text(f"sources:\n  - name: county\n    start_urls: [\"{base}/col/index.html\"]\n"
                          "    politeness: {download_delay: 0, autothrottle: false, obey_robots: false}\n",
                          encoding="utf-8")
        db = open_db(db_path)
        try:
            sync_sources(db, [source_as_record(s) for s in load_sources(config)])
        finally:
            db.close()
        cluster = Cluster(redis_url, db_path, tmp_path)
        try:
            cluster.start_writer()
            for worker in ("w1", "w2"):
                cluster.start_worker(worker)
            runs = cluster.wait_for_runs([enqueue_crawl(redis_url, db_path, "county")], timeout=60)
        finally:
            cluster.shutdown()
    assert runs[0]["status"] == "ok", cluster.logs()
    db = open_db(db_path)
    try:
        stored = {r["url"]: r["list_anchor"] for r in db.query("select url, list_anchor from articles")}
    finally:
        db.close()
    assert stored == {f"{base}/col/2021/art_{n}.html": title for n, title in enumerate(TITLES, start=1)}


def test_two_workers_post_for_a_hanweb_columns_later_record_groups(tmp_path):
    from monitor.config import load_sources, source_as_record
    from monitor.distributed import enqueue_crawl
    from storage import open_db
    from storage.sources import sync_sources

    root = tmp_path / "site"
    root.mkdir()
    column = write_jpage_column(root, 7372, records=33)   # 10 on the page, 3 groups posted for
    db_path = tmp_path / "govwatch.db"
    with redis_server(tmp_path) as redis_url, served(root) as base:
        config = tmp_path / "sources.yaml"
        config.write_text(f"sources:\n  - name: county\n    start_urls: [\"{base}/col/col7372/index.html\"]\n"
                          "    politeness: {download_delay: 0, autothrottle: false, obey_robots: false}\n",
                          encoding="utf-8")
        db = open_db(db_path)
        try:
            sync_sources(db, [source_as_record(s) for s in load_sources(config)])
        finally:
            db.close()
        cluster = Cluster(redis_url, db_path, tmp_path)
        try:
            cluster.start_writer()
            for worker in ("w1", "w2"):
                cluster.start_worker(worker)
            runs = cluster.wait_for_runs([enqueue_crawl(redis_url, db_path, "county")], timeout=60)
        finally:
            cluster.shutdown()
    assert runs[0]["status"] == "ok", cluster.logs()
    db = open_db(db_path)
    try:
        stored = {r["url"] for r in db.query("select url from articles")}
    finally:
        db.close()
    assert stored == {base + href for href in column}
    assert sorted(post["form"]["columnid"] for post in jpage_posts(root)) == ["7372"] * 3
