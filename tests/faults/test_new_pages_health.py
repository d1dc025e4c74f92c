"""A crawl whose new notices could not be stored is not `ok` because its re-checks went well.

Known articles are re-checked by the same crawl (often 304s, never through the worker pool), so
the share of all article pages stored can look healthy while every new page failed: the case
monitoring staff care about most. storage.runs.run_outcome judges the new pages apart.
"""

from __future__ import annotations

import pytest

from tests.faults.conftest import crawl, rows, write_sources
from tests.faults.server import FaultSite

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def test_new_pages_that_cannot_be_stored_degrade_a_run_whose_rechecks_went_well(tmp_path):
    with FaultSite(articles=8) as site:
        config = write_sources(tmp_path / "sources.yaml", site)
        db_path = tmp_path / "govwatch.db"
        crawl(db_path, config, check=True)
        for path in site.publish(4):
            site.set_fault(path, "soft404")  # a 200 that is the site's "page not found"
        result = crawl(db_path, config)
        first, second = rows(db_path, "select status, message, articles_new, articles_unchanged from crawl_runs"
                                      " order by id")
    assert first["status"] == "ok" and first["articles_new"] == 8
    assert second["articles_unchanged"] == 8 and second["articles_new"] == 0  # 8 of 12 article pages stored
    assert second["status"] == "degraded" and result.returncode == 1  # `govwatch crawl` exits 1 unless all ok
    assert "stored 0 of 4 new article pages fetched" in second["message"]
