"""Issue 19 item 2: a crawled page cannot send the crawler to another service (SSRF).

The hostile site refreshes (meta refresh) an article and a list page to an "internal" server on
another port of 127.0.0.1, redirects an article there and links to it; a second crawl is then
asked to re-check a stored URL that points there. The internal server must see no request,
and nothing it would serve may be stored."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import govwatch
from tests.security.conftest import rows

pytestmark = pytest.mark.slow  # the hostile crawl


def test_meta_refresh_redirect_and_links_never_reach_the_internal_server(hostile_crawl):
    site, db = hostile_crawl["site"], hostile_crawl["db"]
    assert hostile_crawl["result"].returncode == 0, hostile_crawl["result"].stderr[-2000:]
    assert site.hits["/gov/index_1.html"] == 1 and site.hits[hostile_crawl["paths"]["refresh"]] == 1  # were tried
    assert site.internal_hits == []
    stored = rows(db, "select url, title from articles")
    assert stored and not [r for r in stored if "INTERNAL" in (r["title"] or "") or not r["url"].startswith(site.base_url)]
    reasons = {r["url"]: r["reason"] for r in rows(db, "select url, reason from fetch_errors")}
    assert "meta refresh to outside the source's scope" in reasons[site.url(hostile_crawl["paths"]["refresh"])]
    assert "another site" in reasons[site.url(hostile_crawl["paths"]["redirected"])]


def test_a_stored_url_off_the_site_is_never_rechecked(hostile_crawl, tmp_path):
    """A URL of another service held in the store (written before the scope rules) is not re-checked."""
    db = tmp_path / "govwatch.db"
    source = sqlite3.connect(hostile_crawl["db"])
    source.backup(target := sqlite3.connect(db))
    source.close()
    with target:
        target.execute("update articles set url = ?, last_checked = null where url = ?",
                       [hostile_crawl["paths"]["internal_article"],
                        hostile_crawl["site"].url(hostile_crawl["paths"]["plain"])])
    target.close()
    site = hostile_crawl["site"]
    before = site.hits[hostile_crawl["paths"]["attachments"]]
    govwatch("crawl", "--db", str(db), "--config", str(hostile_crawl["config"]), check=False, timeout=600)
    assert site.hits[hostile_crawl["paths"]["attachments"]] > before  # the re-crawl did re-check
    assert site.internal_hits == []
