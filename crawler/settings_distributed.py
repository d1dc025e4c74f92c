"""Scrapy settings of a distributed worker (`govwatch worker`): the polite defaults, over Redis.

Selected with SCRAPY_SETTINGS_MODULE=crawler.settings_distributed, so the single-machine
crawl (crawler.settings) never loads scrapy-redis or redis. The Redis address comes from
`-s REDIS_URL=…` (the worker command sets it) or $GOVWATCH_REDIS_URL.
"""

import os

from crawler.settings import *
from crawler.settings import DOWNLOADER_MIDDLEWARES

SPIDER_MODULES = ["crawler.distributed"]
NEWSPIDER_MODULE = "crawler.distributed"

# --- politeness: per source, on its hosts' download slots (WorkerSpider.apply_politeness) ---
# A host no source names (a subdomain found while crawling) gets AutoThrottle's start delay.
DOWNLOAD_DELAY = 0

# --- the shared frontier (scrapy-redis) -------------------------------------------------------
REDIS_URL = os.environ.get("GOVWATCH_REDIS_URL", "redis://127.0.0.1:6379/0")
SCHEDULER = "crawler.distributed.RunScheduler"
SCHEDULER_DUPEFILTER_CLASS = "crawler.distributed.RunDupeFilter"
DUPEFILTER_CLASS = "crawler.distributed.RunDupeFilter"
SCHEDULER_PERSIST = True  # the frontier belongs to the cluster, not to one worker
SCHEDULER_QUEUE_CLASS = "crawler.distributed.LeasedQueue"
SCHEDULER_SERIALIZER = "crawler.frontier"  # JSON, not pickle: see crawler/frontier.py

# --- components ----------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    **DOWNLOADER_MIDDLEWARES,
    "crawler.distributed.SourceDelayMiddleware": 121,
    "crawler.middlewares.ConditionalGetMiddleware": None,
    "crawler.distributed.RunConditionalGetMiddleware": 560,
}
ITEM_PIPELINES = {
    "crawler.distributed.RunExtractionPipeline": 300,
    "crawler.distributed.RedisItemPipeline": 800,
    # after the push: an article is in the stream before its attachments are asked for (and read
    # in this worker's reader pool, crawler/attachments/distributed.py)
    "crawler.attachments.distributed.RunAttachmentPipeline": 850,
}
# One output of a callback at a time: RequestDone, yielded last, then really comes after the
# callback's requests are queued and its items pushed. Pipelines are synchronous CPU work, so
# nothing is lost by not interleaving them.
CONCURRENT_ITEMS = 1

# --- govwatch distributed --------------------------------------------------------------------
# Distributed workers scale out by adding workers; each extracts in its own process.
GOVWATCH_EXTRACTION_WORKERS = 0
GOVWATCH_IDLE_POLL_S = 0.2  # how often an idle worker looks for work
GOVWATCH_LEASE_TTL_S = 30.0  # a worker silent this long is dead; its requests are re-queued
GOVWATCH_REDIS_PREFIX = "govwatch"
GOVWATCH_STREAM_MAX_BACKLOG = 2000  # entries (page bodies: ~10–100 KB each) waiting for the writer; workers pause
GOVWATCH_WORKER_EXIT_IDLE_S = 0  # 0: wait for work forever
GOVWATCH_WORKER_ID = None  # default: host-pid-random
