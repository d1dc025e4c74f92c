"""What the spider yields: one item per article fetch outcome.

Only `ArticlePage` carries a body; the extraction pipeline fills its content fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticlePage:
    """A 200 response for an article URL, before and after extraction."""

    url: str
    source: str
    body: bytes
    http_status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    fetched_at: str | None = None
    extracted: dict[str, Any] | None = None
    # storage.articles.PreparedContent, when the extraction worker computed it
    prepared: Any = None
    # The charset the response claimed (header or <meta>), screened for lies with the body.
    declared_charset: str | None = None
    # The URL the spider asked for, when redirects led here: failures are kept against it.
    asked_url: str | None = None
    # Set by the extraction pipeline's screening (crawler/screening.py):
    # the page's <title> or <h1> when it reads like an error ("系统提示", "404"): stored only if
    # its text still shares enough with the article we hold (see StoragePipeline);
    error_title: str | None = None
    # "charset lie: declared utf-8, decoded as gb18030 (article kept)", for the run log.
    charset_note: str | None = None
    # The list page's link text for this article: extraction prefers the headline matching it
    # when <title>/<h1> is the site's name, and the store keeps it (articles.list_anchor).
    list_anchor: str | None = None


@dataclass
class ArticleNotModified:
    """A 304 answer to our conditional GET: the article is still there, unchanged."""

    url: str
    source: str


@dataclass
class ArticleGone:
    """A 404/410 for an article URL, or a redirect away from it: withdrawn, if we held it."""

    url: str
    source: str
    http_status: int
    reason: str | None = None  # e.g. "redirects to http://…/index.html"


@dataclass
class ListPageFetched:
    """A list page was read: how many new article links it showed, and when it is next due."""

    url: str
    source: str
    new_links: int
    next_due: str | None = None


@dataclass
class FetchFailure:
    """A request that failed for good (after retries): kept in the run log with its reason."""

    url: str
    source: str
    reason: str
    http_status: int | None = None


@dataclass
class ListProfileLearned:
    """What the list detector learned about a start page (crawler/listing), for later crawls.

    `relearned`: the stored profile found nothing on the page and was learned again (the
    site's template changed); the run says so.
    """

    url: str  # the start URL the profile belongs to
    source: str
    profile: dict[str, Any]
    relearned: bool = False
