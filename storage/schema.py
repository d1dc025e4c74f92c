"""The schema, as an ordered set of migrations: opening any database brings it up to date.

Times are stored as ISO 8601 strings in UTC ("2026-11-25T06:00:00+00:00"); publication
dates (`published`) are the page's own calendar date ("2021-06-07", Asia/Shanghai).
"""

from __future__ import annotations

import gzip

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("govwatch")


@migrations()
def m001_core_tables(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {
            "name": str,
            "kind": str,
            "title": str,
            "config": str,  # the validated source config as JSON
            "schedule": str,
            "timezone": str,
            "enabled": int,
            "paused": int,
            "origin": str,  # "config" (sources.yaml) or "operator" (changed at run time)
            "updated_at": str,
        },
        pk="name",
    )
    db["crawl_runs"].create(
        {
            "id": int,
            "source": str,
            "trigger": str,
            "started_at": str,
            "finished_at": str,
            "status": str,  # running, ok, failed, killed, timeout
            "pages_fetched": int,
            "bytes_downloaded": int,
            "not_modified": int,
            "articles_new": int,
            "articles_changed": int,
            "articles_unchanged": int,
            "articles_withdrawn": int,
            "errors": int,
            "message": str,
            "log_tail": str,
            "pid": int,
        },
        pk="id",
        foreign_keys=[("source", "sources", "name")],
        defaults={
            "pages_fetched": 0,
            "bytes_downloaded": 0,
            "not_modified": 0,
            "articles_new": 0,
            "articles_changed": 0,
            "articles_unchanged": 0,
            "articles_withdrawn": 0,
            "errors": 0,
        },
    )
    db["articles"].create(
        {
            "id": int,
            "url": str,
            "canonical_url": str,
            "source": str,
            "title": str,
            "text": str,
            "published": str,
            "author": str,
            "origin": str,  # 来源
            "publisher": str,  # 发文机关
            "doc_no": str,  # 文号
            "index_no": str,  # 索引号
            "metadata": str,  # JSON: every labelled field the page shows
            "attachments": str,  # JSON list of {name, url, type}
            "content_hash": str,
            "status": str,  # live, withdrawn
            "version_count": int,
            "current_version_id": int,
            "copy_of": int,  # the article this one republishes, if any
            "first_seen": str,
            "last_seen": str,
            "last_checked": str,
            "last_changed": str,
            "etag": str,
            "last_modified": str,
        },
        pk="id",
        foreign_keys=[("source", "sources", "name")],
        not_null={"url", "source"},
        defaults={"status": "live", "version_count": 0},
    )
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["source", "published"])
    db["articles"].create_index(["content_hash"])
    db["article_versions"].create(
        {
            "id": int,
            "article_id": int,
            "version": int,
            "run_id": int,
            "fetched_at": str,
            "title": str,
            "text": str,
            "published": str,
            "metadata": str,
            "content_hash": str,
            "http_status": int,
            "response_headers": str,  # JSON
            "encoding": str,
            "raw_html_gz": bytes,  # gzip of the response body as received
            "raw_sha256": str,  # of the uncompressed body, for citing it as evidence
            "raw_size": int,
            "diff": str,  # JSON diff against the previous version (filled by the monitor)
            "diff_summary": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id"), ("run_id", "crawl_runs", "id")],
    )
    db["article_versions"].create_index(["article_id", "version"], unique=True)
    db["events"].create(
        {
            "id": int,
            "article_id": int,
            "kind": str,  # new, changed, withdrawn, restored, republished
            "run_id": int,
            "source": str,
            "at": str,
            "version_id": int,
            "detail": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id"), ("run_id", "crawl_runs", "id")],
    )
    db["events"].create_index(["at"])
    db["events"].create_index(["article_id"])
    db["fetch_errors"].create(
        {
            "id": int,
            "run_id": int,
            "source": str,
            "url": str,
            "reason": str,
            "http_status": int,
            "at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id")],
    )
    db["fetch_errors"].create_index(["run_id"])


@migrations()
def m002_search_index(db):
    from storage.search import create_search_index
    create_search_index(db)


@migrations()
def m003_change_monitoring(db: sqlite_utils.Database) -> None:
    """Copy detection (MinHash signatures and their LSH bands) and adaptive list-page visits."""
    # One row per article whose text has been shingled: which content it was computed from,
    # so an edited article is signed again and an unchanged one never twice.
    db["article_minhash"].create(
        {"article_id": int, "content_hash": str, "shingles": int, "signed_at": str},
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    # LSH bands of each signature: articles sharing a (band, hash) are candidate copies, so
    # finding an article's copies reads a few index entries instead of comparing with all.
    db["article_shingle_bands"].create({"band": int, "hash": int, "article_id": int})
    db["article_shingle_bands"].create_index(["band", "hash"])
    db["article_shingle_bands"].create_index(["article_id"])
    db["list_pages"].create(
        {
            "url": str,
            "source": str,
            "last_fetched": str,
            "last_new_links": int,  # new article links the last fetch found
            "fetch_count": int,
            "new_link_count": int,  # new article links over all fetches
            "idle_streak": int,  # fetches in a row that found nothing new
            "next_due": str,
        },
        pk="url",
        foreign_keys=[("source", "sources", "name")],
        defaults={"fetch_count": 0, "new_link_count": 0, "idle_streak": 0},
    )
    db["list_pages"].create_index(["source"])


@migrations()
def m004_service_control(db: sqlite_utils.Database) -> None:
    """Tables through which operators talk to a running `govwatch run` service."""
    db["run_requests"].create(
        {"id": int, "source": str, "requested_at": str, "requested_by": str, "picked_at": str, "run_id": int},
        pk="id",
        foreign_keys=[("source", "sources", "name")],
    )
    db["service_status"].create(
        {"id": int, "pid": int, "host": str, "started_at": str, "beat_at": str, "stopped_at": str, "message": str},
        pk="id",
    )
    db["source_schedule"].create(
        {"source": str, "next_run_at": str, "updated_at": str},
        pk="source",
        foreign_keys=[("source", "sources", "name")],
    )


@migrations()
def m005_operator_view(db: sqlite_utils.Database) -> None:
    """Health flags as the service last computed them, and the view the operator page reads."""
    db["source_health"].create({"source": str, "flags": str, "checked_at": str}, pk="source")
    db.create_view("operator_sources", """
        select s.name, s.title, s.kind,
               case when not s.enabled then 'disabled' when s.paused then 'paused' else 'active' end as state,
               s.schedule, s.timezone, s.origin, ss.next_run_at,
               r.id as last_run_id, r.started_at as last_run_at, r.status as last_status,
               r.articles_new as last_new, r.articles_changed as last_changed, r.errors as last_errors,
               r.message as last_message, h.flags as health
        from sources s
        left join source_schedule ss on ss.source = s.name
        left join crawl_runs r on r.id = (select max(id) from crawl_runs where source = s.name)
        left join source_health h on h.source = s.name
        order by s.name
    """, replace=True)


@migrations()
def m006_publishing_views(db: sqlite_utils.Database) -> None:
    """What Datasette shows: versions without the raw HTML, and the rows of the Atom feeds.

    `diff_html` holds each change rendered once, when its diff is computed, so the article
    page shows it without Datasette importing the diff code.
    """
    db["article_versions"].add_column("diff_html", str)
    db.create_view("versions", """
        select v.id, v.article_id, a.title as article_title, a.source, v.version, v.fetched_at, v.title,
               v.published, v.content_hash, v.diff_summary, v.http_status, v.encoding, v.raw_size,
               v.raw_sha256, v.run_id
        from article_versions v join articles a on a.id = v.article_id
    """, replace=True)
    # datasette-atom's contract is column names: atom_id, atom_updated, atom_title, atom_link …
    db.create_view("atom_new_articles", """
        select 'tag:govwatch,2026:article-' || a.id as atom_id, e.at as atom_updated, a.title as atom_title,
               a.url as atom_link, substr(a.text, 1, 400) as atom_content, a.source as atom_author_name,
               a.id as article_id, a.published
        from events e join articles a on a.id = e.article_id
        where e.kind = 'new'
        order by e.at desc, e.id desc
    """, replace=True)
    db.create_view("atom_changes", """
        select 'tag:govwatch,2026:event-' || e.id as atom_id, e.at as atom_updated,
               '[' || e.kind || '] ' || coalesce(a.title, a.url) as atom_title, a.url as atom_link,
               coalesce(v.diff_summary, e.detail, e.kind) as atom_content, a.source as atom_author_name,
               e.kind, a.id as article_id, e.version_id
        from events e join articles a on a.id = e.article_id left join article_versions v on v.id = e.version_id
        where e.kind in ('changed', 'withdrawn', 'restored')
        order by e.at desc, e.id desc
    """, replace=True)


@migrations()
def m007_pending_withdrawals(db: sqlite_utils.Database) -> None:
    """Articles that looked withdrawn once (404/410, an error page, a redirect away) but not yet twice.

    A site under maintenance or a CMS republishing its pages answers 404 for a while; the
    withdrawal is reported only when a later check sees it again (the source's
    `confirm_withdrawal_checks`). The row goes when the article answers again or is withdrawn.
    """
    db["pending_withdrawals"].create(
        {
            "article_id": int,
            "source": str,
            "url": str,
            "first_seen_at": str,
            "first_run_id": int,
            "last_run_id": int,
            "sightings": int,  # checks in a row that found it gone, each in another run
            "http_status": int,
            "detail": str,
        },
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
    )


@migrations()
def m008_list_profiles(db: sqlite_utils.Database) -> None:
    """What a crawl learned about each start page's list, the list anchor of each article,
    and the operator view with both.

    A profile (crawler/listing: where the list is, the URL shape of its records) is kept per
    source and start URL, so later crawls read the same region instead of guessing again; an
    operator can pin it (never re-learned automatically) or reset it (forgotten, learned again).
    """
    db["list_profiles"].create(
        {
            "source": str,
            "start_url": str,
            "profile": str,  # JSON: crawler.listing.ListProfile.to_dict()
            "pinned": int,
            "learned_at": str,  # when this profile was learned (first, or again after a template change)
            "relearned_count": int,
            "last_used_at": str,
        },
        pk=("source", "start_url"),
        foreign_keys=[("source", "sources", "name")],
        defaults={"pinned": 0, "relearned_count": 0},
    )
    # The link text the list page showed for the article: the headline a title check compares with.
    db["articles"].add_column("list_anchor", str)
    db.create_view("operator_sources", """
        select s.name, s.title, s.kind,
               case when not s.enabled then 'disabled' when s.paused then 'paused' else 'active' end as state,
               s.schedule, s.timezone, s.origin, ss.next_run_at,
               r.id as last_run_id, r.started_at as last_run_at, r.status as last_status,
               r.articles_new as last_new, r.articles_changed as last_changed, r.errors as last_errors,
               r.message as last_message, h.flags as health,
               (select group_concat(
                    coalesce(json_extract(p.profile, '$.region'), '?') || ' → '
                    || coalesce(json_extract(p.profile, '$.url_shape'), '?')
                    || case when p.pinned then ' (pinned)' else '' end, '; ')
                from list_profiles p where p.source = s.name) as list_profile
        from sources s
        left join source_schedule ss on ss.source = s.name
        left join crawl_runs r on r.id = (select max(id) from crawl_runs where source = s.name)
        left join source_health h on h.source = s.name
        order by s.name
    """, replace=True)


@migrations()
def m009_extraction_confidence(db: sqlite_utils.Database) -> None:
    """How each article's text was extracted and how sure the extractor is of it.

    `body_method` names the extraction that produced the text (tuned, trafilatura-recall,
    readability, densest-block); `confidence` is in [0, 1]; `low_confidence` is 0/1 so
    Datasette can facet on it: a source whose template extraction no longer fits shows up there.
    Rows written before this migration stay NULL (not measured), never 0.
    """
    articles = db["articles"]
    articles.add_column("body_method", str)
    articles.add_column("confidence", float)
    articles.add_column("low_confidence", int)
    articles.create_index(["source", "low_confidence"], if_not_exists=True)


@migrations()
def m010_ops_views(db: sqlite_utils.Database) -> None:
    """What monitoring reads (`/-/healthz`, `/-/metrics`, `running_service`): one definition each.

    `service_liveness`: a service is alive when it has not stopped and beat within the last
    30 s (the service beats every poll, 2 s by default); `running_service()` reads this view too.
    `source_metrics`: per source, the counters a Prometheus scrape wants, from the runs table;
    health flags are not recomputed here but read from `source_health`, which the service
    writes after every run (monitor/health.py is the one place that computes them).
    """
    db.create_view("service_liveness", """
        select id, pid, host, started_at, beat_at, stopped_at, message,
               (stopped_at is null
                and beat_at >= strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-30 seconds')) as alive
        from service_status
    """, replace=True)
    db.create_view("source_metrics", """
        select s.name as source, s.enabled, s.paused,
               (select count(*) from crawl_runs r where r.source = s.name) as runs,
               (select count(*) from crawl_runs r where r.source = s.name and r.status = 'running') as running,
               (select coalesce(sum(pages_fetched), 0) from crawl_runs r where r.source = s.name) as pages_fetched,
               (select coalesce(sum(bytes_downloaded), 0) from crawl_runs r where r.source = s.name)
                   as bytes_downloaded,
               (select coalesce(sum(errors), 0) from crawl_runs r where r.source = s.name) as errors,
               (select max(finished_at) from crawl_runs r where r.source = s.name and r.status = 'ok')
                   as last_success_at,
               (select max(started_at) from crawl_runs r where r.source = s.name) as last_run_at,
               h.flags as health_flags, h.checked_at as health_checked_at
        from sources s left join source_health h on h.source = s.name
        order by s.name
    """, replace=True)


@migrations()
def m011_compact_storage(db: sqlite_utils.Database) -> None:
    """Raw bodies once per SHA-256 with per-source zstd dictionaries, and a contentless search index.

    Measured by `python -m bench.growth` (bench/README.md): the gzip of every version's body
    and the search index's copy of the bigram tokens were the two largest parts of the store.
    Old rows move here: each `raw_html_gz` becomes a `raw_bodies` row (the column is emptied,
    not dropped, as dropping rebuilds the table and its views); the index is rebuilt
    contentless from the articles. A VACUUM (`govwatch backup` writes a compacted copy) gives
    the freed pages back to the file system.
    """
    from storage.raw_bodies import compact_bodies, compress_plain
    from storage.search import FTS_TABLE, create_search_index

    db["raw_bodies"].create(
        {"sha256": str, "codec": str, "dictionary_id": int, "body": bytes, "size": int}, pk="sha256")
    db["body_dictionaries"].create(
        {"id": int, "source": str, "trained_at": str, "samples": int, "dictionary": bytes}, pk="id")
    db["article_versions"].add_column("raw_pruned_at", str)
    for sha256, raw, size in db.execute(
            "select raw_sha256, raw_html_gz, raw_size from article_versions where raw_html_gz is not null").fetchall():
        db.execute("insert or ignore into raw_bodies (sha256, codec, body, size) values (?, 'zstd', ?, ?)",
                   [sha256, compress_plain(gzip.decompress(raw)), size])
    db.execute("update article_versions set raw_html_gz = null where raw_html_gz is not null")
    compact_bodies(db)
    db.execute(f"drop table if exists [{FTS_TABLE}]")
    create_search_index(db)


@migrations()
def m012_version_text_once(db: sqlite_utils.Database) -> None:
    """The current version's text is kept once, in `articles.text`, not again in its version row.

    Measured by `python -m bench.growth`: version rows held ~3.5 KB of text per article, nearly
    all of it the current text a second time. `article_versions.text` is now NULL for an
    article's current version and filled when a newer version replaces it (storage/articles.py);
    the `version_texts` view gives every version its text, whichever row holds it.
    """
    db.create_view("version_texts", """
        select v.id, v.article_id, v.version, v.run_id, v.fetched_at, v.title,
               case when v.text is null and a.current_version_id = v.id then a.text else v.text end as text,
               v.published, v.metadata, v.content_hash, v.diff, v.diff_summary
        from article_versions v join articles a on a.id = v.article_id
    """, replace=True)
    db.execute("""
        update article_versions set text = null
        where exists (select 1 from articles a where a.current_version_id = article_versions.id
                      and a.text is article_versions.text)
    """)


@migrations()
def m013_digest_deliveries_and_stream_offsets(db: sqlite_utils.Database) -> None:
    """Two tables that were created on first use, outside the migrations: the digest's delivery
    log and the distributed store writer's stream offsets. A database that already made them
    keeps them (if_not_exists); a new one has them from the start, like every other table."""
    db["digest_deliveries"].create(
        {
            "subscription": str,
            "period": str,  # "2026-11-24" for a day, "since/until" (UTC ISO) for a range
            "channel": str,  # "email", "file:…", "apprise:scheme:hash" — never a secret
            "status": str,  # sent, failed
            "attempts": int,
            "last_error": str,
            "sent_at": str,
            "updated_at": str,
        },
        pk=("subscription", "period", "channel"),
        defaults={"attempts": 0},
        if_not_exists=True,
    )
    # How far the store writer has applied each Redis stream (storage/stream_offsets.py).
    db["stream_offsets"].create({"stream": str, "last_id": str}, pk="stream", if_not_exists=True)


@migrations()
def m014_attachments(db: sqlite_utils.Database) -> None:
    """Attachments with their text and version history, searched like articles (issue 23).

    `events.attachment_version_id` names the attachment version a `changed` event is about
    (NULL for an article's own change), so the digest and the article page can show its diff.
    """
    from storage.attachments import create_attachment_tables

    create_attachment_tables(db)
    db["events"].add_column("attachment_version_id", int)


@migrations()
def m015_copy_signatures_redone(db: sqlite_utils.Database) -> None:
    """Copy signatures are now datasketch MinHashes (monitor/copies.py): the stored bands of the
    hand-written MinHash can never match a new one, so they are dropped and every article is
    signed again by the next annotation (storage.copies.articles_to_sign picks unsigned ones).
    `copy_of` links and their `republished` events are kept: they were confirmed on exact Jaccard.
    """
    db.execute("delete from article_shingle_bands")
    db.execute("delete from article_minhash")


@migrations()
def m016_search_plan_indexes(db: sqlite_utils.Database) -> None:
    """Narrow indexes for the table view's search over a broad match (storage/search_plan.py).

    The articles table's facets (source, status, publisher) and its default sort (last_changed,
    newest first) are read from these instead of from the wide rows: a facet over 156,000 of
    200,000 articles reads ~2 MB of index in order instead of looking up each row. `source` is
    already the first column of two indexes. `last_changed` is indexed descending, so walking it
    forward gives newest first with ties by id ascending: the order Datasette's next-page links
    assume (`order by last_changed desc, id`).
    """
    articles = db["articles"]
    articles.create_index(["status"], if_not_exists=True)
    articles.create_index(["publisher"], if_not_exists=True)
    articles.create_index([sqlite_utils.db.DescIndex("last_changed")], index_name="idx_articles_last_changed_desc",
                          if_not_exists=True)


@migrations()
def m017_unfetched_links(db: sqlite_utils.Database) -> None:
    """Article links seen on a list page and not stored yet, asked for again by later crawls
    until stored or given up (storage/unfetched_links.py says why)."""
    from storage.unfetched_links import create_unfetched_links_table

    create_unfetched_links_table(db)


@migrations()
def m018_plain_bodies_index(db: sqlite_utils.Database) -> None:
    """Find the raw bodies still compressed without their source's dictionary by index.

    Why: `compact_bodies` runs after every batch of crawls (monitor/run_end.py) and counted them
    per source by scanning every article version and looking its body up, a read of a row that
    is nearly a page (the body's first ~4 KB is kept in the row): ~0.3 s a call at 100,000
    articles, growing with the store, to find the few new bodies of the last crawls. A partial
    index of the plain bodies and an index of the versions by body hash make it a walk over
    those few (~10 ms on the same store; `raw_sha256` costs ~80 bytes per version).
    """
    db.execute("create index if not exists idx_raw_bodies_plain on raw_bodies(sha256) where codec = 'zstd'")
    db["article_versions"].create_index(["raw_sha256"], if_not_exists=True)


@migrations()
def m019_robots_txt(db: sqlite_utils.Database) -> None:
    """Each origin's robots.txt as last fetched, reused by later crawls for a day (storage/robots_txt.py)."""
    from storage.robots_txt import create_robots_txt_table

    create_robots_txt_table(db)


@migrations()
def m020_list_page_validators(db: sqlite_utils.Database) -> None:
    """A list page's validators and the links its last full fetch showed (storage/list_pages.py):
    an unchanged static list then answers 304 and its links are followed from here."""
    for column in ("etag", "last_modified", "shown"):
        if column not in db["list_pages"].columns_dict:
            db["list_pages"].add_column(column, str)


@migrations()
def m021_per_source_indexes(db: sqlite_utils.Database) -> None:
    """Find a source's runs and its new-article events by index.

    Why: the service recomputes a source's health after each of its runs (storage/health.py),
    reading its last runs and the times of its last 50 new articles. Without these indexes the
    first walked `crawl_runs` backwards past every other source's runs (and their log tails),
    the second walked every event by date until it had 50 of this source's, the whole table for
    a source that seldom publishes: 10 ms of CPU a run on the 300-source bench store, 25 ms at
    100,000 runs and 200,000 events, growing with the store; 0.3 ms with them
    (bench/README.md, eighteenth session).
    """
    db["events"].create_index(["source", "kind", "at"], if_not_exists=True)
    db["crawl_runs"].create_index(["source"], if_not_exists=True)


@migrations()
def m022_copy_of_index(db: sqlite_utils.Database) -> None:
    """Find an article's republished copies by index, and give the search count a narrow index.

    Why: every article page lists the articles that republish it (`where copy_of = ?`,
    datasette/plugins/article_page.py). Without an index that read every article's row: 0.4-2 s
    a page view at 200,000 articles, 0.1 ms with it. The index is also the table's narrowest
    (one integer, NULL for most articles), so the table search's exact count over a broad match
    (storage/search_plan.py) scans it instead of the `last_changed` index: 148 -> 65 ms for a
    160,000-article match (bench/README.md, twenty-fifth session).
    """
    db["articles"].create_index(["copy_of"], if_not_exists=True)


@migrations()
def m023_metrics_and_sort_indexes(db: sqlite_utils.Database) -> None:
    """Answer the metrics scrape and the table sorted by publication date from indexes.

    Why: `/-/metrics` counts articles by source and status on every scrape
    (datasette/plugins/monitoring.py); with only a `source` index that looked up every row,
    1.0 s at 200,000 articles, 70 ms from a covering (source, status) index. Its per-source
    run counters (`source_metrics`) looked up every run's row (each carries its log tail) seven
    times: 0.66 s at 100,000 runs, 63 ms from an index holding every column they read. A researcher's
    click on the `published` column header sorted every article's wide row for one page of 50:
    0.56 s, 1 ms walking this index (SQLite sorts only the ties by id, for either direction).
    Measured on the search bench's store (bench/README.md, twenty-fifth session).
    """
    db["articles"].create_index(["source", "status"], if_not_exists=True)
    db["articles"].create_index(["published"], if_not_exists=True)
    db["crawl_runs"].create_index(["source", "status", "started_at", "finished_at", "pages_fetched",
                                   "bytes_downloaded", "errors"], index_name="idx_crawl_runs_metrics", if_not_exists=True)


@migrations()
def m024_facets_index(db: sqlite_utils.Database) -> None:
    """One index covering the articles table's three facets, in place of (source, status).

    Why: the table view counts its facets (source, status, publisher) in one grouped statement
    (datasette/plugins/facets_together.py) instead of one per facet. Over a search's hits that
    statement scans this index once, testing each entry against the hits: ~110 ms for a
    160,000-article match at 200,000 articles, where the three single-column facets took
    67 + 96 + 119 ms; without a covering index it would read every article's row (0.74 s).
    (source, status) is a prefix of it, so that index of m023 goes: the metrics scrape's
    count by source and status reads this one instead (bench/README.md, twenty-sixth session).
    """
    db["articles"].create_index(["source", "status", "publisher"], if_not_exists=True)
    db.execute("drop index if exists idx_articles_source_status")


@migrations()
def m025_versions_pages_indexes(db: sqlite_utils.Database) -> None:
    """Give the versions pages their newest-first order and their status facet from indexes.

    Why: the `versions` view and the `article_versions` table open sorted by `fetched_at`,
    newest first, with a facet on `http_status` (metadata.yml). Without these indexes SQLite read
    and sorted every version's wide row for a page of 50 (94 ms for the view's page statement at
    220,000 versions, 0.2 ms walking the first index), and read every row again for each facet
    (`http_status`: 111 ms in the view, 51 in the table). The second index covers the view's
    facet (with the `article_id` it joins on) and both of the table's (`http_status`, `encoding`).
    Measured with bench.views_at_scale (bench/README.md, twenty-sixth session).
    """
    db["article_versions"].create_index(["fetched_at"], if_not_exists=True)
    db["article_versions"].create_index(["http_status", "encoding", "article_id"], if_not_exists=True)


@migrations()
def m026_list_dates(db: sqlite_utils.Database) -> None:
    """The date the list page showed beside an article's link, kept like its link text (list_anchor).

    Why: it is the article's date when the page shows none of its own (labels.yaml `published`),
    and a re-check that no list page led to must extract with the same hint, or the article
    would look edited (its `published` gone) each time it is re-checked.
    """
    db["articles"].add_column("list_date", str)
