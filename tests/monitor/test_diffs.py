"""Diffs of Chinese text: paragraph → sentence → character, and how they read."""

from __future__ import annotations

import json

import pytest

from monitor.diffs import (
    diff_excerpt,
    render_diff_html,
    split_sentences,
    summary_line,
    text_diff,
    version_diff,
)

# name → (before, after, [(op, text) of the changed leaves, in order])
CASES = {
    "unchanged": ("第一段。\n第二段。", "第一段。\n第二段。", []),
    "one word in one sentence": (
        "为巩固脱贫成果，我省明确政策一律不变。帮扶力度不减。",
        "为巩固脱贫成果，我省明确政策总体稳定。帮扶力度不减。",
        [("delete", "一律不变"), ("insert", "总体稳定")],
    ),
    "paragraph added": ("第一段。", "第一段。\n补充说明。", [("insert", "补充说明。")]),
    "paragraph removed": ("第一段。\n将被删除的段落。\n第三段。", "第一段。\n第三段。", [("delete", "将被删除的段落。")]),
    "sentence inserted inside a paragraph": (
        "他指出，要加强领导。要压实责任。", "他指出，要加强领导。要统筹推进。要压实责任。", [("insert", "要统筹推进。")],
    ),
    "insertion only (乡村振兴 → 乡村全面振兴)": (
        "推进乡村振兴工作。", "推进乡村全面振兴工作。", [("insert", "全面")],
    ),
    "rewritten paragraph is one delete and one insert": (
        "甲乙丙丁戊己庚辛。", "子丑寅卯辰巳午未。", [("delete", "甲乙丙丁戊己庚辛。"), ("insert", "子丑寅卯辰巳午未。")],
    ),
}


def changed_leaves(nodes):
    out = []
    for node in nodes:
        if node["op"] == "replace":
            out += changed_leaves(node["parts"]) if node["parts"] else [("delete", node["old"]), ("insert", node["new"])]
        elif node["op"] != "equal":
            out.append((node["op"], node["text"]))
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_text_diff_cases(name):
    before, after, expected = CASES[name]
    result = text_diff(before, after)
    assert changed_leaves(result["diff"]) == expected
    assert result["change_count"] == len(expected)
    json.dumps(result, ensure_ascii=False)  # JSON-able


def test_sentences_split_after_chinese_marks_and_at_newlines():
    assert split_sentences("一。二！三？四；五\n六") == ["一。", "二！", "三？", "四；", "五", "\n", "六"]


def test_short_equal_runs_between_changes_are_folded():
    # SequenceMatcher alone would keep the lone 的 as "equal": 一[-个小-]的[-变化-] …
    result = text_diff("这是一个小的变化。", "这是一项重大的调整。")
    assert changed_leaves(result["diff"]) == [("delete", "个小的变化"), ("insert", "项重大的调整")]


def test_version_diff_names_every_changed_field():
    old = {"title": "关于做好防汛工作的通知", "text": "第一段。", "published": "2021-06-07",
           "metadata": json.dumps({"doc_no": "永乡振发〔2021〕1号", "publisher": "示范市乡村振兴局", "作者": "张三"})}
    new = {"title": "关于做好防汛备汛工作的通知", "text": "第一段。", "published": "2021-06-08",
           "metadata": json.dumps({"doc_no": "永乡振发〔2021〕2号", "publisher": "示范市乡村振兴局", "作者": "李四"})}
    result = version_diff(old, new)
    diff = result["diff"]
    assert diff["text"] is None and changed_leaves(diff["title"]) == [("insert", "备汛")]
    assert diff["fields"] == {"published": ["2021-06-07", "2021-06-08"],
                              "doc_no": ["永乡振发〔2021〕1号", "永乡振发〔2021〕2号"]}
    assert diff["metadata"] == {"作者": ["张三", "李四"]}
    assert diff["summary"] == {"changed": ["title", "published", "doc_no", "metadata"], "chars_added": 2,
                               "chars_removed": 0}
    assert result["change_count"] == 4
    assert summary_line(diff) == ("title; published 2021-06-07 → 2021-06-08; doc_no 永乡振发〔2021〕1号 → "
                                  "永乡振发〔2021〕2号; metadata 作者")


def test_html_rendering_marks_insertions_and_deletions():
    result = text_diff("政策<一律>不变。", "政策<总体>稳定。")
    html = render_diff_html(result["diff"])
    assert html == "政策&lt;<del>一律&gt;不变</del><ins>总体&gt;稳定</ins>。"
    version = version_diff({"title": "标题", "text": "甲。", "published": "2021-06-07"},
                           {"title": "标题", "text": "甲。", "published": "2021-06-08"})
    assert "<del>2021-06-07</del> <ins>2021-06-08</ins>" in render_diff_html(version["diff"])


def test_excerpt_keeps_context_and_respects_the_limit():
    before = "前文" * 30 + "政策一律不变。" + "后文" * 30
    after = "前文" * 30 + "政策总体稳定。" + "后文" * 30
    excerpt = diff_excerpt(text_diff(before, after)["diff"], max_chars=200, context=6)
    assert excerpt == "…前文前文政策[-一律不变-]{+总体稳定+}。后文后文后文…"
    assert len(diff_excerpt(text_diff(before, after)["diff"], max_chars=10)) == 10
    version = version_diff({"title": "甲", "text": before, "published": "2021-06-07"},
                           {"title": "甲", "text": after, "published": "2021-06-08"})
    assert diff_excerpt(version["diff"], 300).startswith("发布日期: [-2021-06-07-]{+2021-06-08+} | 正文: ")
