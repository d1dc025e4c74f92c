"""Diffs between two versions of an article, for people who read Chinese.

Pure functions in the manner of web-monitoring-diff's `basic_diffs`: `(a, b) -> {"diff",
"change_count"}`. Chinese has no spaces, so a word diff is meaningless; the text is compared
paragraph by paragraph, then sentence by sentence (split after 。！？； and at newlines), then
character by character inside a changed run of sentences. The result is a JSON-able tree:

    {"op": "equal" | "insert" | "delete", "text": "..."}                  a leaf
    {"op": "replace", "old": "...", "new": "...", "parts": [node, ...]}    a change, refined

`parts` is empty when the two sides have too little in common to be worth refining (a rewritten
paragraph reads better as one deletion and one insertion than as confetti).
"""

from __future__ import annotations

import difflib
import html
import json
import re
from collections.abc import Iterator
from typing import Any

from storage.fingerprint import KEY_METADATA, change_fields, changed_fields

Node = dict[str, Any]

# Sentences end after these marks; newlines separate paragraphs and are kept as their own token.
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?=\n)|(?<=\n)")
# Below this similarity two changed runs are shown as delete + insert rather than refined.
REFINE_MIN_RATIO = 0.3
# An equal run this short between two changes is folded into them ("的" matching "的" is noise).
CHAR_MERGE_MAX = 2
# Beyond this product of lengths the character diff is skipped (SequenceMatcher is quadratic).
CHAR_DIFF_MAX_WORK = 4_000_000
# How the digest names each field: the labels the pages themselves use.
FIELD_LABELS = {"title": "标题", "text": "正文", "published": "发布日期", "doc_no": "文号", "publisher": "发文机关"}
# Metadata keys that duplicate a column or say nothing about content.
_METADATA_SKIP = {"doc_no", "publisher", "published", "date", "title"}
# Counters a page shows next to its metadata (浏览次数 12100): they change on every view.
_COUNTER_KEY = re.compile(r"浏览|阅读|点击|访问|访客|人次|次数|views?|hits|clicks", re.IGNORECASE)


def split_paragraphs(text: str | None) -> list[str]:
    """Non-blank lines, stripped: what a reader sees as paragraphs."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def split_sentences(text: str) -> list[str]:
    """Sentences with their closing mark, and each newline as its own token."""
    return [s for s in _SENTENCE_END.split(text) if s]


def text_diff(a: str | None, b: str | None) -> dict[str, Any]:
    """Paragraph → sentence → character diff of two texts: {"diff": [node, ...], "change_count"}."""
    old, new = split_paragraphs(a), split_paragraphs(b)
    nodes = _diff_units(old, new, "\n", _refine_sentences)
    nodes = _join_paragraph_breaks(nodes)
    return {"diff": nodes, "change_count": change_count(nodes)}


def version_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Diff two stored versions (title, text, published and metadata as rows hold them).

    Returns {"diff": {"title", "text", "fields", "metadata", "summary"}, "change_count"}; `title`
    and `text` are node lists (None when unchanged), `fields` and `metadata` map a name to
    [old, new] for the key metadata and the other labelled fields that changed.
    """
    old_meta, new_meta = _metadata(old), _metadata(new)
    # What changed is judged as the fingerprint judges it (storage/fingerprint.py), so a
    # version always has a diff and a diff never shows what made no version.
    before, after = _change_view(old, old_meta), _change_view(new, new_meta)
    changed = changed_fields(before, after)
    title = text_diff(before["title"], after["title"]) if "title" in changed else None
    text = text_diff(before["text"], after["text"]) if "text" in changed else None
    fields = {name: [before[name], after[name]] for name in KEY_METADATA if name in changed}
    metadata = {
        key: [old_meta.get(key), new_meta.get(key)]
        for key in sorted(set(old_meta) | set(new_meta))
        if key not in _METADATA_SKIP and not _COUNTER_KEY.search(key)
        and (old_meta.get(key) or None) != (new_meta.get(key) or None)
    }
    nodes = (title["diff"] if title else []) + (text["diff"] if text else [])
    added, removed = chars_changed(nodes)
    changed = [*(["title"] if title else []), *(["text"] if text else []), *fields, *(["metadata"] if metadata else [])]
    summary = {"changed": changed, "chars_added": added, "chars_removed": removed}
    diff = {"title": title["diff"] if title else None, "text": text["diff"] if text else None,
            "fields": fields, "metadata": metadata, "summary": summary}
    count = (title["change_count"] if title else 0) + (text["change_count"] if text else 0) + len(fields) + len(metadata)
    return {"diff": diff, "change_count": count}


def summary_line(diff: dict[str, Any]) -> str:
    """One line for `article_versions.diff_summary` and event details: what changed, how much."""
    summary = diff["summary"]
    parts = []
    if "title" in summary["changed"]:
        parts.append("title")
    if "text" in summary["changed"]:
        parts.append(f"text +{summary['chars_added']}/-{summary['chars_removed']} chars")
    for name, (before, after) in diff["fields"].items():
        parts.append(f"{name} {before or '∅'} → {after or '∅'}")
    if diff["metadata"]:
        parts.append("metadata " + ", ".join(diff["metadata"]))
    return "; ".join(parts) or "no visible change"


def change_count(nodes: list[Node]) -> int:
    """Insertions and deletions at the finest level of the tree."""
    return sum(1 for leaf in _leaves(nodes) if leaf["op"] != "equal")


def chars_changed(nodes: list[Node]) -> tuple[int, int]:
    """(characters added, characters removed), newlines not counted."""
    added = removed = 0
    for leaf in _leaves(nodes):
        size = len(leaf["text"].replace("\n", ""))
        if leaf["op"] == "insert":
            added += size
        elif leaf["op"] == "delete":
            removed += size
    return added, removed


def render_diff_html(diff: dict[str, Any] | list[Node]) -> str:
    """HTML with <ins>/<del>: a node list, or a whole version diff (title, key fields, text)."""
    if isinstance(diff, list):
        return _nodes_html(diff)
    blocks = []
    if diff.get("title"):
        blocks.append(f'<h3 class="diff-title">{_nodes_html(diff["title"])}</h3>')
    changed_fields = {**diff.get("fields", {}), **diff.get("metadata", {})}
    if changed_fields:
        rows = "".join(
            f"<tr><th>{html.escape(FIELD_LABELS.get(k, k))}</th><td><del>{html.escape(v[0] or '')}</del>"
            f" <ins>{html.escape(v[1] or '')}</ins></td></tr>"
            for k, v in changed_fields.items()
        )
        blocks.append(f'<table class="diff-fields">{rows}</table>')
    if diff.get("text"):
        blocks.append(f'<div class="diff-text">{_nodes_html(diff["text"])}</div>')
    return "\n".join(blocks)


def diff_excerpt(diff: dict[str, Any] | list[Node], max_chars: int = 200, context: int = 12) -> str:
    """Plain text for digests: each change as [-removed-]{+added+} with a little context."""
    if isinstance(diff, list):
        return _truncate(_nodes_excerpt(diff, context), max_chars)
    parts = []
    if diff.get("title"):
        parts.append(f"{FIELD_LABELS['title']}: {_nodes_excerpt(diff['title'], context)}")
    for name, (before, after) in {**diff.get("fields", {}), **diff.get("metadata", {})}.items():
        parts.append(f"{FIELD_LABELS.get(name, name)}: [-{before or ''}-]{{+{after or ''}+}}")
    if diff.get("text"):
        parts.append(f"{FIELD_LABELS['text']}: {_nodes_excerpt(diff['text'], context)}")
    return _truncate(" | ".join(parts), max_chars)


def diff_json(diff: dict[str, Any]) -> str:
    """The form kept in `article_versions.diff`."""
    return json.dumps(diff, ensure_ascii=False, separators=(",", ":"))


# --- the three levels -----------------------------------------------------------------------


def _diff_units(old: list[str], new: list[str], joiner: str, refine) -> list[Node]:
    """SequenceMatcher over units (paragraphs or sentences); replaced runs are refined below."""
    nodes: list[Node] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = joiner.join(old[i1:i2]), joiner.join(new[j1:j2])
        if op == "equal":
            nodes.append({"op": "equal", "text": before})
        elif op == "insert":
            nodes.append({"op": "insert", "text": after})
        elif op == "delete":
            nodes.append({"op": "delete", "text": before})
        else:
            nodes.append({"op": "replace", "old": before, "new": after, "parts": refine(before, after)})
    return nodes


def _refine_sentences(old: str, new: str) -> list[Node]:
    if not _similar(old, new):
        return []
    return _diff_units(split_sentences(old), split_sentences(new), "", _refine_chars)


def _refine_chars(old: str, new: str) -> list[Node]:
    if len(old) * len(new) > CHAR_DIFF_MAX_WORK or not _similar(old, new):
        return []
    ops: list[list[str]] = []  # [op, old text, new text]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        ops.append([op, old[i1:i2], new[j1:j2]])
    ops = _fold_short_equal(ops)
    nodes: list[Node] = []
    for op, before, after in ops:
        if op == "equal":
            nodes.append({"op": "equal", "text": before})
        else:
            if before:
                nodes.append({"op": "delete", "text": before})
            if after:
                nodes.append({"op": "insert", "text": after})
    return nodes


def _fold_short_equal(ops: list[list[str]]) -> list[list[str]]:
    """Merge an equal run of ≤ CHAR_MERGE_MAX characters lying between two changes into them."""
    merged: list[list[str]] = []
    for index, (op, before, after) in enumerate(ops):
        between = 0 < index < len(ops) - 1 and merged and merged[-1][0] != "equal" and ops[index + 1][0] != "equal"
        if op == "equal" and between and len(before) <= CHAR_MERGE_MAX or op != "equal" and merged and merged[-1][0] != "equal":
            merged[-1] = ["replace", merged[-1][1] + before, merged[-1][2] + after]
        else:
            merged.append([op, before, after])
    return merged


def _similar(old: str, new: str) -> bool:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return matcher.quick_ratio() >= REFINE_MIN_RATIO and matcher.ratio() >= REFINE_MIN_RATIO


def _join_paragraph_breaks(nodes: list[Node]) -> list[Node]:
    """Paragraph-level nodes carry no newline between them; put one back so text reads as it did."""
    joined: list[Node] = []
    for index, node in enumerate(nodes):
        if index:
            joined.append({"op": "equal", "text": "\n"})
        joined.append(node)
    return joined


def _leaves(nodes: list[Node]) -> Iterator[Node]:
    for node in nodes:
        if node["op"] != "replace":
            yield node
        elif node["parts"]:
            yield from _leaves(node["parts"])
        else:
            yield {"op": "delete", "text": node["old"]}
            yield {"op": "insert", "text": node["new"]}


def _nodes_html(nodes: list[Node]) -> str:
    out = []
    for leaf in _leaves(nodes):
        text = html.escape(leaf["text"]).replace("\n", "<br>\n")
        out.append({"equal": text, "insert": f"<ins>{text}</ins>", "delete": f"<del>{text}</del>"}[leaf["op"]])
    return "".join(out)


def _nodes_excerpt(nodes: list[Node], context: int) -> str:
    leaves = list(_leaves(nodes))
    pieces: list[str] = []
    for index, leaf in enumerate(leaves):
        text = leaf["text"].replace("\n", " ")
        if leaf["op"] == "insert":
            pieces.append(f"{{+{text}+}}")
        elif leaf["op"] == "delete":
            pieces.append(f"[-{text}-]")
        else:
            has_before = index > 0
            has_after = index < len(leaves) - 1
            if has_before and has_after and len(text) > 2 * context:
                pieces.append(text[:context] + "…" + text[-context:])
            elif has_before and len(text) > context:
                pieces.append(text[:context] + "…")
            elif has_after and len(text) > context:
                pieces.append("…" + text[-context:])
            elif has_before or has_after:
                pieces.append(text)
    return "".join(pieces).strip()


def _truncate(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[: max(max_chars - 1, 0)] + "…"


def _metadata(row: dict[str, Any]) -> dict[str, str]:
    raw = row.get("metadata")
    meta = json.loads(raw) if isinstance(raw, str) and raw else dict(raw or {})
    return {k: v for k, v in meta.items() if isinstance(v, str) or v is None}


def _change_view(row: dict[str, Any], metadata: dict[str, str]) -> dict[str, str | None]:
    """A version row's CHANGE_FIELDS: its own columns (title, text, published), the rest from
    its metadata JSON (doc_no, publisher)."""
    view = change_fields(metadata)
    view.update({name: row.get(name) for name in view if name in row})
    return view
