"""The readers on real government attachments, against checked text: character F1 >= 0.95 for
every file (issue 23's bar). The files live outside git ($GOVWATCH_GOLD_ATTACHMENTS, see
bench/attachments.py); without them this is skipped."""

from __future__ import annotations

import pytest

from bench.attachments import F1_FLOOR, gold_dir, gold_manifest, load_gold, score_gold

pytestmark = pytest.mark.slow

ROOT = gold_dir()


@pytest.mark.skipif(not gold_manifest(ROOT),
                    reason=f"no gold attachments at {ROOT} (set GOVWATCH_GOLD_ATTACHMENTS)")
def test_every_gold_attachment_is_read_to_the_floor() -> None:
    rows = score_gold(load_gold(ROOT))
    assert rows
    below = [(r["file"], round(r["f1"], 3), r["status"]) for r in rows if r["f1"] < F1_FLOOR]
    assert below == []
