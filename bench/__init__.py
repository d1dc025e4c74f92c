"""Benchmarks, run from the repo root: `python -m bench` (crawl speed, re-crawl, growth, urlwatch),
`python -m bench.profile_crawl` (profile + variants), `python -m bench.scale` (100,000 pages), `python -m bench.extraction`, `python -m bench.search`."""
