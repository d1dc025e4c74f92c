"""`python -m bench.recheck_one` in a small shape: an unchanged re-check leaves no process behind.

No timing thresholds: what is asserted is that every article answers 304 and that the re-check
started nothing that outlived it (the attachment readers once did: ~0.8 s of CPU per re-check
outside the crawl's own figures).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT, needs_nginx

pytestmark = [pytest.mark.slow, needs_nginx]


def test_an_unchanged_recheck_is_all_304s_and_leaves_nothing_behind():
    result = subprocess.run([sys.executable, "-m", "bench.recheck_one", "--articles", "6", "--repeat", "2"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rechecks = re.findall(r"re-check: crawl ([\d.]+) s CPU, left behind ([\d.-]+) s.*?(\d+) × 304, (\w+)", result.stdout)
    assert len(rechecks) == 2
    for crawl_cpu, left_behind, not_modified, status in rechecks:
        assert float(crawl_cpu) > 0 and status == "ok" and int(not_modified) == 6
        assert float(left_behind) == 0.0


def test_bad_arguments_exit_2():
    result = subprocess.run([sys.executable, "-m", "bench.recheck_one", "--repeat", "0"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and "--repeat must be at least 1" in result.stderr
