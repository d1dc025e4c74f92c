"""Gate 3: the hand-checked gold pages from sites and CMSs nobody tuned for (tests/gold/unseen/README.md;
the pages live outside git, in $GOVWATCH_GOLD_UNSEEN, default /work/gold-data/unseen).

Body F1 at least 0.96, and above both bare trafilatura and readability-lxml scored the same way
in the same run. These pages are never used to tune the rules: a page that fails here is a
finding to fix from structure, not a string to add to rules.yaml.
"""
from __future__ import annotations

from statistics import mean

import pytest

from bench.extraction import EXTRACTORS, evaluate, load_gold
from tests.gold.unseen.check_set import gold_dir

UNSEEN = gold_dir()
# The gate is defined on the full hand-checked set (the brief: at least 40 pages); on fewer, one
# page moves the mean by several points and the gate is not judged (bench.extraction still prints it).
MIN_PAGES = 40
PAGES = len(list(UNSEEN.glob("*.json"))) if UNSEEN.is_dir() else 0
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(PAGES == 0, reason=f"no unseen gold pages in {UNSEEN} (kept out of git)")]
full_set = pytest.mark.skipif(PAGES < MIN_PAGES,
                              reason=f"{UNSEEN} holds {PAGES} gold pages, fewer than {MIN_PAGES}: floor not judged")


@pytest.fixture(scope="module")
def results() -> dict:
    return evaluate(UNSEEN, EXTRACTORS, load_gold(UNSEEN))


def body_f1(results: dict, name: str) -> float:
    return mean(row["f1"] for row in results[name]["rows"].values())


@full_set
def test_body_f1_floor_and_above_both_libraries(results):
    ours = body_f1(results, "govwatch")
    assert ours >= 0.96
    assert ours > body_f1(results, "trafilatura")
    assert ours > body_f1(results, "readability")


def test_no_empty_text_where_there_is_an_article(results):
    empty = [pid for pid, row in results["govwatch"]["rows"].items()
             if not row["_res"]["text"].strip() and results["_truth"][pid]["text"].strip()]
    assert empty == []
