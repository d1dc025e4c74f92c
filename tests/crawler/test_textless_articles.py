"""A page with no body text is stored when it is still the article its list named.

Image-only notices and 附件-only 公告 are common on government sites; refusing them hid new notices
from the digest (realsites-dev: 66 of 637 start-linked articles). An error or placeholder page
with no text is still refused.
"""
from __future__ import annotations

from crawler.extraction_pool import extract_for_store

IMAGE_ONLY = """<html><head><meta charset="utf-8"><title>通知公告-某县人民政府</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/tzgg/">通知公告</a></div>
<h1>关于2021年春节期间值班安排的通知</h1><p class="info">发布时间：2021-02-05</p>
<div class="content"><img src="/uploads/2021/notice.jpg" alt=""></div>
<div class="footer">版权所有 某县人民政府 地址：某路1号</div></body></html>"""

ATTACHMENT_ONLY = """<html><head><meta charset="utf-8"><title>某县2021年部门预算</title></head><body>
<h1>某县2021年部门预算</h1><p>发布时间：2021-04-27</p>
<div class="content"><a href="/files/2021/yusuan.pdf">附件</a></div></body></html>"""

PLACEHOLDER = """<html><head><meta charset="utf-8"><title>某县人民政府</title></head><body>
<div class="nav"><a href="/">首页</a></div><div class="content"></div></body></html>"""


def store(html: str, anchor: str | None):
    return extract_for_store(html.encode("utf-8"), "http://127.0.0.1:8000/tzgg/202102/t20210205_1.html",
                             "utf-8", anchor=anchor)


def test_an_image_only_notice_the_list_named_is_stored_without_text_and_flagged():
    extracted = store(IMAGE_ONLY, "关于2021年春节期间值班安排的通知")
    assert extracted.prepared is not None
    assert extracted.fields["text"] == ""
    assert extracted.fields["title"] == "关于2021年春节期间值班安排的通知"
    assert extracted.fields["body_method"] == "none"
    assert extracted.fields["low_confidence"] is True


def test_an_attachment_only_notice_is_stored_even_without_an_anchor():
    extracted = store(ATTACHMENT_ONLY, None)
    assert extracted.prepared is not None
    assert [a["url"] for a in extracted.fields["attachments"]] == ["http://127.0.0.1:8000/files/2021/yusuan.pdf"]


def test_an_empty_page_whose_headline_is_not_the_anchor_is_refused():
    assert store(PLACEHOLDER, "关于2021年春节期间值班安排的通知").prepared is None
    assert store(IMAGE_ONLY, None).prepared is None
