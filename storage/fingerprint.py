"""What counts as "the same content": a normalised fingerprint of an article.

A change is judged on the extracted title, text and key metadata, never on raw HTML, so
view counters, rotating sidebars and template timestamps never look like an edit.
"""

from __future__ import annotations

import hashlib
import json
import re

from storage.unicode_fold import nfkc

_SPACE = re.compile(r"\s+")
KEY_METADATA = ("published", "doc_no", "publisher")


def normalise_text(text: str | None) -> str:
    """NFKC (full-width → half-width), collapse whitespace, drop blank lines."""
    if not text:
        return ""
    text = nfkc(text)
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def content_hash(title: str | None, text: str | None, key_metadata: dict[str, str | None]) -> str:
    """SHA-256 over the normalised title, text and the key metadata fields."""
    payload = {
        "title": normalise_text(title),
        "text": normalise_text(text),
        **{k: normalise_text(key_metadata.get(k)) for k in KEY_METADATA},
    }
    encoded = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()
