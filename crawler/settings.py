"""Scrapy settings for govwatch: polite defaults for real government sites.

A source's `politeness` block (sources.yaml) overrides the throttling ones per crawl;
the local demo turns AutoThrottle off, real sites keep it on.
"""

BOT_NAME = "govwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- politeness -------------------------------------------------------------
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 1.0
ROBOTSTXT_OBEY = True
USER_AGENT = "govwatch/0.1 (+https://github.com/govwatch/govwatch; public-sector change monitor)"

# --- limits -----------------------------------------------------------------
# Government pages are small; a 10 MB "page" is an attachment or garbage.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
# A hundred concurrent items per response only adds scheduling overhead (see bench/).
CONCURRENT_ITEMS = 16

# --- components ---------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # first: no request leaves for another site or port, whatever produced it (SSRF)
    "crawler.middlewares.OnSiteRequestMiddleware": 50,
    # Scrapy's, at its place (100), with each host's rules read again once a day old (crawler/robots.py)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.ExpiringRobotsTxtMiddleware": 100,
    # after RobotsTxtMiddleware (100), so robots.txt is parsed before the first page request
    "crawler.politeness.CrawlDelayMiddleware": 120,
    "crawler.middlewares.ConditionalGetMiddleware": 560,
    # after RetryMiddleware (550): sees a 429/503 before it is retried
    "crawler.politeness.BackoffMiddleware": 580,
    # Scrapy's meta-refresh check (its 580), without decoding every page to look for the tag
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.QuickMetaRefreshMiddleware": 579,
    # just after HttpCompressionMiddleware (590) in request order: see crawler/compression.py
    "crawler.compression.CompressedBodyMiddleware": 595,
    # before RedirectMiddleware (600): refuses redirects to another site or around a loop
    "crawler.middlewares.ScopedRedirectMiddleware": 610,
}
SPIDER_MIDDLEWARES = {}
ITEM_PIPELINES = {
    "crawler.pipelines.ExtractionPipeline": 300,
    "crawler.pipelines.StoragePipeline": 800,
    # after the store: asks for each stored article's attachments (crawler/attachments/fetching.py)
    "crawler.attachments.fetching.AttachmentPipeline": 850,
}
# Attachments (附件) are fetched in the same crawl, read in worker processes and stored with
# their text; a larger file is recorded with its size and skipped (never cut).
GOVWATCH_ATTACHMENTS_ENABLED = True
GOVWATCH_ATTACHMENTS_READ = True  # False: fetch, hash and keep the files, do not read their text
GOVWATCH_ATTACHMENT_MAX_BYTES = 30 * 1024 * 1024
GOVWATCH_ATTACHMENT_READ_TIMEOUT = 30.0  # CPU seconds one file may take (readers run at nice 10: a wait is not a cost)
GOVWATCH_ATTACHMENT_WORKERS = 2  # the machine's cores: reads take what the pages leave, and both cores at the end
# Responses a callback still holds count against this (Scrapy's default: 5 MB); above it the
# downloader stops. An attachment's callback holds its file (up to the limit above) while a worker
# reads it: at 5 MB, five 1 MB PDFs stopped the whole crawl (bench/attachments.py: 0.20 of the pace).
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 64 * 1024 * 1024
# Scrapy 2.19 starts an HTTP server that runs Python code sent to it (token-protected, on
# localhost) in every crawl: an unattended crawler needs no such door, nor its start-up cost.
REMOTE_CONTROL_ENABLED = False
# Scrapy's lint of spider callbacks (a generator that returns a value): it re-reads and parses the
# callback's source for every response (its cache is keyed by the short-lived bound method), ~5 ms
# of a 20-article re-check's ~120 (interleaved A/B, bench/README.md "Warm crawls"); our spiders'
# callbacks are tested instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Scrapy logs the versions of ten libraries at every crawl's start, reading six packages' metadata
# from disk each time: a large share of a forked 20-article re-check's set-up (bench/README.md,
# "Warm crawls"). They cannot change between the crawls of one install: the fork server logs them
# once, at its start (crawler/fork_server.py); a spawned crawl's log goes without them.
LOG_VERSIONS = []
# Scrapy's base extensions without two of them: the telnet console and RemoteControl are left
# out here rather than set to None in EXTENSIONS, because Scrapy's extension manager imports
# every key of that setting to normalise it, the ones set to None included. Switching
# RemoteControl off by name imported its module, and with it aiohttp's web server: ~0.25 s of
# CPU in every spawned crawl and fork server start (bench/README.md, "A command at a time").
# Written out, not derived from Scrapy's defaults, because this module must not import Scrapy
# (monitor/ reads it; tests/test_layering.py). tests/crawler/test_fork_server_preload.py fails
# when Scrapy's base list changes.
EXTENSIONS_BASE = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.memusage.MemoryUsage": 0,
    "scrapy.extensions.memdebug.MemoryDebugger": 0,
    "scrapy.extensions.closespider.CloseSpider": 0,
    "scrapy.extensions.feedexport.FeedExporter": 0,
    "scrapy.extensions.logstats.LogStats": 0,
    "scrapy.extensions.spiderstate.SpiderState": 0,
    "scrapy.extensions.throttle.AutoThrottle": 0,
}
EXTENSIONS = {
    "crawler.parent_watch.ParentWatchExtension": 500,
    "crawler.gc_tuning.GcTuningExtension": 510,
}

# --- govwatch -----------------------------------------------------------------
GOVWATCH_BACKOFF_FACTOR = 2.0  # per source: politeness.backoff_factor (1 switches backoff off)
GOVWATCH_BACKOFF_MAX_DELAY = 60.0
GOVWATCH_CRAWL_DELAY_ENABLED = True  # per source: politeness.honour_crawl_delay
GOVWATCH_ROBOTSTXT_MAX_AGE_S = 24 * 3600  # a host's robots.txt is read again once this old (RFC 9309)
GOVWATCH_DB = "govwatch.db"
# Extraction worker processes per crawl (crawler/extraction_pool.py): "auto" = the cores
# (`govwatch crawl`/`run` share them between parallel crawls), 0 = extract in the crawl process.
GOVWATCH_EXTRACTION_WORKERS = "auto"
# The pool starts past this many new articles scheduled (or pages extracted): about one list
# page of them (gov list pages show 15–25 items); fewer are done in-process before it would be warm.
GOVWATCH_EXTRACTION_POOL_AFTER = 20
# Items written per transaction, and the longest an item waits for its batch (crawler/pipelines.py).
GOVWATCH_STORE_BATCH = 50
GOVWATCH_STORE_BATCH_S = 1.0
# Young-generation garbage-collection threshold of the crawl process (crawler/gc_tuning.py);
# 0 keeps Python's default (700).
GOVWATCH_GC_THRESHOLD = 50_000
GOVWATCH_PARENT_CHECK_S = 1.0  # a crawl whose govwatch parent died stops (crawler/parent_watch.py)
GOVWATCH_LIFELINE_FD = -1  # set by the fork server: the pipe that closes when the monitor dies
GOVWATCH_REUSED_PROCESS = False  # set by crawler/crawl_worker.py: the process runs other crawls after this one
GOVWATCH_RUN_ID = None  # set by `govwatch crawl`; a standalone `scrapy crawl` opens its own run
GOVWATCH_TRIGGER = "scrapy"

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
