"""/-/raw/<id>: a version's body as received, decoded from its dictionary form, sent as a download."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from datasette.app import Datasette

from monitor.publish import DATASETTE_DIR, DATASETTE_SETTINGS, datasette_metadata
from storage import open_db
from storage.articles import FetchedArticle, record_page
from storage.raw_bodies import DICT_MIN_SAMPLES, compact_bodies, prune_raw_bodies
from storage.runs import start_run
from storage.sources import sync_sources


def page(i: int, fetched_at: str | None = None) -> FetchedArticle:
    text = f"第{i}号通知。" + "乡村振兴产业发展。" * (5 + i % 7)
    body = (f'<html><body><div class="nav">{"<a href=/x>栏目</a>" * 30}</div><h1>通知{i}</h1><p>{text}</p>'
            f'<script>alert("hostile {i}")</script></body></html>').encode()
    return FetchedArticle(url=f"http://x.gov.cn/{i}.html", source="county", body=body, title=f"通知{i}", text=text,
                          fetched_at=fetched_at)


@pytest.mark.slow
async def test_raw_html_downloads_byte_for_byte_and_is_never_rendered(tmp_path):
    path = tmp_path / "govwatch.db"
    db = open_db(path)
    sync_sources(db, [{"name": "county", "schedule": "every 1h"}])
    run = start_run(db, "county")
    pages = [page(i, fetched_at="2026-01-01T00:00:00+00:00" if i == 0 else None) for i in range(DICT_MIN_SAMPLES + 2)]
    for p in pages:
        record_page(db, run, p)
    compact_bodies(db)
    assert db.execute("select count(*) from raw_bodies where codec = 'zstd-dict'").fetchone()[0] == len(pages)
    prune_raw_bodies(db, 30, now=datetime(2026, 11, 30, tzinfo=UTC))  # page 0 is old and never changed
    ids = {r["url"]: r["id"] for r in db.query("select a.url, v.id from article_versions v join articles a"
                                                " on a.id = v.article_id")}
    db.close()
    ds = Datasette([str(path)], metadata=datasette_metadata(path), plugins_dir=str(DATASETTE_DIR / "plugins"),
                   template_dir=str(DATASETTE_DIR / "templates"), settings=DATASETTE_SETTINGS)
    for p in pages[1:]:
        response = await ds.client.get(f"/-/raw/{ids[p.url]}")
        assert response.status_code == 200
        assert response.content == p.body
        assert response.headers["x-content-sha256"] == hashlib.sha256(p.body).hexdigest()
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["content-disposition"].startswith("attachment")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in response.headers["content-security-policy"]
    gone = await ds.client.get(f"/-/raw/{ids[pages[0].url]}")
    assert gone.status_code == 410 and "retention" in gone.text and hashlib.sha256(pages[0].body).hexdigest() in gone.text
    for missing in ("999999", "9" * 40):
        assert (await ds.client.get(f"/-/raw/{missing}")).status_code == 404
    article_page = await ds.client.get("/-/article/2")
    assert article_page.status_code == 200 and f'/-/raw/{ids[pages[1].url]}"' in article_page.text
