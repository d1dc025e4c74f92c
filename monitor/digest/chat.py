"""The chat message: a short summary of a digest that fits its channel, with a link to the whole.

A day's full Markdown digest runs to tens of KB; chat bots cap a message far below that, and
a capped message is refused or cut mid-line. So a chat gets the counters, the first items
of each section (withdrawals first) while they fit, a "还有 N 条" line for the rest and always
the link to the full digest. Each channel's cap is measured the way that channel measures it:

- WeCom (企业微信) group bot: the `markdown` type allows 4,096 bytes of UTF-8, but Apprise 2.2
  posts `msgtype: text`, whose `content` is at most 2,048 bytes (developer.work.weixin.qq.com,
  群机器人配置说明): so 2,048 bytes of plain text.
- DingTalk (钉钉) custom bot: 20,000 bytes; the markdown text renders reliably only to
  about 5,000 characters, so both are held.
- Feishu/Lark (飞书) custom bot: the whole request body at most 30 KB; Apprise sends JSON
  with non-ASCII escaped (`\\uXXXX`, six bytes a character), so the JSON-encoded size is counted;
  Apprise posts `msg_type: text`, so the message is plain text.
- Any other Apprise channel: 4,096 bytes of Markdown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from monitor.digest.contents import Digest, Item
from monitor.digest.renderers import markdown_text as md
from monitor.digest.renderers import markdown_url as mdurl


@dataclass(frozen=True)
class ChatLimit:
    """A channel's cap: `fits(text)` says whether a message body is within it."""

    name: str
    max_bytes: int
    max_chars: int | None = None
    json_body: bool = False  # counted as the JSON string Apprise posts (non-ASCII escaped)
    markdown: bool = True  # False: the service shows text as typed, so links are bare URLs

    def size(self, text: str) -> int:
        return len(json.dumps(text)) if self.json_body else len(text.encode("utf-8"))

    def fits(self, text: str) -> bool:
        return self.size(text) <= self.max_bytes and (self.max_chars is None or len(text) <= self.max_chars)


# The request body around the text (msg_type, content keys, a signature) is well under 1 KB.
LIMITS = {
    "wecombot": ChatLimit("WeCom bot text", 2048, markdown=False),
    "dingtalk": ChatLimit("DingTalk markdown", 20_000, max_chars=5000),
    "feishu": ChatLimit("Feishu bot request body", 30_000 - 1024, json_body=True, markdown=False),
    "lark": ChatLimit("Lark bot request body", 30_000 - 1024, json_body=True, markdown=False),
}
DEFAULT_LIMIT = ChatLimit("chat message", 4096)


def limit_for(channel: str) -> ChatLimit:
    """The cap of an Apprise channel URL, by its scheme."""
    return LIMITS.get(channel.split("://", 1)[0].lower(), DEFAULT_LIMIT)


def chat_message(digest: Digest, limit: ChatLimit = DEFAULT_LIMIT) -> str:
    """The digest as one chat message within `limit`: title, counters, first items, the link."""
    fmt = _Format(limit.markdown)
    counters = " · ".join(f"{label.split()[0]} {fmt.bold(str(count))}" for _, label, count in digest.counters)
    head = [fmt.heading(digest.title), f"北京时间 {digest.period.label}", counters]
    tail = [fmt.link("阅读完整摘要 Full digest", digest.link)]
    lines: list[str] = []
    for section in digest.sections:
        items = [item for group in section.groups for item in group.items]
        if not items:
            continue
        shown = _fill(lines, head, tail, limit, f"{fmt.bold(section.heading.split()[0])} {len(items)}",
                      [_line(item, fmt) for item in items])
        if shown < len(items):
            break  # the rest would not fit either; the link carries them
    if digest.is_empty:
        lines.append("本期没有新发布、修改、撤下或转载的文章。")
    text = _join(head, lines, tail)
    if not limit.fits(text):  # even the counters and the link are too long: the link alone
        text = _join([], [], tail)
    return text


def _fill(lines: list[str], head: list[str], tail: list[str], limit: ChatLimit, heading: str,
          entries: list[str]) -> int:
    """Append the section heading and as many entries as fit (with a "还有 N 条" line); return how many."""
    shown = 0
    block = [heading]
    for index, entry in enumerate(entries):
        rest = len(entries) - index - 1
        candidate = [*block, entry] + ([f"- …还有 {rest} 条，见完整摘要"] if rest else [])
        if not limit.fits(_join(head, lines + candidate, tail)):
            break
        block.append(entry)
        shown += 1
    if shown < len(entries):
        block.append(f"- …还有 {len(entries) - shown} 条，见完整摘要")
    if limit.fits(_join(head, lines + block, tail)):
        lines += block
    return shown


def _line(item: Item, fmt: _Format) -> str:
    note = {"withdrawn": f" — {item.reason}", "changed": " — 已修改"}.get(item.kind, "")
    return f"- {fmt.link(item.title, item.link)} ({fmt.text(item.source_title)}){fmt.text(note)}"


class _Format:
    """Markdown for services that render it, plain text (bare URLs) for those that do not."""

    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown

    def text(self, text: str) -> str:
        return md(text) if self.markdown else text

    def bold(self, text: str) -> str:
        return f"**{text}**" if self.markdown else text

    def heading(self, text: str) -> str:
        return f"#### {md(text)}" if self.markdown else text

    def link(self, text: str, url: str) -> str:
        return f"[{md(text)}]({mdurl(url)})" if self.markdown else f"{text} {url}"


def _join(head: list[str], lines: list[str], tail: list[str]) -> str:
    blocks = ["\n".join(part) for part in (head, lines, tail) if part]
    return "\n\n".join(blocks)
