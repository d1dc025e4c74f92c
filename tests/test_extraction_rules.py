"""rules.yaml: every rule says which kind of page it is for, and earns its place on pages it was
not written on.

The ablation removes one rule at a time and extracts the pages the rule can touch: a rule stays
only if some page of realsites-dev's articles or of the gold set (tests/gold; never
tests/gold/unseen, which judges the extractor) scores lower without it: body F1 + title + date
where there is a truth; text found, title = anchor, a date and no navigation line on
realsites-dev; a little for every page that needs the fallback (bench/extraction.py,
page_score). Rules marked `evidence: realpages` show a use only on realpages, the set they were
tuned on: they are held to a cost there and are the first to doubt. `evidence: unit-test`: only
a hand-written page of tests/test_extraction.py needs them (that test holds them). `evidence: cpu`:
rules that change no output at all and only keep blocks trafilatura would throw away out of its
tree (its CPU is measured in bench/); held here to changing nothing.
"""
from __future__ import annotations

import json

import pytest

from bench.extraction import DEFAULT_DIR, GOLD_DIR, RSDEV_TAR, ablate, ablation_pages, unpack_rsdev
from crawler.extraction import extract_page
from crawler.extraction.rules import RULE_LISTS, read_rules_data, rules_from_data

KINDS = {"any", "gov", "news", "epaper", "repost", "mirror"}
EVIDENCE = {"realpages", "unit-test", "cpu"}


def rules_by_evidence() -> dict[str | None, list[tuple[str, str]]]:
    """evidence mark (None: none) -> [(list, rule)]."""
    out: dict[str | None, list[tuple[str, str]]] = {}
    data = read_rules_data()
    for name, key in RULE_LISTS.items():
        for entry in data.get(name) or []:
            out.setdefault(entry.get("evidence"), []).append((name, entry[key]))
    return out


def test_every_rule_says_which_kind_of_page_it_is_for():
    data = read_rules_data()
    bad = []
    for name, key in RULE_LISTS.items():
        for entry in data.get(name) or []:
            kinds = entry.get("for") if isinstance(entry, dict) else None
            kinds = [kinds] if isinstance(kinds, str) else kinds
            if not isinstance(entry, dict) or key not in entry or not kinds or not set(kinds) <= KINDS \
                    or entry.get("evidence", "realpages") not in EVIDENCE:
                bad.append((name, entry))
    assert bad == []


def _idle(rows: list[dict], wanted: list[tuple[str, str]]) -> list[tuple[str, str]]:
    found = {(r["list"], r["rule"]): r for r in rows}
    assert set(wanted) <= set(found)
    return [rule for rule in wanted if not found[rule]["cost"]]


@pytest.mark.slow
@pytest.mark.long
@pytest.mark.skipif(not RSDEV_TAR.is_file(), reason=f"{RSDEV_TAR} absent: ablation not run")
def test_removing_any_rule_costs_something_on_pages_it_was_not_written_for(tmp_path):
    pages = ablation_pages(unpack_rsdev(RSDEV_TAR, tmp_path), [GOLD_DIR])
    data = read_rules_data()
    # Only the unmarked rules are ablated here (the marked ones are held to their own evidence).
    wanted = rules_by_evidence().get(None, [])
    rows = ablate(pages, first_cost=True, only=set(wanted), data=data)
    assert _idle(rows, wanted) == [], "no page of realsites-dev or the gold set needs these: drop them"


@pytest.mark.slow
@pytest.mark.skipif(not (DEFAULT_DIR / "truth.jsonl").is_file(), reason="realpages absent")
def test_rules_with_evidence_only_on_realpages_still_cost_there():
    wanted = rules_by_evidence().get("realpages", [])
    rows = ablate(ablation_pages(None, [DEFAULT_DIR]), first_cost=True, only=set(wanted))
    assert _idle(rows, wanted) == []


def _without_cpu_rules(data: dict) -> dict:
    return {name: [e for e in value if not (isinstance(e, dict) and e.get("evidence") == "cpu")]
            if name in RULE_LISTS and isinstance(value, list) else value for name, value in data.items()}


@pytest.mark.slow
def test_rules_kept_for_cpu_change_no_output():
    data = read_rules_data()
    assert rules_by_evidence().get("cpu"), "no rule is marked evidence: cpu"
    with_them, without = rules_from_data(data), rules_from_data(_without_cpu_rules(data))
    folders = [GOLD_DIR, *([DEFAULT_DIR] if DEFAULT_DIR.is_dir() else [])]
    pages = [p for folder in folders for p in sorted(folder.glob("*.html"))]
    assert len(pages) >= 40
    changed = []
    for page in pages:
        raw = page.read_bytes()
        a, b = (json.dumps(extract_page(raw, None, rules=r).to_dict(), ensure_ascii=False, sort_keys=True, default=str)
                for r in (with_them, without))
        if a != b:
            changed.append(page.name)
    assert changed == [], "these rules change output: give them output evidence or drop them"
