"""Digest formats: each a `Renderer` kind over one jinja2 template in `templates/`.

HTML is for mail clients (inline styles only: no scripts, no external CSS, which most
clients strip anyway); Markdown is the mail's plain alternative and the chat body; Atom
(RFC 4287) is for feed readers, one entry per item with a stable tag: URI.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import ClassVar
from zoneinfo import ZoneInfo

import jinja2

from monitor.digest.contents import Change, Digest, Item
from monitor.digest.registry import Registered

NO_EXCERPT = "内容有修改（差异尚未计算）"


class Renderer(Registered):
    """Turns a `Digest` into one document of a format."""

    __kinds__: ClassVar[dict[str, type[Renderer]]] = {}
    template: ClassVar[str]
    extension: ClassVar[str]
    media_type: ClassVar[str]

    def render(self, digest: Digest) -> str:
        return environment().get_template(self.template).render(digest=digest)


class HtmlRenderer(Renderer):
    """HTML mail: inline styles, tables for layout, no scripts."""

    __kind__ = "html"
    template, extension, media_type = "digest.html.j2", "html", "text/html"


class MarkdownRenderer(Renderer):
    """Markdown: the mail's text part and the chat message."""

    __kind__ = "markdown"
    template, extension, media_type = "digest.md.j2", "md", "text/markdown"


class AtomRenderer(Renderer):
    """An Atom 1.0 feed (RFC 4287): one entry per item, plus one for source health."""

    __kind__ = "atom"
    template, extension, media_type = "digest.atom.j2", "atom", "application/atom+xml"


def render(kind: str, digest: Digest) -> str:
    return Renderer.__kinds__[kind]().render(digest)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("monitor.digest", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "atom.j2"), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(local=_local, rfc3339=_rfc3339, md=markdown_text, mdurl=markdown_url, summary=_summary,
                       marked=_markdown_change)
    return env


def _local(moment: datetime, digest: Digest, fmt: str = "%m-%d %H:%M") -> str:
    """A time as the reader's clock shows it."""
    return moment.astimezone(ZoneInfo(digest.period.tz)).strftime(fmt)


def _summary(item: Item) -> str:
    """An item as plain text lines (the Atom summary): source and date, what happened, the lead, copies."""
    lines = [item.source_title + (f" · 发布 {item.published}" if item.published else "")]
    if item.kind == "changed":
        lines += [f"{c.label}: {_plain_change(c)}" for c in item.changes]
    else:
        if item.kind == "withdrawn":
            lines.append(item.reason)
        lines += item.lead.splitlines()
    lines += [f"被 {c.source_title} 转载: {c.title} {c.url}" for c in item.copies]
    return "\n".join(lines)


def _plain_change(change: Change) -> str:
    """An edit in plain text: 【删】 and 【增】 around the runs (Atom summaries carry no markup)."""
    if not change.segments:
        return change.excerpt or NO_EXCERPT
    marks = {"insert": "【增：{}】", "delete": "【删：{}】", "gap": " ", "equal": "{}"}
    return "".join(marks.get(s.op, "{}").format(s.text) for s in change.segments)


def _markdown_change(change: Change) -> str:
    """An edit in Markdown: deletions struck through, insertions in bold."""
    if not change.segments:
        return markdown_text(change.excerpt or NO_EXCERPT)
    out = []
    for segment in change.segments:
        text = markdown_text(segment.text).strip() if segment.op in ("insert", "delete") else markdown_text(segment.text)
        if segment.op == "insert" and text:
            out.append(f"**{text}**")
        elif segment.op == "delete" and text:
            out.append(f"~~{text}~~")
        elif segment.op == "gap":
            out.append(" ")
        else:
            out.append(text)
    return "".join(out)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def markdown_text(text: str | None) -> str:
    """Escape what Markdown would read as markup in titles and leads."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in (text or ""))


def markdown_url(url: str | None) -> str:
    return (url or "").replace(" ", "%20").replace("(", "%28").replace(")", "%29")
