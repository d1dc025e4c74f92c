"""Disclosure metadata rules one at a time: synonyms and their order, which 信息来源 is a publisher,
which 名称 is a title, values that look like widgets, labels in compatibility characters, and the
published-date precedence."""
from __future__ import annotations

import pytest

from crawler.extraction import extract_page
from crawler.extraction.dates import choose_published
from crawler.extraction.labels import LABELS_PATH, label_key, load_labels

TITLE = "某某市人民政府办公室关于做好2024年春季农业生产工作的通知"
BODY = ("<div class='content'><p>各县区人民政府，市直有关单位：为切实做好今年春季农业生产工作，确保粮食播种面积稳定，"
        "现将有关事项通知如下，请结合实际认真贯彻落实，确保各项措施落地见效。</p>"
        "<p>各地要压紧压实责任，加强调度指导，及时协调解决春耕生产中遇到的困难和问题，重要情况及时报告。</p></div>")


def page(head: str, title: str = "某某市人民政府", body: str = BODY) -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{head}{body}</body></html>"


def table(*rows: tuple[str, str]) -> str:
    return "<table class='gk'>" + "".join(f"<tr><td>{k}：</td><td>{v}</td></tr>" for k, v in rows) + "</table>"


def test_label_key_folds_spaces_colons_and_compatibility_forms():
    assert label_key("索 引 号：") == label_key("索\u3000引\u3000号:") == "索引号"
    assert label_key("⽂号") == "文号"  # Kangxi radical ⽂ (U+2F42)


def test_kangxi_radical_label_is_read():
    p = extract_page(page(table(("索引号", "X1/2020-1"), ("⽂号", "某发〔2020〕1号")) + f"<h1>{TITLE}</h1>"))
    assert p.doc_no == "某发〔2020〕1号"
    assert p.metadata["labels"]["文号"] == "文号"


def test_inline_doc_no_with_ascii_brackets_and_title_with_widget_words_kept_whole():
    title = "关于开展全民阅读活动【政策解读】的通知"
    html = page(f"<h1>{title}</h1><p>索引号：X1/2021-7　文号：京政发[2021]3号　标题：{title}　发布日期：2021-03-01</p>")
    p = extract_page(html)
    assert p.doc_no == "京政发[2021]3号"
    assert p.metadata["标题"] == title


@pytest.mark.parametrize("placeholder", ["无", "暂无", "/", "—", "—\u00a0\u00a0—", "- -", "暂 无"])
def test_a_placeholder_is_no_value(placeholder):
    p = extract_page(page(table(("索引号", "X1/2024-3"), ("文号", placeholder), ("发布机构", "某某市农业农村局"))
                          + f"<h1>{TITLE}</h1>", title=TITLE))
    assert p.doc_no is None and "文号" not in p.metadata
    assert p.publisher == "某某市农业农村局"


def test_other_names_for_validity_and_publisher_are_read():
    p = extract_page(page(table(("索引号", "X1/2024-3"), ("办文部门", "某某市农业农村局"), ("效力状况", "有效"))
                          + f"<h1>{TITLE}</h1>", title=TITLE))
    assert p.publisher == "某某市农业农村局" and p.metadata["有效性"] == "有效"
    assert p.metadata["labels"]["有效性"] == "效力状况"


@pytest.mark.parametrize("label", ["报送单位", "所属机构"])
def test_the_unit_that_filed_the_record_is_the_publisher_when_no_issuer_is_named(label):
    """Tianjin's TRS disclosure tables name the publisher 报送单位 (and leave 主题分类 empty)."""
    p = extract_page(page(table((label, "市财政局"), ("发文字号", "津财采〔2019〕1号"))
                          + f"<h1>{TITLE}</h1>", title=TITLE))
    assert p.publisher == "市财政局" and p.doc_no == "津财采〔2019〕1号"
    named = extract_page(page(table((label, "市财政局"), ("发布机构", "某某市农业农村局")) + f"<h1>{TITLE}</h1>", title=TITLE))
    assert named.publisher == "某某市农业农村局"


def test_news_info_bar_keeps_widget_cuts():
    """Outside the disclosure vocabulary the old cuts stand: a 来源 glued to 【字体】 ends there."""
    p = extract_page(page(f"<h1>{TITLE}</h1><div>来源：某某日报【字体：大 中 小】 打印</div>", title=TITLE))
    assert p.source == "某某日报"


def test_explicit_publisher_beats_responsible_department_and_both_are_kept():
    p = extract_page(page(table(("索引号", "X1/2024-3"), ("责任部门", "市农业农村局办公室"), ("发布机构", "某某市农业农村局"))
                          + f"<h1>{TITLE}</h1>"))
    assert p.publisher == "某某市农业农村局"
    assert p.metadata["field_labels"]["publisher"] == "发布机构"
    assert p.metadata["发文机关"] == "某某市农业农村局" and p.metadata["责任部门"] == "市农业农村局办公室"


def test_source_inside_the_disclosure_table_is_the_publisher():
    p = extract_page(page(table(("索引号", "X1/2024-3"), ("信息来源", "某某市农业农村局"), ("发布日期", "2024-03-01"))
                          + f"<h1>{TITLE}</h1>"))
    assert (p.publisher, p.source) == ("某某市农业农村局", "某某市农业农村局")
    assert p.metadata["field_labels"]["publisher"] == "信息来源"


def test_source_of_a_news_page_is_not_a_publisher():
    html = page(f"<h1>{TITLE}</h1><div class='info'>信息来源：某某日报　发布时间：2024-03-02</div>", title=TITLE)
    p = extract_page(html)
    assert p.source == "某某日报" and p.publisher is None


def test_name_row_of_a_body_table_is_not_the_title():
    """名称 heads procurement lists; only a 名称 inside a disclosure block is the document's title."""
    body = BODY + "<table><tr><th>名称</th><th>数量</th></tr><tr><td>办公用计算机设备</td><td>20台</td></tr></table>"
    p = extract_page(page(f"<h1>{TITLE}</h1>", title=f"{TITLE}_某某市人民政府", body=body))
    assert p.title == TITLE


def test_site_name_heading_gives_way_to_the_table_title():
    html = page(f"<h1>某某市人民政府门户网站</h1>{table(('索引号', 'X1/2024-3'), ('标　　题', TITLE))}")
    p = extract_page(html)
    assert p.title == TITLE and p.metadata["field_labels"]["title"] == "标题"


def test_table_title_without_its_organ_prefix_keeps_the_page_heading():
    heading = TITLE.removeprefix("某某市人民政府办公室")
    p = extract_page(page(f"{table(('索引号', 'X1/2024-3'), ('标题', TITLE))}<h1>{heading}</h1>", title=heading))
    assert p.title == heading


def test_a_list_under_a_header_row_is_not_the_page_s_metadata():
    """标题 | 发布日期 over many rows is a list of other documents: its first row is not this page's
    title or date (only a header over exactly one row of values is read as label：value)."""
    rows = "".join(f"<tr><td><a href='/{i}.html'>某某市关于第{i}批项目资金安排情况的公示公告</a></td><td>2023-0{i}-01</td></tr>"
                   for i in range(1, 4))
    related = f"<table><tr><th>标题</th><th>发布日期</th></tr>{rows}</table>"
    html = page(f"<h1>{TITLE}</h1><div class='info'>发布时间：2024-03-02</div>", title=TITLE, body=BODY + related)
    p = extract_page(html)
    assert (p.title, p.date) == (TITLE, "2024-03-02")


def test_cells_written_on_separate_source_lines_stay_one_row():
    cells = "<table><tr>\n  <td>索 引 号：</td>\n  <td>X1/2024-3</td>\n  <td>发布机构：</td>\n  <td>某某市农业农村局</td>\n</tr></table>"
    p = extract_page(page(cells + f"<h1>{TITLE}</h1>", title=TITLE))
    assert (p.index_no, p.publisher) == ("X1/2024-3", "某某市农业农村局")


@pytest.mark.parametrize("cell", [
    f"{TITLE[:12]}<br>{TITLE[12:]}",
    f"<p>{TITLE[:12]}</p><p>{TITLE[12:]}</p>",
    f"<div>\n  {TITLE}\n</div>",
], ids=["br", "paragraphs", "div"])
def test_a_value_cell_is_one_value_whatever_its_inner_markup(cell):
    rows = f"<tr><td>索引号：</td><td>X1/2024-3</td></tr><tr><td>标　　题：</td><td>{cell}</td></tr>"
    p = extract_page(page(f"<h1>某某市人民政府</h1><table>{rows}</table>"))
    assert p.metadata["标题"] == p.title == TITLE


# --- the published date ------------------------------------------------------------------------------

PRECEDENCE = load_labels().published


@pytest.mark.parametrize("present, chosen", [
    ({"发布日期": "2019-01-29", "成文日期": "2019-01-27", "meta": "2019-02-01", "url": "2019-01-30"}, "发布日期"),
    ({"生成日期": "2021-03-02", "发布时间": "2021-03-05"}, "生成日期"),
    ({"发布时间": "2021-03-05", "成文日期": "2021-03-01"}, "发布时间"),
    ({"成文日期": "2017-11-16", "url": "2017-11-20", "meta": "2017-11-21"}, "成文日期"),
    ({"url": "2017-11-20", "meta": "2017-11-21", "title_line": "2017-11-22"}, "meta"),
    ({"title_line": "2017-11-22", "url": "2017-11-20"}, "title_line"),
])
def test_precedence(present, chosen):
    date, candidates = choose_published({k: (k, v) for k, v in present.items()}, PRECEDENCE)
    assert date == present[chosen]
    assert [c["source"] for c in candidates if c["chosen"]] == [chosen]
    assert {c["source"] for c in candidates} == set(present)  # every candidate kept
    assert [c["source"] for c in candidates] == [s for s in PRECEDENCE if s in present]


def test_no_candidate_no_date():
    assert choose_published({}, PRECEDENCE) == (None, [])


def test_generation_date_beats_the_later_publication_line():
    html = page(table(("索 引 号", "014512345/2021-00123"), ("生成日期", "2021-03-02"))
                + f"<h1>{TITLE}</h1><div class='info'>发布时间：2021-03-05 10:12</div>", title=TITLE)
    p = extract_page(html, "http://www.x.gov.cn/art/2021/03/06/art_1_2.html")
    assert p.date == "2021-03-02"
    assert [(c["source"], c["chosen"]) for c in p.metadata["date_candidates"]] == [
        ("生成日期", True), ("发布时间", False), ("title_line", False), ("url", False)]


def test_labels_yaml_rejects_an_unknown_date_source(tmp_path):
    text = LABELS_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "labels.yaml"
    bad.write_text(text.replace("  - url\n", "  - url\n  - 登记日期\n"), encoding="utf-8")
    with pytest.raises(ValueError, match="登记日期"):
        load_labels.__wrapped__(str(bad))


def test_hostile_markup_stays_within_a_generous_budget():
    """Deeply nested inline wrappers and thousands of header-like rows: every inline element and
    table row is asked whether it holds a label, so neither may cost quadratic time."""
    import time

    nested = "<span>索" * 250 + "x" * 2000 + "</span>" * 250
    rows = "".join("<tr><td>索引号</td><td>文号</td></tr><tr><td>v1</td><td>v2</td></tr>" for _ in range(1000))
    html = page(f"<h1>{TITLE}</h1>{nested}<table>{rows}</table>", title=TITLE)
    start = time.process_time()  # this process's CPU: the other test worker's load does not count
    p = extract_page(html)
    assert time.process_time() - start < 10  # a budget against blow-ups, not a speed claim (see bench/)
    assert p.title == TITLE
    assert p.index_no is None  # a list of 1,000 label rows is not one disclosure header
