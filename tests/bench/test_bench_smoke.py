"""`python -m bench` in its quick shape: every figure of the report is there and is a positive number.

The one run includes the issue-22 sections in miniature (2 sources against urlwatch, a
100-article search store). It is one test with several checks, not a module fixture shared by
several tests: under pytest-xdist a module fixture is set up once per worker that gets one of
its tests, and this run (then ~50 s of CPU) ran twice in every suite.

No timing thresholds: the figures depend on the machine; this only proves the benchmark runs
end to end (site, nginx, trafilatura, govwatch crawls, re-crawl, growth, urlwatch) and reports.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench import report
from bench.__main__ import search_section
from tests.bench.test_bench_issue22 import NEW_FIGURES as ISSUE22_FIGURES
from tests.conftest import PROJECT_ROOT, needs_nginx

pytestmark = [pytest.mark.long, pytest.mark.slow, needs_nginx]


@dataclass
class BenchRun:
    """What one `python -m bench` run left: its JSON, its printed table and log, its search store."""

    results: dict[str, Any]
    stdout: str
    stderr: str
    search_store: Path


# The run's size: the least that still runs every section (2 sources, so a round has company; 100
# articles, so every search word has LIKE hits). At 100 pages, 300 held, 3 sources and 300 articles
# it took 28–64 s of one suite worker, 22 s of CPU; at these 21 s, 14 s.
PAGES, HELD, SOURCES, SEARCH_ARTICLES = 40, 100, 2, 100


def run_bench(folder: Path) -> BenchRun:
    """The quick bench with issue 22's sections in miniature, written under `folder`."""
    out, store = folder / "latest.json", folder / "search" / "govwatch.db"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--pages", str(PAGES), "--held", str(HELD), "--many-sources", str(SOURCES),
         "--many-sources-pairs", "1", "--search-articles", str(SEARCH_ARTICLES), "--search-db", str(store),
         "--out", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return BenchRun(json.loads(out.read_text(encoding="utf-8")), result.stdout, result.stderr, store)


def test_one_quick_bench_run_reports_every_figure(tmp_path: Path) -> None:
    run = run_bench(tmp_path)
    check_every_figure_is_a_positive_number(run)
    check_the_crawls_fetched_every_page_and_the_recrawl_got_304s(run)
    check_the_report_names_the_machine_and_versions(run)
    check_the_many_sources_and_search_figures(run)


def check_every_figure_is_a_positive_number(run: BenchRun) -> None:
    results = run.results
    expected = {
        "trafilatura_light_ms_per_page", "trafilatura_heavy_ms_per_page",
        "trafilatura_light_1proc_pages_per_s", "trafilatura_light_all_cores_pages_per_s",
        "trafilatura_mix_1proc_pages_per_s", "trafilatura_mix_all_cores_pages_per_s",
        "govwatch_light_pages_per_s", "govwatch_light_crawl_pages_per_s", "govwatch_light_cpu_ms_per_page",
        "govwatch_light_peak_rss_mb", "govwatch_mix_pages_per_s", "govwatch_mix_cpu_ms_per_page",
        "govwatch_mix_peak_rss_mb", "govwatch_vs_trafilatura_light", "govwatch_vs_trafilatura_mix",
        "recrawl_seconds", "recrawl_seconds_share", "recrawl_bytes", "recrawl_bytes_share", "recrawl_checks_per_s",
        "growth_0_pages_per_s", f"growth_{HELD}_pages_per_s", "growth_largest_vs_smallest_cpu_ratio",
    }
    if results["versions"]["urlwatch"] != "not installed":
        expected |= {"urlwatch_checks_per_s", "urlwatch_cpu_ms_per_check", "govwatch_vs_urlwatch_recheck"}
    figures = results["figures"]
    assert expected <= set(figures), sorted(expected - set(figures))
    for name, value in figures.items():
        assert isinstance(value, (int, float)) and math.isfinite(value) and value > 0, (name, value)


def check_the_crawls_fetched_every_page_and_the_recrawl_got_304s(run: BenchRun) -> None:
    results = run.results
    site = results["site"]
    assert results["govwatch"]["mix"]["articles"] == site["pages"]
    assert results["govwatch"]["light"]["articles"] == site["light_pages"]
    # Only the site's pages were asked for: a link to a file the site lacks (the corpus's 附件 links
    # were, once attachments were fetched) is work bare trafilatura never does, in the ratio.
    assert set(results["govwatch"]["mix"]["by_status"]) == set(results["govwatch"]["light"]["by_status"]) == {"200"}
    # One light crawl below 1,000 pages, between two bare runs; the ratio is that pair's.
    (pair,) = results["govwatch"]["light_runs"]
    assert len(results["trafilatura"]["light_all_cores"]["runs"]) == 2
    assert results["figures"]["govwatch_vs_trafilatura_light"] == pair["ratio"] == results["govwatch"]["light"]["ratio"]
    assert results["recrawl"]["not_modified"] == site["pages"]
    assert [step["held"] for step in results["growth"]] == [0, HELD]


def check_the_report_names_the_machine_and_versions(run: BenchRun) -> None:
    results, stdout = run.results, run.stdout
    assert results["machine"]["nproc"] >= 1 and results["machine"]["cpu"]
    for package in ("python", "scrapy", "trafilatura", "sqlite"):
        assert results["versions"][package]
    for name in report.TARGETS:
        if name in results["figures"]:
            assert name in stdout


def test_scale_run_crawls_every_page_in_the_pool_and_counts_the_workers_memory(tmp_path: Path) -> None:
    """`python -m bench.scale` in miniature: the pool took over after its first pages, and the
    memory figure adds the workers' peak RSS to the crawl process's."""
    out = tmp_path / "scale.json"
    result = subprocess.run([sys.executable, "-m", "bench.scale", "--pages", "150", "--out", str(out)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    crawl, recrawl = results["crawl"], results["recrawl"]
    assert crawl["articles"] == 150
    assert crawl["extraction_workers"] >= 1
    assert crawl["peak_rss_mb"] > crawl["crawl_rss_mb"] > 0
    assert crawl["worker_cpu_s"] > 0
    assert recrawl["not_modified"] == 150 and recrawl["crawl"]["extraction_workers"] == 0  # 304s: nothing to extract
    assert "peak RSS, all processes" in result.stdout


def check_the_many_sources_and_search_figures(run: BenchRun) -> None:
    """Issue 22's sections (bench/__main__.py --many-sources, --search-articles) in the same run."""
    results, store = run.results, run.search_store
    figures = results["figures"]
    expected = set(ISSUE22_FIGURES)
    if results["versions"]["urlwatch"] == "not installed":
        expected -= {"many_sources_unchanged_vs_urlwatch", "many_sources_urlwatch_cpu_vs_govwatch"}
    assert expected <= set(figures), sorted(expected - set(figures))
    for name in expected:
        assert isinstance(figures[name], float) and math.isfinite(figures[name]) and figures[name] > 0, name
    assert figures["search_hits_equal_like"] == 1.0  # every one-word search found exactly LIKE's articles
    many = results["many_sources"]
    assert (many["sources"], many["articles"], many["parallel"], len(many["pairs"])) == (SOURCES, 20, 4, 1)
    rounds = {r["label"]: r for r in many["rounds"]}
    assert set(rounds) == {"first round, forked", "unchanged round, forked"}  # no spawned round
    unchanged = rounds["unchanged round, forked"]
    assert unchanged["statuses"] == {"ok": SOURCES} and unchanged["checks"] == unchanged["not_modified"] == SOURCES * 20
    # Its JSON went to the removed work dir, so the run does not name it (the summary is above).
    assert "results in" not in run.stdout + run.stderr
    search = results["search"]
    assert search["articles"] == SEARCH_ARTICLES and search["build_seconds"] > 0 and store.exists()
    assert search["like_hits"] and search["hits"].items() >= search["like_hits"].items()
    assert search["table"]["queries"] == search["canned"]["queries"] == 30
    for name in set(report.TARGETS) & set(figures):  # each target's figure is printed with a verdict
        line = next(line for line in run.stdout.splitlines() if line.startswith(name + " "))
        assert line.endswith(("  ok", "  MISSED")), line
    # A second run reuses the store: nothing built, the same hits.
    again = search_section(store, SEARCH_ARTICLES, say=lambda message: None)
    assert again["build_seconds"] == 0.0 and again["articles"] == SEARCH_ARTICLES and again["hits"] == search["hits"]

