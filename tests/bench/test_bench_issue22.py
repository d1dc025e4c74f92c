"""`python -m bench`'s issue-22 sections: many sources against urlwatch and search at scale, in one run.

The report's side is tested on made-up results (fast: which figures, units and verdicts; older
results without the sections unchanged); the real thing in miniature (slow: 3 sources, a
300-article search store) proves the sections run inside `python -m bench` and add up.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import report
from bench.__main__ import parse_args, search_section

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NEEDS_NGINX = pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
                                 reason="the benchmark serves its site with nginx")
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


@pytest.mark.slow
@NEEDS_NGINX
def test_one_bench_run_gives_the_many_sources_and_search_figures(tmp_path: Path) -> None:
    out, store = tmp_path / "latest.json", tmp_path / "search" / "govwatch.db"
    result = subprocess.run(
        # The smallest base run (test_bench_smoke.py covers its sections): ~35 s alone on 2 busy cores,
        # ~80 s beside the smoke test under -n 2.
        [sys.executable, "-m", "bench", "--pages", "20", "--held", "0", "--many-sources", "3",
         "--many-sources-pairs", "1", "--search-articles", "300", "--search-db", str(store), "--out", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    figures = results["figures"]
    expected = set(NEW_FIGURES)
    if results["versions"]["urlwatch"] == "not installed":
        expected -= {"many_sources_unchanged_vs_urlwatch", "many_sources_urlwatch_cpu_vs_govwatch"}
    assert expected <= set(figures), sorted(expected - set(figures))
    for name in expected:
        assert isinstance(figures[name], float) and math.isfinite(figures[name]) and figures[name] > 0, name
    assert figures["search_hits_equal_like"] == 1.0  # every one-word search found exactly LIKE's articles
    many = results["many_sources"]
    assert (many["sources"], many["articles"], many["parallel"], len(many["pairs"])) == (3, 20, 4, 1)
    rounds = {r["label"]: r for r in many["rounds"]}
    assert set(rounds) == {"first round, forked", "unchanged round, forked"}  # no spawned round
    unchanged = rounds["unchanged round, forked"]
    assert unchanged["statuses"] == {"ok": 3} and unchanged["checks"] == unchanged["not_modified"] == 60
    written = Path(result.stderr.split("results in ", 1)[1].split("\n", 1)[0])
    assert not written.exists() and PROJECT_ROOT not in written.parents  # its JSON went to the removed work dir
    search = results["search"]
    assert search["articles"] == 300 and search["build_seconds"] > 0 and store.exists()
    assert search["like_hits"] and search["hits"].items() >= search["like_hits"].items()
    assert search["table"]["queries"] == search["canned"]["queries"] == 30
    for name in set(report.TARGETS) & set(figures):  # each target's figure is printed with a verdict
        line = next(line for line in result.stdout.splitlines() if line.startswith(name + " "))
        assert line.endswith(("  ok", "  MISSED")), line
    # A second run reuses the store: nothing built, the same hits.
    again = search_section(store, 300, say=lambda message: None)
    assert again["build_seconds"] == 0.0 and again["articles"] == 300 and again["hits"] == search["hits"]

