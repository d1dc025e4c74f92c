"""`python -m bench.cli_start` in a small shape: every figure printed, each crawl counted whole.

No timing thresholds. What is asserted: the bench prints each figure, and a forked crawl's
figure includes its fork server. The server is an orphan once its command ends; without the
subreaper's reaping, a forked crawl counted only the command's own ~0.5 s, less than a spawned one.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT, needs_nginx

pytestmark = [pytest.mark.slow, needs_nginx]


def test_one_pair_prints_every_figure_and_counts_the_fork_server():
    result = subprocess.run([sys.executable, "-m", "bench.cli_start", "--articles", "3", "--pairs", "1"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    medians = dict(re.findall(r"^median (.+): ([\d.]+) s CPU$", result.stdout, re.MULTILINE))
    assert set(medians) == {"spawned first crawl", "spawned re-check", "forked first crawl", "forked re-check",
                            "refused config", "sources list"}
    assert all(float(value) > 0 for value in medians.values())
    # a forked crawl: the command, the fork server's whole preload (~2 s) and the crawl
    assert float(medians["forked re-check"]) > float(medians["refused config"]) + 1.0
    assert re.search(r"^re-check: spawned ÷ forked = [\d.]+$", result.stdout, re.MULTILINE)


def test_bad_arguments_exit_2():
    result = subprocess.run([sys.executable, "-m", "bench.cli_start", "--pairs", "0"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and "--pairs must be at least 1" in result.stderr
