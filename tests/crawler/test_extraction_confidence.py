"""How sure the extractor is, from the extraction to the store: the crawl counts low-confidence
articles (stat and a log line), the store keeps method and confidence on the article, and
Datasette facets on low_confidence. Real extractor, real SQLite file, real Datasette."""
from __future__ import annotations

import logging

from datasette.app import Datasette
from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler.items import ArticlePage
from crawler.pipelines import ExtractionPipeline
from storage import open_db
from storage.articles import record_page
from storage.outcomes import FetchedArticle
from storage.runs import start_run
from storage.sources import sync_sources

TITLE = "美官员否认伊朗直升机事故存在谋杀行为"
POST = "美国官员表示，没有证据表明伊朗总统乘坐的直升机发生事故存在谋杀行为，全面调查仍在进行中。"
STORY = "".join(f"<p>{p}</p>" for p in [
    "如果说在中国传唱度最高的歌曲，那这一首歌绝对算得上是家喻户晓，很多明星都翻唱过，其实原唱另有其人。",
    "他出生于一个军人家庭，自幼受到了良好的教育，高中毕业后毅然决然地走上了音乐的道路，并签约了唱片公司。",
    "在事业上有了成就的他，爱情也随之而来了，两人一见如故，尽管年龄相差十一岁，但这并不影响两人的感情。",
    "后来他被查出重病，妻子一直陪在他的身边，尽心尽力地照顾他，他的病情才得到了好转，歌迷们都十分感动。",
])
# The body found is a sliver of the prose on the page: kept (the rest is unrelated), but flagged.
UNSURE = f"""<html><head><title>{TITLE}</title></head><body>
<div class="article"><h1>{TITLE}</h1><p>2024-05-21</p><div class="article-content"><p>{POST}</p></div></div>
<div class="recommend"><h3>31岁一炮而红，观众都以为他隐退了</h3>{STORY}</div></body></html>"""
SURE = f"""<html><head><title>{TITLE}</title></head><body>
<div class="article"><h1>{TITLE}</h1><p>2024-05-21</p><div class="article-content">{STORY}<p>{POST}</p></div></div>
</body></html>"""


def extracted(pipeline: ExtractionPipeline, n: int, html: str) -> FetchedArticle:
    page = ArticlePage(url=f"http://news.example.cn/2024/05/t20240521_{n}.html", source="county",
                       body=html.encode("utf-8"), encoding="utf-8")
    item = pipeline.extract_here(page)
    assert isinstance(item, FetchedArticle), item
    return item


def test_low_confidence_is_counted_logged_stored_and_faceted(tmp_path, caplog):
    crawler = get_crawler(settings_dict={"GOVWATCH_EXTRACTION_WORKERS": 0})
    pipeline = ExtractionPipeline.from_crawler(crawler)
    unsure, sure = extracted(pipeline, 1, UNSURE), extracted(pipeline, 2, SURE)
    assert unsure.low_confidence
    assert POST in unsure.text and "唱片" not in unsure.text
    assert not sure.low_confidence and sure.body_method == "tuned"
    assert crawler.stats.get_value("govwatch/low_confidence") == 1

    with caplog.at_level(logging.WARNING, logger="crawler.pipelines"):
        crawler.signals.send_catch_log(signals.engine_stopped)
    assert "1 article(s) extracted with low confidence" in caplog.text

    db = open_db(tmp_path / "govwatch.db")
    sync_sources(db, [{"name": "county", "schedule": "every 1h"}])
    run = start_run(db, "county")
    for item in (unsure, sure):
        assert record_page(db, run, item) == "new"
    rows = {r["url"][-6:]: r for r in db.query("select url, body_method, confidence, low_confidence from articles")}
    db.close()
    assert rows["1.html"]["low_confidence"] == 1 and rows["2.html"]["low_confidence"] == 0
    assert rows["1.html"]["body_method"] == "tuned" and 0 <= rows["1.html"]["confidence"] < 0.5
    assert rows["2.html"]["confidence"] >= 0.5

    ds = Datasette([str(tmp_path / "govwatch.db")])
    response = await_get(ds, "/govwatch/articles.json?_facet=low_confidence&_size=0")
    facet = {r["value"]: r["count"] for r in response["facet_results"]["low_confidence"]["results"]}
    assert facet == {0: 1, 1: 1}


def await_get(ds: Datasette, path: str) -> dict:
    import asyncio

    async def get() -> dict:
        return (await ds.client.get(path)).json()

    return asyncio.run(get())
