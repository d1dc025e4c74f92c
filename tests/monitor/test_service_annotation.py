"""When the service annotates (diffs, copy links, body compaction) what its crawls stored.

Once the crawls in hand are done, or once a batch is pending: not after every crawl (it scans
the store, O(sources²) a round) and not only at the end (copy detection's memory grows with the
batch). Observed through the store: annotation signs new articles (article_minhash).
"""

from __future__ import annotations

from pathlib import Path

from bench.crawl_speed import prefill
from monitor.service import ANNOTATE_BATCH, CrawlService
from tests.faults.conftest import rows

BODY = "<html><body><h1>通知</h1><p>为进一步做好相关工作，现将有关事项通知如下。</p></body></html>".encode()


def signed(db_path: Path) -> int:
    return rows(db_path, "select count(*) n from article_minhash")[0]["n"]


def last_run(db_path: Path) -> dict:
    """The prefill's run: what a crawl that just ended hands to annotate()."""
    return rows(db_path, "select id from crawl_runs order by id desc limit 1")[0]


def test_annotation_waits_for_the_crawls_in_hand_or_a_batch(tmp_path):
    db_path = tmp_path / "govwatch.db"
    service = CrawlService(db_path, tmp_path / "sources.yaml")
    prefill(db_path, 3, [BODY])
    service.running = {"other": object()}  # another crawl still running
    service.annotate(last_run(db_path), stored=3)
    assert signed(db_path) == 0
    service.running = {}
    service.waiting = 1  # none running, but one waiting for a slot
    service.annotate(last_run(db_path), stored=0)
    assert signed(db_path) == 0
    service.waiting = 0  # the poll, with nothing left in hand
    service.annotate()
    assert signed(db_path) == 3

    prefill(db_path, 2, [BODY])
    service.running = {"other": object()}
    service.annotate(last_run(db_path), stored=ANNOTATE_BATCH - 1)
    assert signed(db_path) == 3
    service.annotate(last_run(db_path), stored=1)  # a batch is pending: annotated though crawls go on
    assert signed(db_path) == 5
    service.running = {}
    service.annotate()  # nothing new since: nothing due
    assert service.annotation_due is False
