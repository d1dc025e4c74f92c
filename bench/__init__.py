"""Benchmarks, run from the repo root: `python -m bench` (crawl speed, re-crawl, growth, urlwatch),
`python -m bench.profile_crawl` (profile + prototypes), `python -m bench.extraction`, `python -m bench.search`."""
