"""What one subscription's digest says for one period, before any format is chosen.

From the period's events: new articles, edited articles (one item per article, with what
each edit changed), withdrawn and restored articles. Republished copies (articles with
`copy_of`) are never stories of their own: they are folded under their original — under the
original's "new" item when it is new in the same period, else under a "republished" item
for the original. An article published and edited in the same period is listed under both
New and Edited (the quiet edit right after publication is what staff most want to see), and
a new article withdrawn in the period carries that mark on its New line too. Withdrawals
come first: they are the rarest and the most urgent. Every section is grouped by source and
newest first; keyword and source filters apply to every item (a copy counts for a
subscription that follows either its own source or its original's).

Links go to the article page, `/-/article/ID` (`#version-N` for an edit), at the root of the
Datasette site whose database page is `datasette_url` — the one page every link opens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlite_utils

from monitor.digest.excerpts import Segment, change_excerpt, change_segments, lead, withdrawal_reason
from monitor.digest.health import HealthNote, source_health
from monitor.digest.keywords import keep
from monitor.digest.period import DigestPeriod, parse_stored
from monitor.digest.subscriptions import DigestSettings, Subscription
from storage.digest_queries import articles_by_id, events_between
from storage.links import safe_href

SECTIONS = {  # kind → heading, in the order they are shown (withdrawals first: rare and urgent)
    "withdrawn": "已撤下 Withdrawn",
    "changed": "有修改 Edited",
    "new": "新发布 New",
    "restored": "已恢复 Restored",
    "republished": "被转载 Republished",
}
# The counters at the top, the subject line and the CLI's summary all read `Digest.counts`
# through these, so they cannot disagree: (count key, short label, label).
COUNTERS = (
    ("withdrawn", "撤", "已撤下 Withdrawn"),
    ("changed", "改", "有修改 Edited"),
    ("new", "新", "新发布 New"),
    ("restored", "复", "已恢复 Restored"),
    ("copies", "转载", "被转载 Republished"),
    ("health", "异常源", "异常源 Source problems"),
)


@dataclass
class Change:
    version_id: int | None
    version: int | None
    at: datetime
    excerpt: str | None
    link: str | None
    segments: list[Segment] = field(default_factory=list)
    attachment: str | None = None  # a replaced attachment's name: the change is the file's, not the page's

    @property
    def label(self) -> str:
        """What changed, as the digest heads it: "第 2 版", or "附件「附件1.pdf」第 2 版"."""
        return f"附件「{self.attachment}」第 {self.version} 版" if self.attachment else f"第 {self.version} 版"


@dataclass
class Copy:
    article_id: int
    source: str
    source_title: str
    title: str
    url: str
    at: datetime
    link: str


@dataclass
class Item:
    """One article's line in a section."""

    kind: str
    event_id: int
    article_id: int
    at: datetime
    source: str
    source_title: str
    title: str
    url: str
    published: str | None
    lead: str
    link: str  # its article page, /-/article/ID
    text: str = ""
    version_id: int | None = None
    version_link: str | None = None  # withdrawn: our last copy
    detail: str | None = None  # as stored (technical)
    reason: str = ""  # withdrawn: the detail in words
    also_new: bool = False  # an edit of an article first seen in this period
    withdrawn_at: datetime | None = None  # a new article that was withdrawn in this period
    changes: list[Change] = field(default_factory=list)
    copies: list[Copy] = field(default_factory=list)
    entry_id: str = ""  # Atom tag: URI, stable across renderings
    attachments: list[str] = field(default_factory=list)  # the names of its 附件, for a new article


@dataclass
class SourceGroup:
    source: str
    source_title: str
    items: list[Item]


@dataclass
class Section:
    kind: str
    heading: str
    groups: list[SourceGroup]

    @property
    def count(self) -> int:
        return sum(len(g.items) for g in self.groups)


@dataclass
class Digest:
    subscription: Subscription
    period: DigestPeriod
    generated_at: datetime
    sections: list[Section]
    health: list[HealthNote]
    datasette_url: str
    feed_id: str
    tag_authority: str
    digest_url: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Items per section, republished copies and source problems: what every summary shows."""
        counts = {s.kind: s.count for s in self.sections}
        counts["copies"] = len({c.article_id for s in self.sections for g in s.groups for i in g.items
                                for c in i.copies})
        counts["health"] = len(self.health)
        return counts

    @property
    def counters(self) -> list[tuple[str, str, int]]:
        """(key, label, count) in display order, for the counters row."""
        counts = self.counts
        return [(key, label, counts[key]) for key, _, label in COUNTERS]

    @property
    def is_empty(self) -> bool:
        return not any(s.count for s in self.sections)

    @property
    def title(self) -> str:
        name = self.subscription.title or self.subscription.name
        return f"govwatch {self.period.label} {name}"

    @property
    def subject(self) -> str:
        """The mail subject and chat title: date and counts."""
        counts = self.counts
        shown = [(short, counts[key]) for key, short, _ in COUNTERS
                 if counts[key] or key in ("new", "changed", "withdrawn")]
        return f"{self.title}: " + " · ".join(f"{short} {n}" for short, n in shown)

    @property
    def site_url(self) -> str:
        """The Datasette site (article pages, the operator page)."""
        return site_root(self.datasette_url)

    @property
    def link(self) -> str:
        """Where the whole digest can be read: the published file when `digest_url` is set,
        else the period's events in Datasette."""
        if self.digest_url:
            return f"{self.digest_url}/{self.subscription.name}/{self.period.slug}.html"
        return (f"{self.datasette_url}/events?_sort_desc=at&at__gte={self.period.start_iso}"
                f"&at__lt={self.period.end_iso}").replace("+", "%2B")

    @property
    def updated(self) -> datetime:
        """The newest event in the digest, else the end of its period (a stable Atom `updated`)."""
        times = [i.at for s in self.sections for g in s.groups for i in g.items]
        return max(times) if times else self.period.end


def build_digest(
    db: sqlite_utils.Database, period: DigestPeriod, subscription: Subscription, settings: DigestSettings
) -> Digest:
    links = _Links(settings)
    events = events_between(db, period.start_iso, period.end_iso)
    originals = articles_by_id(db, (e["copy_of"] for e in events if e["copy_of"]))
    items: dict[str, dict[int, Item]] = {kind: {} for kind in SECTIONS}
    new_ids = {e["article_id"] for e in events if e["kind"] == "new" and not e["copy_of"]}

    for event in reversed(events):  # oldest first, so the latest edit wins
        if event["copy_of"]:
            continue
        kind = event["kind"]
        if kind not in ("new", "changed", "withdrawn", "restored"):
            continue
        item = items[kind].get(event["article_id"])
        if item is None:
            item = items[kind][event["article_id"]] = _item(kind, event, links)
            item.also_new = kind == "changed" and event["article_id"] in new_ids
        item.at, item.event_id, item.entry_id = _at(event), event["event_id"], links.entry_id(event)
        if kind == "changed" and event.get("attachment_version_id"):
            item.changes.append(attachment_change(event, links.article(event["article_id"])))
        elif kind == "changed":
            item.changes.append(Change(event["version_id"], event["version"], _at(event),
                                       change_excerpt(event["diff"], event["diff_summary"]),
                                       links.version(event["article_id"], event["version"]),
                                       change_segments(event["diff"])))
    for article_id, withdrawn in items["withdrawn"].items():
        if article_id in items["new"]:
            items["new"][article_id].withdrawn_at = withdrawn.at
    for article_id, changed in items["changed"].items():
        if article_id in items["new"]:  # the New line says it was edited too, and links to the edit
            items["new"][article_id].changes = changed.changes

    seen_copies: set[int] = set()
    for event in events:
        original = originals.get(event["copy_of"] or -1)
        if original is None or event["article_id"] in seen_copies or event["kind"] not in ("new", "republished"):
            continue
        seen_copies.add(event["article_id"])
        copy = Copy(event["article_id"], event["source"], event["source_title"], event["title"] or event["url"],
                    safe_href(event["url"]), _at(event), links.article(event["article_id"]))
        if not (subscription.follows(copy.source) or subscription.follows(original["source"])):
            continue
        host = items["new"].get(original["article_id"])
        if host is None:
            host = items["republished"].get(original["article_id"])
        if host is None:
            host = items["republished"][original["article_id"]] = _item(
                "republished", {**original, "kind": "republished", "event_id": event["event_id"], "at": event["at"],
                                "version_id": original["current_version_id"], "detail": None}, links)
        host.copies.append(copy)
        if host.kind == "republished" and copy.at > host.at:
            host.at, host.event_id, host.entry_id = copy.at, event["event_id"], links.entry_id(event)

    sections = []
    for kind, heading in SECTIONS.items():
        chosen = [i for i in items[kind].values() if _wanted(i, subscription)]
        sections.append(Section(kind, heading, _grouped(chosen)))
    follows = subscription.follows
    return Digest(subscription, period, datetime.now(UTC), sections, source_health(db, period, follows),
                  settings.datasette_url, links.feed_id(subscription.name), settings.tag_authority,
                  settings.digest_url)


def _wanted(item: Item, subscription: Subscription) -> bool:
    followed = (subscription.follows(item.source) or item.kind == "republished"
                or any(subscription.follows(c.source) for c in item.copies))
    keywords = subscription.keywords
    return followed and keep(f"{item.title}\n{item.text}", keywords.include, keywords.exclude)


def _grouped(items: list[Item]) -> list[SourceGroup]:
    groups: dict[str, SourceGroup] = {}
    for item in sorted(items, key=lambda i: (i.at, i.event_id), reverse=True):
        groups.setdefault(item.source, SourceGroup(item.source, item.source_title, [])).items.append(item)
    for group in groups.values():
        for item in group.items:
            item.copies.sort(key=lambda c: c.at, reverse=True)
    return list(groups.values())  # in order of each source's newest item


def site_root(datasette_url: str) -> str:
    """The Datasette site of a database URL: `http://host/prefix/govwatch` → `http://host/prefix`.

    A Datasette database page is always `<site>/<database>`, so dropping the last path
    segment finds the site (and its `base_url` prefix, if any) whatever the file is called.
    """
    scheme_host, _, path = datasette_url.partition("://")
    host, _, rest = path.partition("/")
    parent = rest.rstrip("/").rpartition("/")[0]
    return f"{scheme_host}://{host}" + (f"/{parent}" if parent else "")


def _item(kind: str, row: dict, links: _Links) -> Item:
    version_id = row.get("version_id")
    return Item(
        kind=kind, event_id=row["event_id"], article_id=row["article_id"], at=_at(row), source=row["source"],
        source_title=row["source_title"], title=row["title"] or row["url"], url=safe_href(row["url"]),
        published=row.get("published"), lead=lead(row.get("text")), link=links.article(row["article_id"]),
        text=row.get("text") or "", version_id=version_id,
        version_link=links.version(row["article_id"], row.get("version")) if version_id else None,
        detail=row.get("detail"), reason=withdrawal_reason(row.get("detail")) if kind == "withdrawn" else "",
        entry_id=links.entry_id(row),
        attachments=attachment_names(row.get("attachments")) if kind == "new" else [],
    )


def attachment_names(stored: str | None, limit: int = 10) -> list[str]:
    """The names of an article's attachments (articles.attachments JSON), for the digest."""
    try:
        links = json.loads(stored or "[]")
    except ValueError:
        return []
    names = [str(a.get("name") or a.get("url") or "").strip() for a in links if isinstance(a, dict)]
    return [n for n in names if n][:limit]


def attachment_change(event: dict, article_link: str) -> Change:
    """A replaced attachment ("附件已更新") as a change: its text diffed against its previous version."""
    from monitor.diffs import text_diff

    name = event.get("attachment_name") or "附件"
    diff = json.dumps({"text": text_diff(event.get("attachment_previous_text"), event.get("attachment_text"))["diff"]},
                      ensure_ascii=False)
    segments = change_segments(diff)
    excerpt = f"附件已更新：{name}" + ("" if segments else "（文件已更换，无可比较的文字）")
    return Change(None, event.get("attachment_version"), _at(event), excerpt, article_link + "#attachments",
                  segments, attachment=name)


def _at(row: dict) -> datetime:
    return parse_stored(row["at"])


class _Links:
    """Article pages and Atom ids, from the configured Datasette URL and tag authority."""

    def __init__(self, settings: DigestSettings) -> None:
        self.site = site_root(settings.datasette_url)
        self.authority = settings.tag_authority

    def article(self, article_id: int) -> str:
        return f"{self.site}/-/article/{article_id}"

    def version(self, article_id: int, version: int | None) -> str:
        """The version's place on its article page (the diff against the one before)."""
        return self.article(article_id) + (f"#version-{version}" if version else "#versions")

    def entry_id(self, event: dict) -> str:
        """tag:AUTHORITY,DAY-OF-THE-EVENT:event/ID — event ids never change, so neither do entry ids."""
        return f"tag:{self.authority},{_at(event):%Y-%m-%d}:govwatch/event/{event['event_id']}"

    def feed_id(self, subscription: str) -> str:
        return f"tag:{self.authority},2024:govwatch/digest/{subscription}"
