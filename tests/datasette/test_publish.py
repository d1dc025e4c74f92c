"""The published database, through Datasette's own test client."""

from __future__ import annotations

from pathlib import Path

import pytest
from datasette.app import Datasette

from monitor.publish import DATASETTE_DIR, DATASETTE_SETTINGS, datasette_command, datasette_metadata

pytestmark = pytest.mark.slow


def make_datasette(db_path: Path) -> Datasette:
    """Datasette configured exactly as `govwatch serve` configures it."""
    return Datasette(
        [str(db_path)],
        metadata=datasette_metadata(db_path),
        plugins_dir=str(DATASETTE_DIR / "plugins"),
        template_dir=str(DATASETTE_DIR / "templates"),
        settings=DATASETTE_SETTINGS,
    )


@pytest.fixture
async def ds(crawled_demo):
    datasette = make_datasette(crawled_demo)
    await datasette.invoke_startup()
    return datasette


async def test_articles_listed_with_titles(ds, demo_site):
    response = await ds.client.get("/govwatch/articles.json?_shape=array&_size=max&_col=title&_col=url")
    assert response.status_code == 200
    rows = response.json()
    assert {r["url"]: r["title"] for r in rows} == {a["url"]: a["title"] for a in demo_site.catalogue()}


async def test_article_table_page_renders_with_descriptions_and_facets(ds):
    response = await ds.client.get("/govwatch/articles")
    assert response.status_code == 200
    html = response.text
    assert "The current version of every article" in html
    assert "demo-gov" in html  # the source facet


async def test_csv_export_and_runs_table(ds):
    csv = await ds.client.get("/govwatch/articles.csv?_col=title&_size=max")
    assert csv.status_code == 200 and csv.text.count("\n") > 50
    runs = await ds.client.get("/govwatch/crawl_runs.json?_shape=array")
    assert {r["status"] for r in runs.json()} == {"ok"}


async def test_writes_are_refused(ds):
    response = await ds.client.get("/govwatch.json?sql=delete+from+articles")
    assert response.status_code == 400
    count = await ds.client.get("/govwatch.json?sql=select+count(*)+as+n+from+articles&_shape=array")
    assert count.json()[0]["n"] > 50


def test_serve_command_uses_project_configuration(tmp_path):
    command = datasette_command(tmp_path / "govwatch.db", port=9999)
    assert "--metadata" in command and str(DATASETTE_DIR / "metadata.yml") in command
    assert "-i" not in command and "--immutable" not in command  # the crawler writes the file while we read
