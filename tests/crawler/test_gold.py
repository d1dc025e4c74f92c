"""extract_page on the gold set (tests/gold): exact fields, body F1 ≥ 0.97, no boilerplate left.

Each page is ``tests/gold/<name>.html`` (bytes as served) plus ``<name>.json`` (the truth, see
tests/gold/README.md).  Fields absent from a JSON are not checked; ``null`` means "must be empty".
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.extraction import extract_page
from crawler.extraction.scoring import prf

GOLD = Path(__file__).resolve().parents[1] / "gold"
FIELDS = ("title", "date", "author", "source", "publisher", "index_no", "doc_no", "category")
MIN_PAGE_F1 = 0.97
# Boilerplate of the kinds the seeds' README lists; none may survive in an extracted body.
BOILERPLATE = [
    "您现在所在的位置", "当前位置", "【字体", "打印", "分享到", "扫一扫", "回到顶部", "主办单位", "湘公网安备",
    "网站标识码", "ICP备", "技术支持", "网站地图", "彩神", "投稿邮箱", "联系电话", "版面导航", "上一版", "下一版",
    "标题导航", "放大", "缩小", "上一篇", "下一篇", "热门搜索", "责任编辑", "浏览次数", "索引号", "发文机关",
    "免费服务热线", "版权所有", "首页 >", "首页 > ",
]


def load_gold() -> list[tuple[str, bytes, dict]]:
    pages = []
    for truth_path in sorted(GOLD.glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        pages.append((truth_path.stem, truth_path.with_suffix(".html").read_bytes(), truth))
    return pages


PAGES = load_gold()


@pytest.fixture(scope="module")
def extracted() -> dict[str, dict]:
    return {name: extract_page(raw, truth.get("url")).to_dict() for name, raw, truth in PAGES}


def test_gold_set_covers_every_kind():
    kinds = {truth["kind"] for _, _, truth in PAGES}
    assert len(PAGES) >= 40
    assert {"demo-gov", "demo-paper", "demo-news", "demo-mirror"} <= kinds
    assert {"seed-gov", "seed-spam-mirror", "seed-paper", "seed-portal", "seed-copy"} <= kinds
    assert sum(truth.get("encoding") == "gbk" for _, _, truth in PAGES) >= 5


@pytest.mark.parametrize("name", [name for name, _, _ in PAGES])
def test_fields_exact(extracted, name):
    truth, got = next(t for n, _, t in PAGES if n == name), extracted[name]
    wrong = {f: (got[f], truth[f]) for f in FIELDS if f in truth and got[f] != truth[f]}
    assert wrong == {}, "(got, want)"
    if "attachments" in truth:
        assert [a["url"] for a in got["attachments"]] == truth["attachments"]
    meta = {k: (got["metadata"].get(k), v) for k, v in truth.get("metadata", {}).items() if got["metadata"].get(k) != v}
    assert meta == {}, "(got, want)"


@pytest.mark.parametrize("name", [name for name, _, _ in PAGES])
def test_body_f1(extracted, name):
    truth = next(t for n, _, t in PAGES if n == name)
    score = prf(extracted[name]["text"], truth["text"])
    assert score.f1 >= MIN_PAGE_F1, score


def test_no_boilerplate_survives(extracted):
    leaks = [(name, phrase) for name, _, truth in PAGES for phrase in BOILERPLATE
             if phrase in extracted[name]["text"] and phrase not in truth["text"]]
    assert leaks == []
