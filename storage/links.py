"""Which crawled URLs may become links: http(s) only, read the way a browser reads an href.

Every byte a crawled site serves is hostile, and an `<a href>` on the published site runs on
the same origin as the operator page. A scheme check on the raw string is not enough: browsers
strip leading/trailing C0 controls and spaces, delete every tab and newline inside the URL and
compare schemes case-insensitively, so ` JAVASCRIPT:…` and `java<TAB>script:…` both run. This is
the one rule, used where a URL is stored (crawler), mailed (digests) and rendered (Datasette
templates); it lives in storage/ because it is the only room all three may import.
Hand-written because the WHATWG parsing steps that matter here are these three lines, and no
maintained Python URL library applies them (urllib removes tabs/newlines but keeps the scheme
check to the caller).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

LINK_SCHEMES = frozenset(("http", "https"))
# A URL longer than this is not a link a person follows; it is refused before any regex sees it.
MAX_URL_LENGTH = 2048
_EDGES = "".join(chr(c) for c in range(0x21))  # C0 controls and space: stripped from both ends
_TAB_NEWLINE = re.compile(r"[\t\n\r]")  # removed anywhere in the URL
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def http_url(href: object, base: str | None = None) -> str | None:
    """`href` resolved against `base` if it is an http(s) URL with a host, else None.

    The normalisation a browser applies comes first, so what is checked is what would run.
    """
    if not isinstance(href, str) or len(href) > MAX_URL_LENGTH:
        return None
    cleaned = _TAB_NEWLINE.sub("", href.strip(_EDGES))
    if not cleaned or _CONTROL.search(cleaned):
        return None
    try:
        absolute = urljoin(base, cleaned) if base else cleaned
        parts = urlsplit(absolute)
        host = parts.hostname
    except ValueError:  # a malformed netloc ("http://[::1") raises here
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not host:
        return None
    return absolute


def safe_href(url: object) -> str:
    """What a template writes in an href: the URL if it may be a link, else "#" (a dead link)."""
    return http_url(url) or "#"
