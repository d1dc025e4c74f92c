"""Fewer garbage collections in the crawl process, not in its extraction workers (crawler/gc_tuning.py)."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator

import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.extraction_pool import ExtractionPool
from crawler.gc_tuning import OLDER_THRESHOLDS, GcTuningExtension

PYTHON_DEFAULTS = (700, 10, 10)


@pytest.fixture
def python_gc() -> Iterator[None]:
    """Give the test process its collector back as it was."""
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_the_crawl_collects_less_once_the_spider_is_open(python_gc):
    gc.unfreeze()
    crawler = get_crawler(settings_dict={"GOVWATCH_GC_THRESHOLD": 12_345})
    extension = GcTuningExtension.from_crawler(crawler)
    assert gc.get_threshold()[0] != 12_345  # nothing changes before the spider opens
    crawler.signals.send_catch_log(signals.spider_opened, spider=None)
    assert extension.threshold == 12_345
    assert gc.get_threshold() == (12_345, *OLDER_THRESHOLDS)
    assert gc.get_freeze_count() > 0  # start-up state is out of later collections


def test_a_zero_threshold_keeps_pythons_defaults():
    with pytest.raises(NotConfigured):
        GcTuningExtension.from_crawler(get_crawler(settings_dict={"GOVWATCH_GC_THRESHOLD": 0}))


def test_the_extraction_workers_keep_pythons_collector():
    """A worker's page trees are often held by reference cycles: collected rarely, they pile up
    (hundreds of MB per worker on 100 KB pages), so the workers keep Python's thresholds."""
    pool = ExtractionPool(workers=1, start_after=0)
    pool.expect_new_article("http://127.0.0.1/new.html")  # past start_after: the pool starts
    try:
        deadline = time.monotonic() + 60
        while not pool.ready():
            assert time.monotonic() < deadline, "the worker did not warm up"
            time.sleep(0.05)
        assert pool.executor.submit(gc.get_threshold).result(timeout=60) == PYTHON_DEFAULTS
    finally:
        pool.close()
