"""Site state: the articles, their revisions, and the publish/edit/withdraw/restore operations.

Why a separate module: the HTTP layer only reads snapshots, while tests (in-process, via DemoSite)
and other processes (via the /__demo__/ admin endpoints) change the site between crawls.  All
mutation goes through SiteState under one lock, and every change bumps the article's revision and
Last-Modified time, which is what the server's ETag / 304 logic keys on.
"""
from __future__ import annotations

import datetime as _dt
import math
import threading
import time
from collections.abc import Iterable

from .article import SOURCES, Article
from .content import DEFAULT_SEED, PAPER_ISSUE, PAPER_PAGES, Corpus, build_default_articles

PER_PAGE = {"gov": 6, "news": 6, "mirror": 6}


class SiteState:
    """All articles of the four sources, keyed by URL path."""

    def __init__(self, seed: int = DEFAULT_SEED):
        self.lock = threading.RLock()
        self.corpus = Corpus(seed)
        self.articles: dict[str, Article] = {a.path: a for a in build_default_articles(self.corpus)}
        # attachment path → (revision, time replaced): a replaced 附件 under an unchanged page
        self.attachment_revisions: dict[str, tuple[int, float]] = {}
        # when each source's list membership/order last changed (for list-page Last-Modified)
        self.list_changed: dict[str, float] = {
            s: max((a.last_modified for a in self.articles.values() if a.source == s), default=0.0) for s in SOURCES
        }

    # -- queries ---------------------------------------------------------------------------------
    def get(self, path: str) -> Article | None:
        return self.articles.get(path)

    def live(self, source: str) -> list[Article]:
        """Live articles of a source, newest (highest order) first — the list-page order."""
        with self.lock:
            return sorted((a for a in self.articles.values() if a.source == source and a.live),
                          key=lambda a: a.order, reverse=True)

    def list_pages(self, source: str) -> list[list[Article]]:
        """The source's list pages, each a list of articles.  Paper: one page per 版 (1..4)."""
        arts = self.live(source)
        if source == "paper":
            return [[a for a in arts if a.extra.get("page") == p] for p in sorted(PAPER_PAGES)]
        n = PER_PAGE[source]
        pages = [arts[i:i + n] for i in range(0, len(arts), n)]
        return pages or [[]]

    def all_articles(self) -> Iterable[Article]:
        return list(self.articles.values())

    # -- mutation --------------------------------------------------------------------------------
    def _touch(self, art: Article, list_too: bool) -> None:
        # Last-Modified has one-second resolution: make every change strictly later than the last.
        now = float(math.ceil(time.time()))
        art.last_modified = max(now, art.last_modified + 1)
        if list_too:
            self.list_changed[art.source] = max(art.last_modified, self.list_changed[art.source] + 1)

    def _require(self, path: str) -> Article:
        art = self.articles.get(path)
        if art is None:
            raise KeyError(f"no article at {path!r}")
        return art

    def publish(self, source: str, title: str | None = None, paragraphs: list[str] | None = None,
                date: str | None = None, metadata: dict[str, str] | None = None,
                copy_of: str | None = None, page: int = 1) -> Article:
        """Add a new article that appears first on page 1 of its source's list."""
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}; expected one of {SOURCES}")
        with self.lock:
            c = self.corpus
            today = date or _dt.date.today().isoformat()
            if source == "gov":
                art = c.gov_article(today, title, paragraphs, serial=1000 + len(self.articles))
            elif source == "paper":
                art = c.paper_article(page, title, paragraphs, date or PAPER_ISSUE)
            elif source == "news":
                art = c.news_article(today, title, paragraphs)
            else:
                original = self._require(copy_of) if copy_of else None
                art = c.mirror_article(today, title, paragraphs, original=original)
            if copy_of and source != "mirror":
                art.copy_of = copy_of
            if metadata:
                art.metadata.update(metadata)
            art.order = max((a.order for a in self.articles.values() if a.source == source), default=0) + 1
            art.extra["published"] = True
            self.articles[art.path] = art
            self._touch(art, list_too=True)
            return art

    def edit(self, path: str, title: str | None = None, paragraphs: list[str] | None = None,
             append: str | list[str] | None = None, replace: tuple[str, str] | list[str] | None = None,
             date: str | None = None, metadata: dict[str, str] | None = None) -> Article:
        """Change an article's content; bumps revision (new ETag, new Last-Modified).

        With no change given it only bumps the revision: the page is re-rendered (new sidebar,
        counter and validators) with the same content, as a CMS "republish" does.
        """
        with self.lock:
            art = self._require(path)
            if date is not None:
                art.date = date
                for key in ("发文日期", "发布时间", "日期"):
                    if key in art.metadata:
                        art.metadata[key] = date
            if metadata:
                art.metadata.update(metadata)
            if title is not None:
                art.title = title
                if "名称" in art.metadata:
                    art.metadata["名称"] = title
            if paragraphs is not None:
                art.paragraphs = list(paragraphs)
            if append:
                art.paragraphs.extend([append] if isinstance(append, str) else append)
            if replace:
                old, new = replace
                if old not in art.title and not any(old in p for p in art.paragraphs):
                    raise ValueError(f"{old!r} does not occur in {path}")
                art.title = art.title.replace(old, new)
                art.paragraphs = [p.replace(old, new) for p in art.paragraphs]
            art.revision += 1
            self._touch(art, list_too=title is not None or bool(replace))
            return art

    def withdraw(self, path: str, status: int = 404) -> Article:
        """Take an article down: its URL answers 404 (default) or 410 and it leaves the lists.

        301 or 302 withdraws it by redirecting its URL to the source's home page instead,
        as many CMSs do.
        """
        if status not in (404, 410, 301, 302):
            raise ValueError("status must be 404, 410, 301 or 302")
        with self.lock:
            art = self._require(path)
            art.status = status
            art.revision += 1
            self._touch(art, list_too=True)
            return art

    def replace_attachment(self, path: str) -> int:
        """Serve new bytes at an attachment's URL ("附件已更新"); the article page does not change."""
        with self.lock:
            if not any(path in a.extra.get("attachments", []) for a in self.articles.values()):
                raise KeyError(path)
            revision = self.attachment_revisions.get(path, (0, 0.0))[0] + 1
            self.attachment_revisions[path] = (revision, float(math.ceil(time.time())) + revision)
            return revision

    def restore(self, path: str) -> Article:
        """Bring a withdrawn article back (same content, same place in the list)."""
        with self.lock:
            art = self._require(path)
            art.status = 200
            art.revision += 1
            self._touch(art, list_too=True)
            return art
