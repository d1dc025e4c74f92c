"""Disclosure tables in the layouts governments use: one hand-made page per template
(disclosure_layouts.yaml), each extracted whole and checked field by field, label by label."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crawler.extraction import extract_page

CASES = yaml.safe_load((Path(__file__).with_name("disclosure_layouts.yaml")).read_text(encoding="utf-8"))
TITLE = "国务院关于进一步优化营商环境降低市场主体制度性交易成本的意见"
PARAGRAPHS = [
    ("为贯彻落实党中央、国务院决策部署，进一步优化营商环境，降低市场主体制度性交易成本，提振市场主体信心，"
     "助力市场主体发展，经国务院同意，现提出以下意见。"),
    "各地区、各部门要充分认识优化营商环境的重要意义，加强组织领导，细化工作措施，明确责任分工，确保各项任务落到实处。",
    "各有关部门要加强协调配合，形成工作合力，对工作中发现的问题要及时研究解决，重大问题及时报告，确保取得实效。",
]
BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
CHROME_TOP = ("<div class='header'><a href='/'>某某市人民政府</a> <a href='/zwgk/'>政务公开</a></div>"
              "<div class='position'>当前位置：<a href='/'>首页</a> &gt; <a href='/zwgk/'>政务公开</a></div>")
CHROME_FOOT = "<div class='footer'>主办单位：某某市人民政府办公室 版权所有 网站标识码：4300000001</div>"
FIELDS = ("title", "date", "index_no", "doc_no", "publisher", "category")


def render(case: dict, title: str = TITLE) -> str:
    head = "" if case.get("page_title") is None else f"<title>{case['page_title'].format(title=title)}</title>"
    body = case["html"].format(title=title, body=BODY)
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{CHROME_TOP}{body}{CHROME_FOOT}</body></html>"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_layout(case):
    page = extract_page(render(case), case["url"])
    expect = case["expect"]
    for name in FIELDS:
        if name in expect:
            want = expect[name].format(title=TITLE) if isinstance(expect[name], str) else expect[name]
            assert getattr(page, name) == want, name
    assert {k: page.metadata.get("labels", {}).get(k) for k in expect.get("labels", {})} == expect.get("labels", {})
    got_field_labels = page.metadata.get("field_labels", {})
    assert {k: got_field_labels.get(k) for k in expect.get("field_labels", {})} == expect.get("field_labels", {})
    assert {k: page.metadata.get(k) for k in expect.get("metadata", {})} == expect.get("metadata", {})
    if "chosen" in expect:
        chosen = [c for c in page.metadata["date_candidates"] if c["chosen"]]
        assert [c["source"] for c in chosen] == [expect["chosen"]]
        assert chosen[0]["value"] == page.date
    # the table is metadata, never body; the body survives
    for label in ("索引号", "索 引 号", "发文机关", "发布机构", "责任部门"):
        assert label not in page.text
    assert PARAGRAPHS[0] in page.text and PARAGRAPHS[2] in page.text


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_title_follows_the_table(case):
    """Another document in the same template: the title comes from the page, not from memory."""
    other = "某某市人民政府办公室关于印发某某市2024年阅读推广【政策解读】工作方案的通知"
    page = extract_page(render(case, other), case["url"])
    assert page.title == other


def test_every_date_candidate_is_kept_with_its_label():
    case = next(c for c in CASES if c["name"] == "govcn-old-b12c")
    page = extract_page(render(case), case["url"])
    candidates = {c["source"]: c for c in page.metadata["date_candidates"]}
    assert candidates["发布日期"]["value"] == "2019-01-29" and candidates["发布日期"]["chosen"]
    assert candidates["成文日期"]["value"] == "2019-01-27" and not candidates["成文日期"]["chosen"]
    assert candidates["url"]["value"] == "2019-01-29" and not candidates["url"]["chosen"]
    assert sum(c["chosen"] for c in candidates.values()) == 1
