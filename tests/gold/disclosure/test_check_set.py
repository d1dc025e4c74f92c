"""The disclosure gold set passes its own checker, and the checker catches the mistakes it exists for.

The pages and truth are not in git (they come from fetched third-party repositories): they are read
from $GOVWATCH_GOLD_DISCLOSURE (default /work/gold-data/disclosure), and every test here is skipped
with a reason when that folder is absent.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.gold.disclosure import check_set

DATA = check_set.data_dir()
if not (DATA / "zj-ct-002482330-2020-10091.json").is_file():
    pytest.skip(f"disclosure gold data not found at {DATA} (set ${check_set.ENV_VAR})", allow_module_level=True)

SAMPLE = "zj-ct-002482330-2020-10091"  # a page with 索引号, 成文日期 and empty 文号/公开分类 cells
GOVCN = "govcn-2018-12-29-boao"  # a www.gov.cn fragment: 索 引 号 / 标　　题 labels, counted towards the cap
GOVCN_EXCESS = "govcn-2018-12-24-badong"  # same layout, marked cap_excess
JX_NO_DATE = "jx-014500815-2020-02346"  # a page that shows no publication date


def _copy_pair(stem: str, dest: Path, new_stem: str | None = None) -> Path:
    new_stem = new_stem or stem
    shutil.copyfile(DATA / f"{stem}.html", dest / f"{new_stem}.html")
    shutil.copyfile(DATA / f"{stem}.json", dest / f"{new_stem}.json")
    return dest / f"{new_stem}.json"


def _edit(truth_path: Path, **changes) -> None:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    truth.update(changes)
    truth_path.write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")


def _truth(stem: str) -> dict:
    return json.loads((DATA / f"{stem}.json").read_text(encoding="utf-8"))


def test_the_data_set_passes_its_per_page_checks(capsys):
    # Not --strict: the set is below the issue-25 floor of metadata-block pages (README says why).
    assert check_set.main([]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert out.splitlines()[0].endswith("pages pass")


def test_the_data_folder_comes_from_the_environment(tmp_path, monkeypatch, capsys):
    _copy_pair(SAMPLE, tmp_path)
    monkeypatch.setenv(check_set.ENV_VAR, str(tmp_path))
    assert check_set.main([]) == 0
    assert capsys.readouterr().out.startswith("1 pages, 1 layouts")
    monkeypatch.setenv(check_set.ENV_VAR, str(tmp_path / "absent"))
    assert check_set.main([]) == 2


def test_only_disclosure_pages_with_a_metadata_block_count_towards_the_floor():
    assert check_set.has_metadata_block(_truth(SAMPLE))  # 索引号 + 发布机构 + 成文日期 table
    assert check_set.has_metadata_block(_truth(GOVCN))
    assert not check_set.has_metadata_block(_truth("zhecheng-169"))  # in the 公开 tree, date line only
    assert not check_set.has_metadata_block(_truth("gx-2024-10-17-guanqu"))  # a news item


def test_strict_reports_a_floor_that_news_pages_cannot_fill(tmp_path, capsys):
    for stem in ("gx-2024-10-17-guanqu", "zhecheng-169", SAMPLE):
        _copy_pair(stem, tmp_path)
    assert check_set.main(["--dir", str(tmp_path)]) == 0
    assert check_set.main(["--dir", str(tmp_path), "--strict"]) == 1
    out = capsys.readouterr().out
    assert "disclosure pages with a metadata block: 1 pages, 1 layouts" in out


def test_a_value_not_on_the_page_is_reported(tmp_path):
    truth_path = _copy_pair(SAMPLE, tmp_path)
    _edit(truth_path, index_no="002482330/2020-10092")  # one digit off
    problems = check_set.check_page(truth_path)
    assert any(p.startswith("index_no ") for p in problems)


def test_a_raw_label_must_be_verbatim_and_match_its_normalised_form(tmp_path):
    truth_path = _copy_pair(GOVCN, tmp_path)
    assert check_set.check_page(truth_path) == []
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    # The page pads 标题 with two U+3000: one ASCII space is not what it prints.
    _edit(truth_path, labels_raw={**truth["labels_raw"], "title": "标 题"})
    assert any(p.startswith("labels_raw for title ") for p in check_set.check_page(truth_path))
    _edit(truth_path, labels_raw=truth["labels_raw"], labels={**truth["labels"], "index_no": "索 引 号"})
    assert any(p.startswith("labels['index_no'] is not") for p in check_set.check_page(truth_path))


def test_changed_bytes_and_non_iso_dates_are_reported(tmp_path):
    truth_path = _copy_pair(SAMPLE, tmp_path)
    _edit(truth_path, written="2020年12月29日")
    html_path = truth_path.with_suffix(".html")
    html_path.write_bytes(html_path.read_bytes() + b"\n")
    problems = check_set.check_page(truth_path)
    assert "sha1 of the html bytes differs from provenance.sha1" in problems
    assert any("is not an ISO date" in p for p in problems)


def test_a_missing_publication_date_must_be_explained(tmp_path):
    truth_path = _copy_pair(JX_NO_DATE, tmp_path)  # Jiangxi: 成文日期 only, no 发布日期 on the page
    assert check_set.check_page(truth_path) == []
    _edit(truth_path, published_absent=None)
    assert any(p.startswith("published is null") for p in check_set.check_page(truth_path))


def test_a_fragment_must_say_what_its_bytes_are(tmp_path):
    truth_path = _copy_pair(GOVCN, tmp_path)
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    _edit(truth_path, provenance={**truth["provenance"], "note": ""})
    assert any("provenance.fragment" in p for p in check_set.check_page(truth_path))


def test_more_than_six_counted_pages_of_one_layout_fail(tmp_path):
    for n in range(check_set.MAX_PER_LAYOUT + 1):
        _copy_pair(SAMPLE, tmp_path, f"copy-{n}")
    assert check_set.main(["--dir", str(tmp_path)]) == 1


def test_pages_beyond_the_cap_are_kept_checked_and_not_counted(tmp_path, capsys):
    for n in range(check_set.MAX_PER_LAYOUT):
        _copy_pair(GOVCN, tmp_path, f"counted-{n}")
    excess = _copy_pair(GOVCN_EXCESS, tmp_path)
    assert check_set.main(["--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "disclosure pages with a metadata block: 6 pages, 1 layouts" in out
    assert "(cap_excess, checked, not counted): 1" in out
    _edit(excess, index_no="000014349/2004-00299")  # a wrong value on an uncounted page still fails
    assert check_set.main(["--dir", str(tmp_path)]) == 1
    assert f"FAIL {GOVCN_EXCESS}: index_no" in capsys.readouterr().out


def test_cap_excess_below_the_cap_is_refused(tmp_path, capsys):
    _copy_pair(GOVCN, tmp_path)
    _copy_pair(GOVCN_EXCESS, tmp_path)  # only 1 counted page: the excess page should have been counted
    assert check_set.main(["--dir", str(tmp_path)]) == 1
    assert "marked cap_excess while only 1 are counted" in capsys.readouterr().out


def test_a_folder_without_truth_is_unusable_input(tmp_path):
    assert check_set.main(["--dir", str(tmp_path)]) == 2
