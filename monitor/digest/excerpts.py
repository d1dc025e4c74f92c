"""Short texts for the digest: an article's two-line lead and what an edit changed.

The change excerpt comes from the change monitor (`monitor.diffs.diff_excerpt` over the
version's JSON diff) when that module is installed, and otherwise from the version's
`diff_summary` text: the digest never computes diffs itself.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import re
from dataclasses import dataclass
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

LEAD_LINES = 2
LEAD_LINE_CHARS = 70
EXCERPT_CHARS = 240


def lead(text: str | None, lines: int = LEAD_LINES, width: int = LEAD_LINE_CHARS) -> str:
    """The first `lines` non-empty paragraphs of the clean text, each cut to `width` characters."""
    paragraphs = [p.strip() for p in (text or "").splitlines() if p.strip()]
    return "\n".join(shorten(p, width) for p in paragraphs[:lines])


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def change_excerpt(diff: str | None, diff_summary: str | None, max_chars: int = EXCERPT_CHARS) -> str | None:
    """What changed in a version, in at most `max_chars` characters; None when nothing is known yet."""
    diffs = _diffs_module()
    if diffs is not None and diff:
        try:
            excerpt = diffs.diff_excerpt(_parsed(diff), max_chars)
            if excerpt:
                return str(excerpt)
        except Exception:  # a diff format we do not understand must not stop the digest
            log.warning("monitor.diffs.diff_excerpt failed; using diff_summary", exc_info=True)
    if diff_summary and diff_summary.strip():
        return shorten(diff_summary, max_chars)
    return None


def _parsed(diff: str) -> Any:
    try:
        return json.loads(diff)
    except ValueError:
        return diff


def _diffs_module() -> ModuleType | None:
    if importlib.util.find_spec("monitor.diffs") is None:
        return None
    module = importlib.import_module("monitor.diffs")
    return module if hasattr(module, "diff_excerpt") else None


# --- what an edit changed, as marked segments (the HTML digest shows <ins>/<del>, Markdown ~~/**) ---

CONTEXT_CHARS = 24
# Where a context snippet may start or end: after a clause or sentence mark, so a reader sees
# "…加强扶贫项目资产管理，" rather than a phrase cut in half.
_BREAK = "，。；！？、：,.;!?:\n"


@dataclass(frozen=True)
class Segment:
    """One run of an edit excerpt: `op` is equal, insert or delete."""

    op: str
    text: str


def change_segments(diff: str | None, max_chars: int = EXCERPT_CHARS, context: int = CONTEXT_CHARS) -> list[Segment]:
    """The changes of a version's JSON diff (monitor.diffs' node tree) with a little context each.

    Hand-walked rather than through monitor.diffs.diff_excerpt: that returns wdiff text
    (`[-a-]{+b+}`), which staff read as noise; the digest needs the runs themselves to mark
    them. Title and key-field changes come first, labelled; context is cut at the nearest
    clause mark within `context` characters. Empty when the diff is missing or unreadable.
    """
    tree = _parsed(diff) if diff else None
    if not isinstance(tree, dict):
        return []
    segments: list[Segment] = []
    if isinstance(tree.get("title"), list):
        segments += [Segment("equal", "标题："), *_with_context(list(_leaves(tree["title"])), context),
                     Segment("equal", "  ")]
    fields = {**(tree.get("fields") or {}), **(tree.get("metadata") or {})}
    for name, pair in fields.items():
        if isinstance(pair, list) and len(pair) == 2:
            segments += [Segment("equal", f"{FIELD_NAMES.get(name, name)}：")]
            if pair[0]:
                segments.append(Segment("delete", str(pair[0])))
            if pair[1]:
                segments.append(Segment("insert", str(pair[1])))
            segments.append(Segment("equal", "  "))
    if isinstance(tree.get("text"), list):
        segments += _with_context(list(_leaves(tree["text"])), context)
    return _cut(segments, max_chars)


FIELD_NAMES = {"published": "发布日期", "doc_no": "文号", "publisher": "发文机关"}


def _leaves(nodes: list[Any]) -> Any:
    for node in nodes:
        if not isinstance(node, dict):
            continue
        if node.get("op") != "replace":
            yield node
        elif node.get("parts"):
            yield from _leaves(node["parts"])
        else:
            yield {"op": "delete", "text": node.get("old", "")}
            yield {"op": "insert", "text": node.get("new", "")}


def _with_context(leaves: list[dict], context: int) -> list[Segment]:
    out: list[Segment] = []
    for index, leaf in enumerate(leaves):
        text = str(leaf.get("text", "")).replace("\n", " ")
        if leaf.get("op") in ("insert", "delete"):
            out.append(Segment(leaf["op"], text))
            continue
        before = index > 0 and leaves[index - 1].get("op") != "equal"
        after = index < len(leaves) - 1
        if before and after and len(text) > 2 * context:
            out += [Segment("equal", _head(text, context) + "…"), Segment("gap", " "),
                    Segment("equal", "…" + _tail(text, context))]
        elif before and len(text) > context:
            out.append(Segment("equal", _head(text, context) + "…"))
        elif after and len(text) > context:
            out.append(Segment("equal", "…" + _tail(text, context)))
        elif before or after:
            out.append(Segment("equal", text))
    return out


def _head(text: str, width: int) -> str:
    """The start of `text`, ended after the last clause mark within `width` (else at `width`)."""
    cut = max((text.rfind(c, 0, width) for c in _BREAK), default=-1)
    return text[: cut + 1] if cut >= width // 3 else text[:width]


def _tail(text: str, width: int) -> str:
    """The end of `text`, started after the first clause mark within its last `width` characters."""
    start = len(text) - width
    marks = [text.find(c, start) for c in _BREAK]
    marks = [m for m in marks if m != -1 and m < len(text) - width // 3]
    return text[min(marks) + 1:] if marks else text[start:]


def _cut(segments: list[Segment], max_chars: int) -> list[Segment]:
    kept, used = [], 0
    for segment in segments:
        if used + len(segment.text) > max_chars:
            room = max_chars - used
            if room > 8:
                kept.append(Segment(segment.op, segment.text[: room - 1] + "…"))
            break
        kept.append(segment)
        used += len(segment.text)
    return kept


# --- why an article counts as withdrawn, for people (the store keeps the technical reason) ---

_REASONS = (
    (re.compile(r"^HTTP 404\b"), "页面不存在（404）"),
    (re.compile(r"^HTTP 410\b"), "页面已删除（410）"),
    (re.compile(r"^HTTP 30\d: redirects to (?:nowhere|$)"), "页面跳转，未给出新地址"),
    (re.compile(r"^HTTP 30\d: redirects to (?P<target>\S+)"), "原地址跳转到其他页面 {target}"),
    (re.compile(r"^soft 404: ?(?P<what>.*)"), "页面显示“{what}”"),
    (re.compile(r"^error page: ?(?P<what>.*)"), "页面显示错误页“{what}”"),
)
_CONFIRMED = re.compile(r"\s*\(confirmed: gone on (\d+) checks since ([^)]*)\)\s*$")


def withdrawal_reason(detail: str | None) -> str:
    """A stored withdrawal detail ("HTTP 302: redirects to …", "soft 404: 页面不存在") in words."""
    detail = (detail or "").strip()
    confirmed = _CONFIRMED.search(detail)
    core = _CONFIRMED.sub("", detail)
    text = "原地址不再可访问"
    for pattern, words in _REASONS:
        match = pattern.match(core)
        if match:
            text = words.format(**{k: shorten(v, 60) for k, v in match.groupdict().items()})
            break
    else:
        if core:
            text = f"原地址不再可访问（{shorten(core, 80)}）"
    if confirmed:
        text += f"，连续 {confirmed.group(1)} 次检查确认"
    return text
