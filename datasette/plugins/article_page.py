"""The article page, /-/article/<id>: an article's current text and metadata, every version
with its diff (insertions and deletions marked), its events and its republished copies.

A stable URL per article that a researcher can cite; each version also keeps its own row
page (/govwatch/article_versions/<id>) with the raw HTML and its SHA-256. Everything is read
through plain SELECTs; the diffs were rendered once, when the monitor computed them.
"""

from __future__ import annotations

import json

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from datasette import hookimpl

# SQLite's largest integer: a longer id cannot be bound as a parameter (it was a 500).
MAX_ID = 2**63 - 1
# Article columns shown above the other metadata: (column, ExtractedPage field, label when the
# page's own label is not known).  The extractor records the label each field was written with
# (metadata["field_labels"]); a researcher sees "发文字号" where the page said 发文字号.
FIELD_ROWS = (("author", "author", "作者"), ("origin", "source", "来源"), ("publisher", "publisher", "发文机关"),
              ("doc_no", "doc_no", "文号"), ("index_no", "index_no", "索引号"))


@hookimpl
def register_routes():
    return [(r"^/-/article/(?P<article_id>\d+)$", article_page)]


def store_name(datasette) -> str:
    """The served store's database name: its file name without .db, whatever that is
    (`govwatch serve` serves one file; `archive-2026.db` is as good as `govwatch.db`)."""
    return datasette.get_database().name


@hookimpl
def table_actions(datasette, actor, database, table):
    if database == store_name(datasette) and table == "articles":
        return [{"href": datasette.urls.path("/-/article/1"), "label": "Article pages: /-/article/<id>"}]
    return None


@hookimpl
def row_actions(datasette, actor, request, database, table, row):
    if database == store_name(datasette) and table == "articles":
        return [{"href": datasette.urls.path(f"/-/article/{row['id']}"), "label": "Article page: versions and diffs"}]
    return None


async def article_page(datasette, request):
    db = datasette.get_database()
    digits = request.url_vars["article_id"]
    article_id = int(digits) if len(digits) <= 19 else MAX_ID + 1
    if article_id > MAX_ID:
        raise NotFound(f"no article {article_id}")
    rows = (await db.execute("select * from articles where id = ?", [article_id])).rows
    if not rows:
        raise NotFound(f"no article {article_id}")
    article = dict(rows[0])
    versions = [dict(r) for r in (await db.execute(
        "select id, version, fetched_at, title, published, content_hash, raw_sha256, raw_size, http_status, "
        "diff_summary, diff_html from article_versions where article_id = ? order by version desc",
        [article_id])).rows]
    for version in versions:
        version["diff_markup"] = Markup(version["diff_html"]) if version["diff_html"] else None
    events = [dict(r) for r in (await db.execute(
        "select id, kind, at, run_id, version_id, detail from events where article_id = ? order by id desc",
        [article_id])).rows]
    copies = [dict(r) for r in (await db.execute(
        "select id, title, source, url, first_seen from articles where copy_of = ? order by first_seen",
        [article_id])).rows]
    original = None
    if article.get("copy_of"):
        found = (await db.execute("select id, title, source, url from articles where id = ?",
                                  [article["copy_of"]])).rows
        original = dict(found[0]) if found else None
    metadata = json.loads(article.get("metadata") or "{}")
    metadata = metadata if isinstance(metadata, dict) else {}
    return Response.html(await datasette.render_template("article.html", {
        "article": article,
        "metadata_rows": metadata_rows(article, metadata),
        "date_candidates": [c for c in metadata.get("date_candidates") or [] if isinstance(c, dict)],
        "attachments": json.loads(article.get("attachments") or "[]"),
        "paragraphs": (article.get("text") or "").split("\n"),
        "versions": versions,
        "events": events,
        "copies": copies,
        "original": original,
        "database": db.name,
    }, request=request))


def metadata_rows(article: dict, metadata: dict) -> list[tuple[str, str]]:
    """(label as the page wrote it, value) for the article's columns and every other labelled
    field, each once: a canonical label whose value a column already shows is not repeated."""
    field_labels = metadata.get("field_labels") if isinstance(metadata.get("field_labels"), dict) else {}
    labels = metadata.get("labels") if isinstance(metadata.get("labels"), dict) else {}
    rows = []
    shown = {}  # canonical label -> the value its column shows
    for column, field, canonical in FIELD_ROWS:
        if article.get(column):
            rows.append((f"{field_labels.get(field) or labels.get(canonical) or canonical} {column}", str(article[column])))
            shown[canonical] = str(article[column])
    for key, value in metadata.items():
        if isinstance(value, str) and value and key not in ("category", "language") and shown.get(key) != value:
            rows.append((str(labels.get(key) or key), value))
    return rows
