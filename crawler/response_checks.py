"""What is wrong with a response or a failed request, in words an operator understands.

Pure functions over bytes, headers and exceptions (no Scrapy import): the spider asks them
before anything reaches the store, and their answers are the `reason` of `fetch_errors`
("HTTP 503 after 3 tries", "not HTML: image/png", "charset lie: declared utf-8, decoded as
gb18030", "response larger than 10 MB limit", "timeout after 30 s", "connection reset").
"""

from __future__ import annotations

from crawler.extraction.decode import normalise_encoding, sniff_meta_charset

MB = 1024 * 1024
# Magic numbers of what government sites serve by mistake under text/html.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword"),
    (b"Rar!\x1a\x07", "application/x-rar"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\x1f\x8b", "application/gzip"),
)
# A page with more control bytes than this share of its first 4 KB is not text.
_MAX_CONTROL_SHARE = 0.05
_TEXT_CONTROLS = {9, 10, 12, 13, 27}


def binary_type(body: bytes) -> str | None:
    """The media type of a body that is clearly not an HTML page (whatever its Content-Type says)."""
    head = body[:4096].lstrip()
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head and _control_share(head) > _MAX_CONTROL_SHARE:
        return "application/octet-stream"
    return None


_CONTROL_BYTES = bytes(b for b in range(32) if b not in _TEXT_CONTROLS)
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)


def _control_share(head: bytes) -> float:
    # bytes.translate deletes every non-control byte in C: what is left is the control bytes.
    return len(head.translate(None, _NOT_CONTROL)) / len(head)


def declared_charset(content_type: str | None, body: bytes) -> str | None:
    """The charset the page claims: the Content-Type parameter, else its <meta>; normalised."""
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return normalise_encoding(value)
    return sniff_meta_charset(body)


def charset_lie(body: bytes, declared: str | None) -> str | None:
    """The encoding the bytes really are in, when the declared one is wrong; else None.

    Only the two lies Chinese sites tell are judged: GBK bytes labelled UTF-8 (they do not
    decode as UTF-8 but do as GB18030), and UTF-8 bytes labelled GBK (valid multibyte UTF-8,
    which GBK text practically never is).
    """
    if declared not in ("utf-8", "gb18030"):
        return None
    if declared == "utf-8":
        if _decodes(body, "utf-8") or not _decodes(body, "gb18030"):
            return None
        return "gb18030"
    if body.isascii():
        return None
    return "utf-8" if _decodes(body, "utf-8") else None


def _decodes(body: bytes, encoding: str, max_error_rate: float = 0.002) -> bool:
    try:
        body.decode(encoding)
        return True
    except UnicodeDecodeError:
        text = body.decode(encoding, errors="replace")
    non_ascii = sum(1 for ch in text if ord(ch) > 127) or 1
    return text.count("\ufffd") / non_ascii <= max_error_rate


def size_limit(limit_bytes: int) -> str:
    """10485760 → "10 MB"."""
    return f"{limit_bytes / MB:g} MB" if limit_bytes >= MB else f"{limit_bytes} bytes"


def tries_note(tries: int) -> str:
    """" after 3 tries" for an HTTP status that kept coming back; "" for a first-time failure."""
    return f" after {tries} tries" if tries > 1 else ""


def failure_reason(error: BaseException, *, tries: int = 1, timeout: float | None = None,
                   max_size: int | None = None) -> str:
    """The reason of a request that failed with `error`, after `tries` attempts."""
    name = type(error).__name__
    message = str(error)
    inner = " ".join(f"{type(e).__name__} {e}" for e in _wrapped(error))
    tried = f" ({tries} tries)" if tries > 1 else ""
    if name == "RedirectRefused":
        return message
    if name in ("DownloadTimeoutError", "TimeoutError", "TCPTimedOutError", "UserTimeoutError"):
        return f"timeout after {timeout:g} s{tried}" if timeout else f"timeout{tried}"
    if name == "ResponseDataLossError" or "_DataLoss" in inner or "DataLoss" in message:
        return f"truncated response: the connection closed before the announced Content-Length{tried}"
    if name == "DownloadCancelledError" and ("max size" in message or (not message and max_size)):
        # announced too large (message says so), or cut off once too many bytes had arrived (no message)
        return f"response larger than {size_limit(max_size)} limit" if max_size else "response too large"
    if "DOWNLOAD_MAXSIZE" in message and "decompression" in message:
        limit = size_limit(max_size) if max_size else "the size"
        return f"response larger than {limit} limit once decompressed (a compression bomb?)"
    if name == "IgnoreRequest" and "max redirections" in message:
        return "redirect loop (or more redirects than REDIRECT_MAX_TIMES)"
    if name in ("DownloadConnectionRefusedError", "ConnectionRefusedError"):
        return f"connection refused{tried}"
    if name in ("CannotResolveHostError", "DNSLookupError"):
        return f"host name not found (DNS){tried}"
    if "ConnectionLost" in name + inner or "ConnectionReset" in name + inner or name == "ConnectionDone" \
            or "Connection was closed cleanly" in message or "ResponseNeverReceived" in name + inner:
        return f"connection reset{tried}"
    if name == "DownloadFailedError":
        return f"download failed: {message}{tried}" if message else f"download failed{tried}"
    return f"{name}: {message}{tried}" if message else f"{name}{tried}"


def _wrapped(error: BaseException) -> list[BaseException]:
    """Twisted's ResponseFailed/ResponseNeverReceived hold a list of Failures as their reasons."""
    reasons = getattr(error, "reasons", None) or []
    found = []
    for reason in reasons:
        value = getattr(reason, "value", reason)
        if isinstance(value, BaseException):
            found.append(value)
    found += [e for e in (error.__cause__, error.__context__) if e is not None]
    return found
