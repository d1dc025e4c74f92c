"""bench.views_at_scale on a small store: every page answers and its figures are printed."""

from __future__ import annotations

import re

import pytest

from bench import views_at_scale

pytestmark = pytest.mark.slow


def test_every_page_is_timed_on_a_store_with_runs_versions_and_events(tmp_path, capsys):
    views_at_scale.main(["--db", str(tmp_path / "search" / "govwatch.db"), "--copy", str(tmp_path / "views" / "govwatch.db"),
                         "--articles", "600", "--runs", "300", "--repeat", "1"])
    out = capsys.readouterr().out
    assert "store: articles 600, article_versions 660, events 660, crawl_runs 300" in out
    answered = dict(re.findall(r"^(/\S+)\s+(\d{3})\s+[\d,]+ ms$", out, re.MULTILINE))
    assert list(answered) == views_at_scale.PAGES
    # no service beats in a bench store: the health check says so; every other page answers
    assert {page: status for page, status in answered.items() if status != "200"} == {"/-/healthz": "503"}
