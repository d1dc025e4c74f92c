"""What reading a list page produces: plain dataclasses, the contract with the spider and storage.

Kept apart from the algorithm so the integration can import the types without caring how they are
filled, and so a stored ``ListProfile`` (JSON) round-trips without touching lxml.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class ListLink:
    """One link a list page shows."""

    url: str            # absolute http(s)
    anchor: str         # visible anchor text, whitespace-normalised; "" if none
    date: str | None    # ISO YYYY-MM-DD shown in the same record, if any


@dataclass
class Pagination:
    """The column's other list pages, in page order: URLs to GET, and Hanweb jpage groups named
    ``url#post:form`` (jpage.split_post_page), which are POSTed.

    From a later page this includes the earlier ones (首页, 上一页): a crawl may start on any page of the
    column, and the crawler deduplicates the pages it has read."""

    urls: list[str] = field(default_factory=list)
    kind: str | None = None          # "links", "createPageHTML", "query", "jhtml", "jpage", ... for the run log
    unsupported: str | None = None   # why a pager seen on the page cannot be followed; None if none seen
    # ASP.NET WebForms: the next page's control, (__EVENTTARGET, __EVENTARGUMENT), to post with the page's
    # own form (its __VIEWSTATE is the page's: each page leads to the next only, so it is not a URL above)
    postback: tuple[str, str] | None = None


@dataclass
class ListProfile:
    """What a crawl learns about a source's list page and remembers (stored as JSON by the integration)."""

    region: str        # XPath selecting the main list's record elements
    url_shape: str     # anchored, backtracking-safe regex the records' URL paths (and queries) share
    records: int       # how many records it had when learned

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ListProfile:
        """Rebuild from stored JSON; a missing field raises ValueError, a mistyped one TypeError."""
        try:
            region, shape, records = data["region"], data["url_shape"], data["records"]
        except (KeyError, TypeError) as exc:
            raise ValueError(f"list profile: missing field {exc}") from exc
        if not isinstance(region, str) or not isinstance(shape, str) or not isinstance(records, int):
            raise TypeError("list profile: region and url_shape must be strings, records an integer")
        return cls(region=region, url_shape=shape, records=records)


@dataclass
class ListReading:
    """Everything read from one list page."""

    main_links: list[ListLink]     # the main list's records, page order, deduplicated by URL
    # main_links + other same-shape links on the page (the crawler fetches these). A record of neither the
    # list's shape nor its file-name family (a column or topic page pinned into the list, possibly on another
    # site) stays in main_links only: it is a row of the list, not an article.
    article_links: list[ListLink]
    pagination: Pagination
    profile: ListProfile | None    # learned (or the one given, when it still fits); None when no list found
    relearned: bool                # a profile was given, found nothing, and a new one was learned
    region_summary: str            # one line for `govwatch sources try`
    # Same-site script files worth fetching and reading the page again with (read_list_page's *scripts*):
    # several of its links call a function the page's inline scripts do not define. Empty when given them.
    scripts_wanted: list[str] = field(default_factory=list)
    # When no list was found: the page's frames (``<iframe src>``, ``<frame src>``), where a portal's
    # column page often keeps the list itself; the crawl says so, and an operator can start there.
    frames: list[str] = field(default_factory=list)
