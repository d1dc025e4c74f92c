"""The operator page's source rows: the learned list profile and an honest last result."""

from __future__ import annotations

from storage import open_db
from storage.list_profiles import pin_profiles, save_learned_profile
from storage.runs import close_run, start_run
from storage.sources import sync_sources
from tests.datasette.test_publish import make_datasette

REGION = "/html/body/div[2]/ul/li"


async def test_operator_page_shows_profile_and_degraded_run(tmp_path):
    db_path = tmp_path / "govwatch.db"
    db = open_db(db_path)
    sync_sources(db, [{"name": "county", "schedule": "every 1h"}, {"name": "fresh", "schedule": "every 1h"}])
    save_learned_profile(db, "county", "http://x.gov.cn/col/", {"region": REGION, "url_shape": "^(?:/col/<b>x)$",
                                                              "records": 20})
    pin_profiles(db, "county")
    run = start_run(db, "county")
    close_run(db, run, "degraded", message="start URL http://x.gov.cn/gone/: HTTP 404")
    db.close()
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    response = await ds.client.get("/-/operator")
    assert response.status_code == 200
    html = response.text
    county = html.split('id="source-county"')[1].split("</tr>")[0]
    assert REGION in county and "(pinned)" in county
    assert "&lt;b&gt;x" in county and "<b>x" not in county  # a site's text is escaped
    assert "degraded" in county and "HTTP 404" in county and "status degraded" in county
    fresh = html.split('id="source-fresh"')[1].split("</tr>")[0]
    assert "尚未识别" in fresh
