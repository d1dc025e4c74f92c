"""What a URL must be before the crawler matches, requests or re-checks it.

A crawled site controls every link it serves. Two bounds hold for all of them:
- length: a URL over MAX_URL_LENGTH (2,048, what browsers and CDNs accept in practice) is
  dropped before any pattern sees it, so even a configured pattern that backtracks has a
  bounded input (issue 19: 12 KB of crafted links cost 22.8 s of CPU);
- scope: every request goes to the source's own hosts and ports (the spider's `on_site`), and
  a meta refresh target must also be inside its paths (`in_scope`) — see crawler/middlewares.py.
"""

from __future__ import annotations

from storage.links import MAX_URL_LENGTH

__all__ = ["MAX_URL_LENGTH", "matchable"]


def matchable(url: str) -> bool:
    """Short enough to be matched against the source's patterns (and to be a real page's URL)."""
    return len(url) <= MAX_URL_LENGTH
