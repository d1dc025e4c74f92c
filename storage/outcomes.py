"""The crawl's outcomes: what one fetch did, as plain records the store writes.

One vocabulary for every way of crawling: the Scrapy pipeline (crawler/pipelines.py) and
the distributed store writer (monitor/distributed.py) both hand these to
storage.outcome_writer.record_outcome, and the Redis stream carries them with
`encode_outcome` / `decode_outcome`. Field names are the store's column names
(`published`, `origin`), so nothing renames them on the way in. No Scrapy here: a worker
process, a test or a bench builds them as it likes.

- FetchedArticle       a 200 for an article, extracted (a new version, unchanged, or an error
                       page in the site's template: see `error_title`)
- ArticleNotModified   a 304 to our conditional GET
- ArticleGone          a 404/410, a soft 404, a redirect away: a suspected withdrawal
- FetchFailure         a request that failed for good, with its reason
- ListPageFetched      a list page visited, and how many new links it showed
- ArticleLinksSeen     the article links it showed that the store does not hold (owed until stored)
- ListProfileLearned   what the list detector learned about a start page
- AttachmentFetched    an attachment of a stored article, fetched and read (or why not)
- RobotsTxtFetched     a host's robots.txt as fetched, for later crawls to reuse
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

from storage.prepared import PreparedContent, prepare_content


@dataclass
class FetchedPage:
    """A response for an article URL as received: what every page record starts with (the
    crawler's page before extraction, crawler.items.ArticlePage, adds what screening needs)."""

    url: str
    source: str
    body: bytes
    http_status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    fetched_at: str | None = None


@dataclass
class FetchedArticle(FetchedPage):
    """One article page as fetched and extracted, under the store's column names."""

    kind: ClassVar[str] = "page"

    canonical_url: str | None = None
    title: str | None = None
    text: str = ""
    published: str | None = None
    author: str | None = None
    origin: str | None = None           # 来源: where the article says it comes from
    publisher: str | None = None        # 发文机关
    doc_no: str | None = None           # 文号
    index_no: str | None = None         # 索引号
    metadata: dict[str, Any] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    body_method: str | None = None      # which extraction produced `text` (tuned, trafilatura-recall, …)
    confidence: float | None = None     # the extractor's confidence in `text`, [0, 1]
    low_confidence: bool = False        # the extractor flagged it: its template may no longer fit the page
    # The CPU-only part of storing this page, when a crawl's extraction worker already did it.
    prepared: PreparedContent | None = None
    # The link text of the list page that led here (None for a re-check no list showed).
    list_anchor: str | None = None
    # The date that list page showed beside the link (ISO; None as for list_anchor).
    list_date: str | None = None
    # The page's <title>/<h1> when it reads like an error ("系统提示"): the store decides, against
    # the text it holds, whether this is an error page in the site's template (a suspected
    # withdrawal) or the article (record_outcome).
    error_title: str | None = None
    # "charset lie: declared utf-8, decoded as gb18030 (article kept)": a line in the run log.
    charset_note: str | None = None

    def fingerprint(self) -> str:
        return self.prepare().content_hash

    def prepare(self) -> PreparedContent:
        if self.prepared is None:
            self.prepared = prepare_content(content_of(self), self.body)
        return self.prepared


# The extracted content of an article: what the extractor fills (crawler/extraction_pool.py).
CONTENT_FIELDS = ("title", "text", "published", "author", "origin", "publisher", "doc_no", "index_no", "metadata",
                  "attachments", "body_method", "confidence", "low_confidence")


def content_of(article: FetchedArticle) -> dict[str, Any]:
    """The article's CONTENT_FIELDS as a dict."""
    return {name: getattr(article, name) for name in CONTENT_FIELDS}


@dataclass
class ArticleNotModified:
    """A 304 answer to our conditional GET: the article is still there, unchanged."""

    kind: ClassVar[str] = "not_modified"

    url: str
    source: str


@dataclass
class ArticleGone:
    """A 404/410, a soft 404 or a redirect away from an article: withdrawn, if we held it, once
    the source's confirm_withdrawal_checks sightings agree (suspected until then)."""

    kind: ClassVar[str] = "gone"

    url: str
    source: str
    http_status: int
    reason: str | None = None  # e.g. "redirects to http://…/index.html"


@dataclass
class FetchFailure:
    """A request that failed for good (after retries): kept in the run log with its reason."""

    kind: ClassVar[str] = "error"

    url: str
    source: str
    reason: str
    http_status: int | None = None


@dataclass
class ListPageFetched:
    """A list page was read: how many new article links it showed, and when it is next due.

    A full fetch (200) also carries the page's validators and what it showed (`shown`: its
    in-scope article links as [url, anchor] and the list pages it leads to), so that the next
    visit can ask conditionally and, on a 304, follow the same links without the page. A 304
    visit (`not_modified`) keeps what is stored.
    """

    kind: ClassVar[str] = "list_page"

    url: str
    source: str
    new_links: int
    next_due: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    shown: dict[str, Any] | None = None
    not_modified: bool = False


@dataclass
class ArticleLinksSeen:
    """Article links a list page showed that the store does not hold: noted at once, so a
    crawl that fails or is killed before fetching them leaves them owed (storage/unfetched_links.py)."""

    kind: ClassVar[str] = "links_seen"

    list_url: str
    source: str
    urls: list[str]


@dataclass
class ListProfileLearned:
    """What the list detector learned about a start page (crawler/listing), for later crawls.

    `relearned`: the stored profile found nothing on the page and was learned again (the
    site's template changed); the run says so.
    """

    kind: ClassVar[str] = "list_profile"

    url: str  # the start URL the profile belongs to
    source: str
    profile: dict[str, Any]
    relearned: bool = False


@dataclass
class AttachmentFetched:
    """One attachment of a stored article, fetched and read, or why not (issue 23): written by
    storage.attachments.record_attachment_outcome. `status`: read, scanned, empty, unreadable,
    too_large, fetch_failed, or not_modified (a 304 to the conditional GET, or a 200 whose bytes
    have the SHA-256 of the file already read); `body`: the file zstd-compressed
    (storage.raw_bodies.compress_plain), empty when there is none."""

    kind: ClassVar[str] = "attachment"

    article_url: str
    source: str
    url: str
    name: str | None = None
    type: str | None = None             # the link's extension
    status: str = "read"
    file_kind: str | None = None        # the format the bytes are (crawler/attachments/sniff.py)
    size: int | None = None
    sha256: str | None = None
    text: str | None = None
    reason: str | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str | None = None
    body: bytes = b""


@dataclass
class RobotsTxtFetched:
    """An origin's robots.txt as fetched (storage/robots_txt.py: kept for later crawls while
    young enough; an answer that must not be reused, a 5xx, is not written)."""

    kind: ClassVar[str] = "robots_txt"

    origin: str                         # scheme://host[:port]
    source: str                         # the crawl that fetched it
    http_status: int
    fetched_at: str | None = None
    body: bytes = b""


Outcome = (FetchedArticle | ArticleNotModified | ArticleGone | FetchFailure | ListPageFetched | ArticleLinksSeen
           | ListProfileLearned | AttachmentFetched | RobotsTxtFetched)
OUTCOME_TYPES: tuple[type, ...] = (FetchedArticle, ArticleNotModified, ArticleGone, FetchFailure, ListPageFetched,
                                   ArticleLinksSeen, ListProfileLearned, AttachmentFetched, RobotsTxtFetched)
# The outcomes whose `body` travels as raw bytes beside their JSON on the stream.
WITH_BODY: tuple[type, ...] = (FetchedArticle, AttachmentFetched, RobotsTxtFetched)
BY_KIND: dict[str, type] = {t.kind: t for t in OUTCOME_TYPES}  # type: ignore[attr-defined]


def encode_outcome(outcome: Outcome) -> tuple[str, str, bytes]:
    """(kind, JSON of its fields, body): an outcome as the Redis stream carries it. A page's
    body travels as raw bytes beside the JSON; its prepared content is not sent (bytes and
    tokens: the store writer computes them again)."""
    if not isinstance(outcome, OUTCOME_TYPES):
        raise TypeError(f"not a crawl outcome: {type(outcome).__name__}")
    record = asdict(outcome)
    body = b""
    if isinstance(outcome, WITH_BODY):
        body = record.pop("body")
        record.pop("prepared", None)
    return outcome.kind, json.dumps(record, ensure_ascii=False), body


def decode_outcome(kind: str, data: str | bytes | dict[str, Any], body: bytes = b"") -> Outcome:
    """The outcome `encode_outcome` made. Fields this version does not know are dropped (an
    entry written by a newer worker); a kind it does not know is a ValueError."""
    cls = BY_KIND.get(kind)
    if cls is None:
        raise ValueError(f"unknown stream entry kind {kind!r}")
    record = json.loads(data) if isinstance(data, str | bytes) else dict(data)
    known = {f.name for f in fields(cls)}
    values = {k: v for k, v in record.items() if k in known}
    if cls in WITH_BODY:
        values["body"] = body
    return cls(**values)
