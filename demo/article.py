"""The Article record shared by the corpus builder, the site state and the templates.

Kept in its own module so that content.py (which creates articles) and state.py (which mutates
them) do not import each other.  Everything a page shows that is *content* lives here; the noisy
per-request parts (view counters, server time, rotating sidebars) are invented at render time and
never stored, which is what lets ETag/Last-Modified depend on the content state only.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

SOURCES = ("gov", "paper", "news", "mirror")


@dataclass
class Article:
    source: str                      # "gov" | "paper" | "news" | "mirror"
    path: str                        # URL path, e.g. /gov/2021/06/t20210607_12345.html
    title: str
    paragraphs: list[str]            # the body; joined by "\n" this is the catalogue "text"
    date: str                        # YYYY-MM-DD
    time: str = "09:00:00"           # HH:MM:SS, shown by news/mirror pages
    metadata: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"
    copy_of: str | None = None       # path of the original when this is a mirror copy
    revision: int = 0
    status: int = 200                # 200 live, 404/410 withdrawn
    last_modified: float = 0.0       # epoch seconds, bumped on every change
    order: int = 0                   # list ordering key: higher = newer = listed first
    extra: dict[str, Any] = field(default_factory=dict)  # per-source layout data (paper page, attachments…)

    @property
    def live(self) -> bool:
        return self.status == 200

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    def content_key(self) -> str:
        """Digest of everything that makes up the article's content state (not the page noise)."""
        h = hashlib.sha1()
        for part in (self.path, str(self.revision), str(self.status), self.title, self.text,
                     repr(sorted(self.metadata.items())), repr(sorted(self.extra.items()))):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()

    def to_dict(self, base_url: str = "") -> dict[str, Any]:
        return {
            "source": self.source,
            "path": self.path,
            "url": base_url + self.path,
            "title": self.title,
            "date": self.date,
            "text": self.text,
            "metadata": dict(self.metadata),
            "encoding": self.encoding,
            "copy_of": self.copy_of,
            "revision": self.revision,
            "status": self.status,
            "attachments": list(self.extra.get("attachments", [])),
        }
