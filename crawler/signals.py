"""govwatch's own Scrapy signals (sent with `crawler.signals.send_catch_log`, like Scrapy's)."""

# An outcome for the store from a component that yields no items (a downloader middleware: the
# robots.txt it fetched, crawler/robots.py). Arguments: outcome (a storage.outcomes type). The
# StoragePipeline writes it in its next batch like any item; where no pipeline listens (a
# distributed worker, which has no store), nothing is kept.
outcome_noted = object()
