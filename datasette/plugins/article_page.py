"""The article page, /-/article/<id>: the one page every link goes to (digest, feeds, canned
queries, row pages, search results).

Read top to bottom as staff do: a banner when the article was withdrawn (when, why, and that
what follows is our last archived copy) or is a copy of another; the changes, newest version
first, changes-only (unchanged paragraphs folded) with <ins>/<del> marks; then the text and
the metadata, each field once; then every version's "cite this version" block (URL,
fetched-at in Beijing time, SHA-256, a stable link) with its archived page, rendered in a
sandbox (/-/article/<id>/version/<n>); the bytes as received download from /-/raw/<version id>
(datasette/plugins/raw_html.py).

Everything is read through plain SELECTs; the diffs were rendered once, when the monitor
computed them. The archived page is hostile bytes: it is served with a CSP sandbox that
allows no script, no form, no network load and no navigation of this origin.
"""

from __future__ import annotations

import itertools
import json
import re

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from datasette import hookimpl
from storage.raw_bodies import decode_body

# SQLite's largest integer: a longer id cannot be bound as a parameter (it was a 500).
MAX_ID = 2**63 - 1
# Article columns shown above the other metadata: (column, ExtractedPage field, label when the
# page's own label is not known).  The extractor records the label each field was written with
# (metadata["field_labels"]); a researcher sees "发文字号" where the page said 发文字号.
FIELD_ROWS = (("author", "author", "作者"), ("origin", "source", "来源"), ("publisher", "publisher", "发文机关"),
              ("doc_no", "doc_no", "文号"), ("index_no", "index_no", "索引号"))


# An archived page is shown as its own document under a CSP sandbox: no script, no form, no
# plugin, no network load (img/style/font from anywhere are refused), and it cannot navigate
# this origin. Only inline styles are kept so it still looks like the page.
ARCHIVE_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
MAX_ARCHIVE_BYTES = 10 * 1024 * 1024  # the crawler stops reading at 10 MB; never inflate more than that
# Characters of an attachment's text shown on its article page: the start of a long text, whole
# lines, with a link to all of it (/-/attachment-text/). A real 职位表 is 1.2 M characters, which
# shown whole made a 3 MB page; 20,000 is a few pages of a 通知 and the first hundreds of rows.
TEXT_ON_PAGE = 20_000
EVENT_WORDS = {"new": "首次发现", "changed": "内容修改", "withdrawn": "撤下", "restored": "恢复",
               "republished": "被发现为转载"}


@hookimpl
def register_routes():
    return [
        (r"^/-/article/(?P<article_id>\d+)$", article_page),
        (r"^/-/article/(?P<article_id>\d+)/version/(?P<version>\d{1,9})$", archived_page),
        # anything else under /-/article/ is a plain 404, not Datasette's row view of a database "-" (a 500)
        (r"^/-/article/.*$", not_an_article),
    ]


async def not_an_article(request):
    return Response.text("no such page: /-/article/<id> or /-/article/<id>/version/<n>[.html]", status=404)


def store_name(datasette) -> str:
    """The served store's database name: its file name without .db, whatever that is
    (`govwatch serve` serves one file; `archive-2026.db` is as good as `govwatch.db`)."""
    return datasette.get_database().name


@hookimpl
def row_actions(datasette, actor, request, database, table, row):
    if database == store_name(datasette) and table == "articles":
        return [{"href": datasette.urls.path(f"/-/article/{row['id']}"), "label": "文章页：版本与修改"}]
    if database == store_name(datasette) and table in ("article_versions", "versions", "events") and row.get("article_id"):
        return [{"href": datasette.urls.path(f"/-/article/{row['article_id']}"), "label": "文章页：版本与修改"}]
    return None


def _article_id(digits: str) -> int:
    article_id = int(digits) if len(digits) <= 19 else MAX_ID + 1
    if article_id > MAX_ID:
        raise NotFound(f"no article {digits[:30]}")
    return article_id


async def article_page(datasette, request):
    db = datasette.get_database()
    article_id = _article_id(request.url_vars["article_id"])
    rows = (await db.execute("select * from articles where id = ?", [article_id])).rows
    if not rows:
        raise NotFound(f"no article {article_id}")
    article = dict(rows[0])
    versions = [dict(r) for r in (await db.execute(
        "select id, version, fetched_at, title, published, content_hash, raw_sha256, raw_size, http_status, "
        "diff_summary, diff_html from article_versions where article_id = ? order by version desc",
        [article_id])).rows]
    for version in versions:
        version["diff_markup"] = changes_only(version["diff_html"])
    events = [dict(r) for r in (await db.execute(
        "select id, kind, at, run_id, version_id, attachment_version_id, detail from events where article_id = ?"
        " order by id desc",
        [article_id])).rows]
    for event in events:
        event["words"] = EVENT_WORDS.get(event["kind"], event["kind"])
        event["said"] = event_detail(event["detail"])
    copies = [dict(r) for r in (await db.execute(
        "select id, title, source, url, first_seen from articles where copy_of = ? order by first_seen",
        [article_id])).rows]
    original = None
    if article.get("copy_of"):
        found = (await db.execute("select id, title, source, url from articles where id = ?",
                                  [article["copy_of"]])).rows
        original = dict(found[0]) if found else None
    withdrawn = next((e for e in events if e["kind"] == "withdrawn"), None) if article.get("status") == "withdrawn" \
        else None
    metadata = json.loads(article.get("metadata") or "{}")
    metadata = metadata if isinstance(metadata, dict) else {}
    stored_files = await stored_attachments(db, article_id)
    return Response.html(await datasette.render_template("article.html", {
        "stored_files": stored_files,
        "article": article,
        "metadata_rows": metadata_rows(article, metadata),
        "date_candidates": [c for c in metadata.get("date_candidates") or [] if isinstance(c, dict)],
        "attachments": json.loads(article.get("attachments") or "[]"),
        "paragraphs": [p for p in (article.get("text") or "").split("\n") if p.strip()],
        "versions": versions,
        "events": events,
        "copies": copies,
        "original": original,
        "withdrawn": withdrawn,
        "withdrawn_reason": event_detail(withdrawn["detail"]) if withdrawn else None,
        "last_copy": versions[0] if versions else None,
        "stable_url": datasette.absolute_url(request, datasette.urls.path(f"/-/article/{article_id}")),
        "database": db.name,
    }, request=request))


async def stored_attachments(db, article_id: int) -> list[dict]:
    """The article's fetched attachments, each with its versions (newest first) and, for a
    replaced file, the lines its text gained and lost against the version before."""
    files = [dict(r) for r in (await db.execute(
        "select id, url, name, type, kind, size, sha256, status, reason, fetched_at, last_checked, version_count"
        " from attachments where article_id = ? order by id", [article_id])).rows]
    for f in files:
        versions = [dict(r) for r in (await db.execute(
            "select v.id, v.version, v.fetched_at, v.size, v.sha256, v.status, v.reason, v.text,"
            " exists(select 1 from attachment_files k where k.sha256 = v.sha256) as kept"
            " from attachment_versions v where v.attachment_id = ? order by v.version desc", [f["id"]])).rows]
        for newer, older in itertools.pairwise(versions):
            newer["line_changes"] = line_changes(older["text"], newer["text"])
        f["versions"] = versions
        f["text"] = versions[0]["text"] if versions else None
        f["text_lines"], f["text_cut"] = text_start(f["text"])
        f["text_version_id"] = versions[0]["id"] if versions else None
        f["kept_version_id"] = versions[0]["id"] if versions and versions[0]["kept"] else None
    return files


def text_start(text: str | None, limit: int = TEXT_ON_PAGE) -> tuple[list[str], bool]:
    """The lines of a text that fit in `limit` characters, and whether any were left out. Lines
    are kept whole, but a first line longer than the limit is cut (a PDF without line breaks)."""
    lines: list[str] = []
    used = 0
    for line in (text or "").split("\n"):
        if used + len(line) > limit:
            if not lines:
                lines.append(line[:limit])
            return lines, True
        lines.append(line)
        used += len(line) + 1
    return lines, False


def line_changes(old: str | None, new: str | None, limit: int = 200) -> list[tuple[str, str]]:
    """[("+"|"-", line)] between two texts of an attachment, at most `limit` lines.

    Line-level with difflib (stdlib): an attachment's text is a PDF's or a sheet's lines, where
    the character diff the monitor renders for articles (monitor/diffs.py, which this room may not
    import) mostly marks reflowed lines.
    """
    import difflib

    out: list[tuple[str, str]] = []
    for line in difflib.unified_diff((old or "").splitlines(), (new or "").splitlines(), lineterm="", n=0):
        if line.startswith(("+++", "---", "@@")):
            continue
        out.append((line[0], line[1:]))
        if len(out) >= limit:
            break
    return out


async def archived_page(datasette, request):
    """A version's raw HTML as received, rendered under a sandbox (the download is /-/raw/<id>)."""
    db = datasette.get_database()
    article_id = _article_id(request.url_vars["article_id"])
    version = int(request.url_vars["version"])
    rows = (await db.execute(
        "select v.encoding, b.codec, b.body, d.dictionary from article_versions v"
        " left join raw_bodies b on b.sha256 = v.raw_sha256 left join body_dictionaries d on d.id = b.dictionary_id"
        " where v.article_id = ? and v.version = ?", [article_id, version])).rows
    if not rows or rows[0]["body"] is None:
        raise NotFound(f"no archived page for version {version} of article {article_id}")
    # bodies are stored once per SHA-256 with their source's zstd dictionary (storage/raw_bodies.py);
    # the crawl capped them at its download limit, the page shows at most MAX_ARCHIVE_BYTES
    body = decode_body(rows[0]["codec"], rows[0]["body"], rows[0]["dictionary"])[:MAX_ARCHIVE_BYTES]
    headers = {"Content-Security-Policy": ARCHIVE_CSP, "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "no-referrer"}
    charset = rows[0]["encoding"] or "utf-8"
    return Response(body, status=200, headers=headers,
                    content_type=f"text/html; charset={re.sub(r'[^A-Za-z0-9_-]', '', charset) or 'utf-8'}")


def event_detail(detail: str | None) -> str:
    """An event's stored detail in words: a copy's JSON becomes "与 <source> 的文章相同 (100%)"."""
    if not detail:
        return ""
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if isinstance(data, dict) and "copy_of" in data:
        similarity = data.get("similarity")
        share = f"，相似度 {float(similarity):.0%}" if isinstance(similarity, (int, float)) else ""
        return f"转载自 {data.get('source') or '另一来源'} 的文章{share}"
    return detail


def metadata_rows(article: dict, metadata: dict) -> list[tuple[str, str]]:
    """(label as the page wrote it, value) for the article's columns and every other labelled
    field, each value once: a field whose value a column (or the title) already shows is not
    repeated under another label (索引号, 文号, 发文机关, 来源 used to appear twice)."""
    field_labels = metadata.get("field_labels") if isinstance(metadata.get("field_labels"), dict) else {}
    labels = metadata.get("labels") if isinstance(metadata.get("labels"), dict) else {}
    rows = []
    shown = {str(article.get("title") or "")}
    for column, field, canonical in FIELD_ROWS:
        if article.get(column):
            label = field_labels.get(field) or labels.get(canonical) or canonical
            if str(article[column]) in shown and column == "origin":
                continue  # 来源 that only repeats 发文机关
            rows.append((str(label), str(article[column])))
            shown.add(str(article[column]))
    for key, value in metadata.items():
        if isinstance(value, str) and value and key not in ("category", "language") and value not in shown:
            rows.append((str(labels.get(key) or key), value))
            shown.add(value)
    return rows


# --- the changes-only view (Datasette loads each plugin file on its own, so it lives here) ---
# `article_versions.diff_html` is rendered once by the change monitor (monitor/diffs.py:
# escaped text, <ins>/<del> runs, paragraphs separated by "<br>\n"). A researcher looking at
# version 5 of a 40-paragraph notice wants the two paragraphs that changed: each run of
# unchanged paragraphs is folded into a <details> that still opens in place. It only re-cuts
# markup our own renderer wrote (never crawled HTML), keeping tags balanced when a paragraph
# break falls inside an insertion or deletion. Hand-written: the structure is ours, and no
# diff library reads it back.

BREAK = "<br>\n"
_TEXT_BLOCK = re.compile(r'(<div class="diff-text">)(.*?)(</div>)\s*$', re.DOTALL)
_MARK = re.compile(r"</?(ins|del)>")


def changes_only(diff_html: str | None, keep: int = 0) -> Markup | None:
    """`diff_html` with runs of unchanged paragraphs folded (`keep` shown on each side of a change)."""
    if not diff_html:
        return None
    match = _TEXT_BLOCK.search(diff_html)
    if not match:
        return Markup(diff_html)
    paragraphs = _balanced(match.group(2).split(BREAK))
    changed = [bool(_MARK.search(p)) for p in paragraphs]
    near = [any(changed[max(0, i - keep): i + keep + 1]) for i in range(len(paragraphs))]
    out: list[str] = []
    folded: list[str] = []
    for paragraph, shown in zip(paragraphs, near, strict=True):
        if shown:
            out.append(_fold(folded))
            folded = []
            out.append(f'<p class="changed">{paragraph}</p>')
        else:
            folded.append(paragraph)
    out.append(_fold(folded))
    body = "".join(out)
    return Markup(diff_html[: match.start()] + match.group(1) + body + match.group(3))


def _fold(paragraphs: list[str]) -> str:
    if not paragraphs:
        return ""
    inner = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<details class="unchanged"><summary>{len(paragraphs)} 段未改动（点击展开）</summary>'
            f"{inner}</details>")


def _balanced(paragraphs: list[str]) -> list[str]:
    """Close an <ins>/<del> left open at a paragraph's end and reopen it in the next one."""
    result, open_tag = [], None
    for paragraph in paragraphs:
        text = (f"<{open_tag}>" if open_tag else "") + paragraph
        for tag in _MARK.finditer(paragraph):
            open_tag = None if tag.group(0).startswith("</") else tag.group(1)
        result.append(text + (f"</{open_tag}>" if open_tag else ""))
    return result
