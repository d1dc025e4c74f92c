"""`python -m bench`'s issue-22 sections: many sources against urlwatch and search at scale, in one run.

The report's side is tested here on made-up results (which figures, units and verdicts; older
results without the sections unchanged). The real thing in miniature (3 sources, a 300-article
search store) runs inside the smoke test's one bench run (tests/bench/test_bench_smoke.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from bench import report
from bench.__main__ import parse_args

NEW_FIGURES = {"many_sources_unchanged_cpu_per_source_s", "many_sources_unchanged_vs_urlwatch",
               "many_sources_urlwatch_cpu_vs_govwatch", "search_table_p50_ms", "search_table_p95_ms",
               "search_canned_p50_ms", "search_canned_p95_ms", "search_hits_equal_like"}


def _crawl(pages_per_s: float) -> dict[str, Any]:
    return {"pages_per_s": pages_per_s, "crawl_pages_per_s": pages_per_s, "cpu_ms_per_page": 20.0,
            "peak_rss_mb": 300.0, "crawl_rss_mb": 110.0, "extraction_workers": 2}


def _results_before_issue22() -> dict[str, Any]:
    """A results file as `python -m bench` wrote it before the issue-22 sections (no such keys)."""
    speed = {"ms_per_page": 20.0, "pages_per_s": 40.0}
    return {
        "machine": {"nproc": 2, "cpu": "test cpu", "ram_gb": 8, "loadavg_start": [1.0, 1.0, 1.0]},
        "versions": {"python": "3.11"},
        "params": {"sample": 80},
        "site": {"pages": 100, "light_pages": 80, "light_kb_mean": 11, "heavy_pages": 20, "heavy_kb_mean": 106,
                 "list_pages": 4},
        "seconds": 60.0,
        "trafilatura": {"light_1proc": speed, "heavy_1proc": speed, "light_all_cores": speed, "mix_1proc": speed,
                        "mix_all_cores": speed},
        "govwatch": {"light": {**_crawl(42.0), "ratio": 1.05}, "mix": _crawl(28.0),
                     "light_runs": [{"ratio": 1.05}]},
        "recrawl": {"seconds": 0.5, "seconds_share": 0.15, "bytes": 18000, "bytes_share": 0.02, "checks_per_s": 190.0,
                    "cpu_ms_per_check": 3.8},
        "growth": [{"held": 0, "crawl": _crawl(37.0)}, {"held": 300, "crawl": _crawl(29.0)}],
        "urlwatch": {"checks_per_s": 70.0, "cpu_ms_per_check": 13.0},
    }


def _with_sections(cpu_per_source: float = 0.12, vs_urlwatch: float | None = 3.4, table_p95: float = 380.0,
                   canned_p95: float = 90.0, equal: bool = True) -> dict[str, Any]:
    results = _results_before_issue22()
    results["many_sources"] = {
        "sources": 300, "articles": 20, "parallel": 4, "seconds": 700.0, "pairs": [{}, {}, {}],
        "unchanged_cpu_per_source_s": cpu_per_source, "unchanged_vs_urlwatch": vs_urlwatch,
        "urlwatch_cpu_per_check_vs_unchanged": None if vs_urlwatch is None else 1.6,
    }
    like = {"扶贫": 231, "乡村": 256}
    results["search"] = {
        "db": "/tmp/x/govwatch.db", "articles": 200_000, "build_seconds": 0.0, "repeat": 3,
        "table": {"p50_ms": table_p95 / 2, "p95_ms": table_p95, "queries": 30},
        "canned": {"p50_ms": canned_p95 / 2, "p95_ms": canned_p95, "queries": 30},
        "like": {"p50_ms": 500.0, "p95_ms": 700.0, "queries": 24},
        "hits": {**like, "扶贫": 231 if equal else 230}, "like_hits": like, "hits_equal_like": equal,
        "hits_differ": {} if equal else {"扶贫": {"search": 230, "like": 231}},
    }
    return results


def _table_rows(results: dict[str, Any]) -> dict[str, str]:
    """The report's figure lines by figure name (the rest: value, unit, verdict)."""
    results = {**results, "figures": report.figures(results)}
    rows = report.table(results).split("\n\n", 1)[1].splitlines()[1:]
    return {line.split()[0]: line.split(None, 1)[1] for line in rows}


def test_results_without_the_sections_give_the_same_figures_and_table() -> None:
    before = _results_before_issue22()
    figures = report.figures(before)
    assert not NEW_FIGURES & set(figures)
    after = report.figures(_with_sections())
    assert NEW_FIGURES <= set(after)
    assert {name: after[name] for name in figures} == figures  # the old figures, untouched
    rows = _table_rows(before)
    assert "many sources:" not in report.table({**before, "figures": figures})
    assert rows["govwatch_vs_urlwatch_recheck"].endswith("≥ 2  ok")


@pytest.mark.parametrize(("figure", "good", "bad", "limit", "unit"), [
    ("many_sources_unchanged_cpu_per_source_s", {"cpu_per_source": 0.12}, {"cpu_per_source": 0.22}, "≤ 0.15", "s CPU"),
    ("many_sources_unchanged_vs_urlwatch", {"vs_urlwatch": 3.4}, {"vs_urlwatch": 2.66}, "≥ 3", "×"),
    ("search_table_p95_ms", {"table_p95": 380.0}, {"table_p95": 833.0}, "≤ 500", "ms"),
    ("search_canned_p95_ms", {"canned_p95": 90.0}, {"canned_p95": 230.0}, "≤ 200", "ms"),
    ("search_hits_equal_like", {"equal": True}, {"equal": False}, "≥ 1", "1 = yes"),
])
def test_each_issue22_figure_is_judged_against_its_limit(figure: str, good: dict, bad: dict, limit: str,
                                                         unit: str) -> None:
    ok, missed = _table_rows(_with_sections(**good))[figure], _table_rows(_with_sections(**bad))[figure]
    assert ok.split(None, 1)[1].startswith(unit)
    assert ok.endswith(f"{limit}  ok"), ok
    assert missed.endswith(f"{limit}  MISSED"), missed


def test_the_units_of_the_figures_without_a_target() -> None:
    rows = _table_rows(_with_sections())
    for figure, unit in (("search_table_p50_ms", "ms"), ("search_canned_p50_ms", "ms"),
                         ("many_sources_urlwatch_cpu_vs_govwatch", "×")):
        assert rows[figure].split(None, 1)[1].strip() == unit, rows[figure]


def test_without_urlwatch_the_ratios_are_left_out_not_zero() -> None:
    figures = report.figures(_with_sections(vs_urlwatch=None))
    assert "many_sources_unchanged_cpu_per_source_s" in figures
    assert "many_sources_unchanged_vs_urlwatch" not in figures
    assert "many_sources_urlwatch_cpu_vs_govwatch" not in figures


def test_the_header_says_what_the_sections_measured() -> None:
    results = _with_sections(equal=False)
    text = report.table({**results, "figures": report.figures(results)})
    assert "many sources: 300 × 20 articles, --parallel 4, 3 pairs against urlwatch; took 700 s" in text
    assert "search: 200,000 articles (reused, /tmp/x/govwatch.db)" in text
    assert "DIFFER: 扶贫 230 ≠ 231" in text


def test_issue22_is_the_shorthand_for_both_sections() -> None:
    default = parse_args([])
    assert (default.many_sources, default.many_sources_pairs, default.search_articles) == (0, 3, 0)
    issue22 = parse_args(["--issue22"])
    assert (issue22.many_sources, issue22.search_articles) == (300, 200_000)
    assert issue22.search_db.name == "govwatch.db"
    assert parse_args(["--issue22", "--many-sources", "10"]).many_sources == 10  # an explicit value wins


@pytest.mark.parametrize(("args", "message"), [
    (["--many-sources", "-1"], "must be 0 (skipped) or more"),
    (["--many-sources-pairs", "0"], "--many-sources-pairs must be at least 1"),
    (["--search-articles", "10", "--search-db", "/tmp/s.db"], "must be named govwatch.db"),
])
def test_bad_section_arguments_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        parse_args(args)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
