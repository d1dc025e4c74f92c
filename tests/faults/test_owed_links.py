"""An article whose fetch failed is not lost once newer articles push it off the first list page.

A list page is followed while it shows new links, otherwise only when it is due (hours later).
So an article that failed while it was on page 1, and failed again on the crawl that stored
the ten newer ones that pushed it to page 2, was only found again when page 2 was next due:
the soak test lost articles exactly so. Now every link a list showed and the store does not
hold is written down when it is seen, and asked for by each later crawl until it is stored.
Runs on one machine and distributed (tests/faults/conftest.py).
"""

from __future__ import annotations

import pytest

from tests.faults.conftest import rows, write_sources
from tests.faults.server import PER_PAGE, FaultSite

pytestmark = [pytest.mark.long, pytest.mark.slow, pytest.mark.timeout(240)]


def test_a_link_that_failed_is_fetched_after_newer_articles_pushed_it_off_page_one(tmp_path, crawl_mode):
    site = FaultSite(articles=PER_PAGE)
    site.start()
    try:
        config = write_sources(tmp_path / "sources.yaml", site)
        db_path = tmp_path / "govwatch.db"
        failing = site.article_paths[-1]  # the newest: first on page 1
        site.set_fault(failing, "status", status=503)

        crawl_mode.crawl(db_path, config)
        owed = rows(db_path, "select url, failures from unfetched_links")
        assert owed == [{"url": site.url(failing), "failures": 1}]

        site.publish(PER_PAGE)  # ten newer notices: the failing one is now first on page 2
        crawl_mode.crawl(db_path, config)  # follows page 2 (page 1 was new) and fails on it again
        assert rows(db_path, "select failures from unfetched_links") == [{"failures": 2}]
        assert not rows(db_path, "select 1 from articles where url = ?", [site.url(failing)])

        site.clear_faults()
        page_two = "/gov/index_1.html"
        page_two_visits = len(site.hits[page_two])
        crawl_mode.crawl(db_path, config)
        # page 1 showed nothing new and page 2 is not due: only the noted link led back to it
        assert len(site.hits[page_two]) == page_two_visits
        stored = rows(db_path, "select a.url, e.kind from articles a join events e on e.article_id = a.id"
                               " where a.url = ?", [site.url(failing)])
        assert stored == [{"url": site.url(failing), "kind": "new"}]
        assert rows(db_path, "select * from unfetched_links") == []
        assert rows(db_path, "select count(*) as n from events where kind = 'new'") == [{"n": 2 * PER_PAGE}]
    finally:
        site.stop()
