"""What counts as "the same content": the one list of fields a change is judged on, and a
normalised fingerprint of them.

A change is judged on the extracted title, text and key metadata, never on raw HTML, so
view counters, rotating sidebars and template timestamps never look like an edit. The list
lives here once: the store's fingerprint (storage/prepared.py), the crawl's extraction
workers (crawler/extraction_pool.py) and the diffs people read (monitor/diffs.py) all take it
from CHANGE_FIELDS, so what makes a new version and what a diff shows cannot drift apart.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from storage.unicode_fold import nfkc

_SPACE = re.compile(r"\s+")
# The metadata whose change is a change of the article (an edited date, a new 文号 or issuer).
KEY_METADATA = ("published", "doc_no", "publisher")
# Every field a new version is judged on, under the store's column names.
CHANGE_FIELDS = ("title", "text", *KEY_METADATA)


def change_fields(record: Mapping[str, Any] | object) -> dict[str, str | None]:
    """CHANGE_FIELDS of a record: a mapping (a row, extracted fields) or an object with those
    attributes (storage.outcomes.FetchedArticle). Missing fields are None."""
    if isinstance(record, Mapping):
        return {name: record.get(name) for name in CHANGE_FIELDS}
    return {name: getattr(record, name, None) for name in CHANGE_FIELDS}


def normalise_text(text: str | None) -> str:
    """NFKC (full-width → half-width), collapse whitespace, drop blank lines."""
    if not text:
        return ""
    text = nfkc(text)
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def changed_fields(old: Mapping[str, str | None], new: Mapping[str, str | None]) -> list[str]:
    """The CHANGE_FIELDS whose normalised values differ between two records: the fields a new
    version changed, in CHANGE_FIELDS order (empty exactly when their content_hash is equal)."""
    return [name for name in CHANGE_FIELDS if normalise_text(old.get(name)) != normalise_text(new.get(name))]


def content_hash(fields: Mapping[str, str | None]) -> str:
    """SHA-256 over the normalised CHANGE_FIELDS of `fields` (missing ones count as empty)."""
    payload = {name: normalise_text(fields.get(name)) for name in CHANGE_FIELDS}
    encoded = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()
