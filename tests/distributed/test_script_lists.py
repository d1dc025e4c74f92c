"""A list page whose rows call a function defined in the site's script file, crawled by two workers
sharing a Redis frontier: the page waits for the file in plain request meta that Redis pickles, and
whichever worker fetches the file reads the page again (crawler/spiders/source.py, ListScripts).
And columns whose later pages are POSTs (a Hanweb jpage column's record groups, an ASP.NET column's
postbacks): the frontier keeps their method, form and name."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.distributed.cluster import NO_REDIS, Cluster, redis_server
from tests.list_site import (
    SHOW_ARTICLE,
    TITLES,
    WEBFORMS_PAGE,
    list_calling_a_script_file,
    posts_received,
    served,
    write_jpage_column,
    write_site,
    write_webforms_column,
)

pytestmark = [pytest.mark.long, pytest.mark.slow, pytest.mark.skipif(bool(NO_REDIS), reason=NO_REDIS)]


def crawl_with_two_workers(tmp_path: Path, root: Path, start: str) -> tuple[str, dict[str, str]]:
    """One crawl of the column at *start* on *root*'s server by two workers sharing a Redis frontier;
    returns the server's base URL and the stored articles' list anchors by URL (the run must be ok)."""
    from monitor.config import load_sources, source_as_record
    from monitor.distributed import enqueue_crawl
    from storage import open_db
    from storage.sources import sync_sources

    db_path = tmp_path / "govwatch.db"
    with redis_server(tmp_path) as redis_url, served(root) as base:
        config = tmp_path / "sources.yaml"
        config.write_text(f"sources:\n  - name: county\n    start_urls: [\"{base}{start}\"]\n"
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
        return base, {r["url"]: r["list_anchor"] for r in db.query("select url, list_anchor from articles")}
    finally:
        db.close()


def test_two_workers_follow_rows_that_call_the_sites_script_file(tmp_path):
    root = tmp_path / "site"
    write_site(root, list_calling_a_script_file)
    (root / "js").mkdir()
    (root / "js" / "list.js").write_text(SHOW_ARTICLE, encoding="utf-8")
    base, stored = crawl_with_two_workers(tmp_path, root, "/col/index.html")
    assert stored == {f"{base}/col/2021/art_{n}.html": title for n, title in enumerate(TITLES, start=1)}


@pytest.mark.parametrize("column", ["jpage", "webforms"])
def test_two_workers_post_for_a_columns_later_pages(tmp_path, column):
    root = tmp_path / "site"
    root.mkdir()
    if column == "jpage":
        articles, start, posts = write_jpage_column(root, 7372, records=33), "/col/col7372/index.html", 3
    else:
        articles, start, posts = write_webforms_column(root, records=20), f"{WEBFORMS_PAGE}?cid=12", 2
    base, stored = crawl_with_two_workers(tmp_path, root, start)
    assert stored == {base + href: title for href, title in articles.items()}
    assert len(posts_received(root)) == posts
