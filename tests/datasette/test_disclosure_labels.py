"""The article page shows each disclosure field under the label the page wrote (发文字号, not only
文号), and every date found with the one taken as published: a page extracted for real, stored by
the pipeline's own mapping into a real SQLite file, served by a real Datasette."""

from __future__ import annotations

import json

import pytest

from crawler.extraction import extract_page
from crawler.extraction_pool import content_fields
from storage import open_db
from storage.articles import record_page
from storage.outcomes import FetchedArticle
from storage.runs import start_run
from storage.sources import sync_sources
from tests.datasette.test_publish import make_datasette

TITLE = "国务院关于进一步优化营商环境降低市场主体制度性交易成本的意见"
HOSTILE = "<script>alert(1)</script>"
PAGE = f"""<html><head><meta charset="utf-8"><title>中国政府网</title></head><body>
<table class="bd1">
<tr><td><b>索<span>引</span><span>号：</span></b></td><td>000014349/2019-00017</td>
    <td><b>主题分类：</b></td><td>财政、金融、审计</td></tr>
<tr><td><b>发文机关：</b></td><td>国务院</td><td><b>成文日期：</b></td><td>2019年01月27日</td></tr>
<tr><td><b>标　　题：</b></td><td colspan="3">{TITLE}</td></tr>
<tr><td><b>发文字号：</b></td><td>国发〔2019〕3号</td><td><b>发布日期：</b></td><td>2019年01月29日</td></tr>
<tr><td><b>主 题 词：</b></td><td>{HOSTILE.replace("<", "&lt;").replace(">", "&gt;")}</td></tr>
</table>
<div id="UCAP-CONTENT"><p>为贯彻落实党中央、国务院决策部署，进一步优化营商环境，降低市场主体制度性交易成本，提振市场主体信心，经国务院同意，现提出以下意见。</p>
<p>各地区、各部门要充分认识优化营商环境的重要意义，加强组织领导，细化工作措施，确保各项任务落到实处。</p></div>
</body></html>"""
URL = "http://www.gov.cn/zhengce/content/2019-01/29/content_5361945.htm"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("labels") / "govwatch.db"
    db = open_db(path)
    sync_sources(db, [{"name": "gov", "schedule": "every 1h"}])
    fields = content_fields(extract_page(PAGE.encode("utf-8"), URL).to_dict())
    record_page(db, start_run(db, "gov"), FetchedArticle(url=URL, source="gov", body=PAGE.encode("utf-8"), **fields))
    db.close()
    return path


@pytest.fixture
async def ds(db_path):
    datasette = make_datasette(db_path)
    await datasette.invoke_startup()
    return datasette


async def test_article_page_shows_the_labels_the_page_wrote(ds):
    html = (await ds.client.get("/-/article/1")).text
    assert f'<h1 id="title">{TITLE}</h1>' in html
    assert "<th>发文字号</th><td>国发〔2019〕3号</td>" in html  # one language per label: the page's own
    assert "<th>发文机关</th><td>国务院</td>" in html
    assert "<th>主题分类</th><td>财政、金融、审计</td>" in html
    assert "发布日期 2019-01-29（发布日期）" in html
    assert "发布日期 2019-01-29（采用为发布日期） · 成文日期 2019-01-27 · " in html and " · URL 2019-01-29" in html
    assert html.count("国发〔2019〕3号") == 1  # each value once
    assert HOSTILE not in html and "&lt;script&gt;" in html


async def test_the_metadata_column_keeps_the_written_labels(ds):
    rows = (await ds.client.get("/govwatch/articles.json?_shape=array&_col=metadata&_col=doc_no")).json()
    metadata = json.loads(rows[0]["metadata"])
    assert rows[0]["doc_no"] == "国发〔2019〕3号"
    assert metadata["labels"]["文号"] == "发文字号" and metadata["field_labels"]["doc_no"] == "发文字号"
    assert [c["label"] for c in metadata["date_candidates"] if c["chosen"]] == ["发布日期"]
