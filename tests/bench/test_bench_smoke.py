"""`python -m bench` in its quick shape: every figure of the report is there and is a positive number.

No timing thresholds: the figures depend on the machine; this only proves the benchmark runs
end to end (site, nginx, trafilatura, govwatch crawls, re-crawl, growth, urlwatch) and reports.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import report

PROJECT_ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
                                reason="the benchmark serves its site with nginx")]


@pytest.fixture(scope="module")
def bench_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    out = tmp_path_factory.mktemp("bench") / "latest.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--pages", "100", "--held", "300", "--out", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), result.stdout


def test_every_figure_is_a_positive_number(bench_results: tuple[dict, str]) -> None:
    results, _ = bench_results
    expected = {
        "trafilatura_light_ms_per_page", "trafilatura_heavy_ms_per_page",
        "trafilatura_light_1proc_pages_per_s", "trafilatura_light_all_cores_pages_per_s",
        "trafilatura_mix_1proc_pages_per_s", "trafilatura_mix_all_cores_pages_per_s",
        "govwatch_light_pages_per_s", "govwatch_light_crawl_pages_per_s", "govwatch_light_cpu_ms_per_page",
        "govwatch_light_peak_rss_mb", "govwatch_mix_pages_per_s", "govwatch_mix_cpu_ms_per_page",
        "govwatch_mix_peak_rss_mb", "govwatch_vs_trafilatura_light", "govwatch_vs_trafilatura_mix",
        "recrawl_seconds", "recrawl_seconds_share", "recrawl_bytes", "recrawl_bytes_share", "recrawl_checks_per_s",
        "growth_0_pages_per_s", "growth_300_pages_per_s", "growth_largest_vs_smallest_cpu_ratio",
    }
    if results["versions"]["urlwatch"] != "not installed":
        expected |= {"urlwatch_checks_per_s", "urlwatch_cpu_ms_per_check", "govwatch_vs_urlwatch_recheck"}
    figures = results["figures"]
    assert expected <= set(figures), sorted(expected - set(figures))
    for name, value in figures.items():
        assert isinstance(value, (int, float)) and math.isfinite(value) and value > 0, (name, value)


def test_the_crawls_fetched_every_page_and_the_recrawl_got_304s(bench_results: tuple[dict, str]) -> None:
    results, _ = bench_results
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
    assert [step["held"] for step in results["growth"]] == [0, 300]


def test_the_report_names_the_machine_and_versions(bench_results: tuple[dict, str]) -> None:
    results, stdout = bench_results
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
