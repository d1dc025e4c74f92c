"""What the spider yields: one item per fetch.

`ArticlePage` is a 200 for an article before extraction; the extraction pipeline turns it
into one of the store's outcomes (storage/outcomes.py: a FetchedArticle, or the article gone,
or a failure). Every other item the spider yields is already one of those outcomes: they are
the store's own records, re-exported here for the spider's code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.outcomes import (  # noqa: F401 - re-exported: the spider's items are the store's outcomes
    ArticleGone,
    ArticleNotModified,
    FetchedArticle,
    FetchFailure,
    ListPageFetched,
    ListProfileLearned,
)


@dataclass
class ArticlePage:
    """A 200 response for an article URL, before extraction."""

    url: str
    source: str
    body: bytes
    http_status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    fetched_at: str | None = None
    # The charset the response claimed (header or <meta>), screened for lies with the body.
    declared_charset: str | None = None
    # The URL the spider asked for, when redirects led here: failures are kept against it.
    asked_url: str | None = None
    # The list page's link text for this article: extraction prefers the headline matching it
    # when <title>/<h1> is the site's name, and the store keeps it (articles.list_anchor).
    list_anchor: str | None = None
