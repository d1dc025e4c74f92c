"""What the spider yields that is not yet a crawl outcome: an article page before extraction.

The extraction pipeline turns an `ArticlePage` into one of the store's outcomes
(storage/outcomes.py: a FetchedArticle, the article gone, or a failure). Every other item
the spider yields is already one of those outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.outcomes import FetchedPage


@dataclass
class ArticlePage(FetchedPage):
    """A 200 response for an article URL, before extraction (the response as FetchedPage keeps it)."""

    # The charset the response claimed (header or <meta>), screened for lies with the body.
    declared_charset: str | None = None
    # The URL the spider asked for, when redirects led here: failures are kept against it.
    asked_url: str | None = None
    # The list page's link text for this article: extraction prefers the headline matching it
    # when <title>/<h1> is the site's name, and the store keeps it (articles.list_anchor).
    list_anchor: str | None = None
    # The date the list page showed beside that link (ISO): the article's date when the page shows
    # none of its own (labels.yaml `published`), kept with the article for its re-checks.
    list_date: str | None = None
