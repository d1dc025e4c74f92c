"""The one writer of crawl outcomes: every rule of "what a fetch does to the store", once.

Both ways of crawling end here: the Scrapy pipeline (crawler/pipelines.py) batches outcomes
and calls `record_outcome` for each; the distributed store writer (monitor/distributed.py)
decodes each stream entry and calls the same function. The rules used to be copied in both
and drifted (distributed mode skipped the error-page check, and its confirm-checks default
was a literal), so they live here and nowhere else:

- an article page titled like an error ("系统提示") whose text shares almost nothing with the
  article we hold is an error page in the site's template: a suspected withdrawal, never a
  new version;
- a gone article is only suspected until the source's `confirm_withdrawal_checks` checks in a
  row agree (DEFAULT_CONFIRM_CHECKS when the source does not say);
- a charset lie is a line in the run's log, and the article is kept.

The crawler judges what it can from the page alone (the error *title*, the charset lie:
crawler/screening.py) and puts it on the outcome; the judgement that needs the stored text
is made here, where the text is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from storage.articles import current_text, record_gone, record_not_modified, record_page
from storage.attachments import record_attachment_outcome
from storage.defaults import DEFAULT_CONFIRM_CHECKS
from storage.list_pages import FullListFetch, record_list_fetch
from storage.list_profiles import save_learned_profile
from storage.outcomes import (
    ArticleGone,
    ArticleLinksSeen,
    ArticleNotModified,
    AttachmentFetched,
    FetchedArticle,
    FetchFailure,
    ListPageFetched,
    ListProfileLearned,
    Outcome,
    RobotsTxtFetched,
)
from storage.robots_txt import record_robots_txt
from storage.runs import record_fetch_error
from storage.sources import UnknownSource, get_source
from storage.unfetched_links import count_link_failure, forget_link, remember_links
from storage.unicode_fold import nfkc

# A page titled like an error whose text shares less than this with the article we hold is an
# error page in the site's template, not a new version of the article.
ERROR_PAGE_MAX_SHARED = 0.2
_SPACE = re.compile(r"\s+")


def record_outcome(db: sqlite_utils.Database, run_id: int, outcome: Outcome,
                   source: Mapping[str, Any] | None = None) -> str:
    """Write one outcome of run `run_id`; return what it was for the article or page:
    new, changed, unchanged, restored, withdrawn, suspected, unknown, error, list, links,
    profile_saved, profile_pinned, robots_kept or robots_not_kept.

    `source`: the source's config (its `confirm_withdrawal_checks`); None reads it from the
    store. Runs inside the caller's transaction when there is one (a batch), else in its own.
    """
    if isinstance(outcome, FetchedArticle):
        if is_error_page(db, outcome):
            gone = ArticleGone(outcome.url, outcome.source, outcome.http_status, f"error page: {outcome.error_title}")
            return record_outcome(db, run_id, gone, source)
        result = record_page(db, run_id, outcome)
        if result == "new":
            forget_link(db, outcome.url)
        if outcome.charset_note:
            record_fetch_error(db, run_id, outcome.source, outcome.url, outcome.charset_note, outcome.http_status)
        return result
    if isinstance(outcome, ArticleNotModified):
        return record_not_modified(db, run_id, outcome.url)
    if isinstance(outcome, ArticleGone):
        result = record_gone(db, run_id, outcome.url, outcome.http_status, outcome.reason,
                             confirm_checks=confirm_checks(db, outcome.source, source))
        detail = outcome.reason or f"HTTP {outcome.http_status}"
        if result == "suspected":
            record_fetch_error(db, run_id, outcome.source, outcome.url,
                               f"{detail}: withdrawal suspected, reported if the next check sees it too",
                               outcome.http_status)
        elif result == "unknown":  # listed, but gone before we stored it
            record_fetch_error(db, run_id, outcome.source, outcome.url, detail, outcome.http_status)
            count_link_failure(db, outcome.url)
        return result
    if isinstance(outcome, FetchFailure):
        record_fetch_error(db, run_id, outcome.source, outcome.url, outcome.reason, outcome.http_status)
        count_link_failure(db, outcome.url)
        return "error"
    if isinstance(outcome, ArticleLinksSeen):
        remember_links(db, outcome.source, outcome.list_url, outcome.urls)
        return "links"
    if isinstance(outcome, ListPageFetched):
        full = None if outcome.not_modified else FullListFetch(outcome.etag, outcome.last_modified, outcome.shown)
        record_list_fetch(db, outcome.source, outcome.url, outcome.new_links, outcome.next_due, full=full)
        return "list"
    if isinstance(outcome, ListProfileLearned):
        saved = save_learned_profile(db, outcome.source, outcome.url, outcome.profile, relearned=outcome.relearned)
        return "profile_saved" if saved else "profile_pinned"
    if isinstance(outcome, AttachmentFetched):
        return record_attachment_outcome(db, run_id, outcome)
    if isinstance(outcome, RobotsTxtFetched):
        kept = record_robots_txt(db, outcome.origin, outcome.http_status, outcome.body, outcome.fetched_at)
        return "robots_kept" if kept else "robots_not_kept"
    raise TypeError(f"not a crawl outcome: {type(outcome).__name__}")


def is_error_page(db: sqlite_utils.Database, page: FetchedArticle) -> bool:
    """Titled like an error, and sharing almost nothing with the article we hold."""
    if not page.error_title:
        return False
    held = current_text(db, page.url)
    return held is not None and shared_share(page.text or "", held) < ERROR_PAGE_MAX_SHARED


def confirm_checks(db: sqlite_utils.Database, name: str, source: Mapping[str, Any] | None) -> int:
    """The source's `confirm_withdrawal_checks` (from `source`, else from the store)."""
    if source is None:
        try:
            source = get_source(db, name)
        except UnknownSource:
            source = {}
    return int(source.get("confirm_withdrawal_checks") or DEFAULT_CONFIRM_CHECKS)


def shared_share(new: str, old: str) -> float:
    """How much of `new` (its character bigrams, whitespace ignored) also occurs in `old`: 0–1.

    Bigrams, not words: Chinese has no spaces, and two pages of one site's template share
    their navigation but not their body's character pairs.
    """
    grams = _bigrams(new)
    return len(grams & _bigrams(old)) / len(grams) if grams else 0.0


def _bigrams(text: str) -> set[str]:
    text = _SPACE.sub("", nfkc(text))
    return {text[i:i + 2] for i in range(len(text) - 1)}
