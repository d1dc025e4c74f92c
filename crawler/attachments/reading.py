"""The outcome of reading one attachment: a status, a reason a person can act on, and the text."""

from __future__ import annotations

from dataclasses import dataclass

# read: text found; scanned: a PDF of page images, no text layer; empty: read, no text in it;
# unreadable: the reason says why (encrypted, corrupt, a format we have no reader for, over budget);
# not_read: fetched and kept, its text deliberately not read (GOVWATCH_ATTACHMENTS_READ off).
READ, SCANNED, EMPTY, UNREADABLE, NOT_READ = "read", "scanned", "empty", "unreadable", "not_read"
# How the reason of a reader process that died without a result begins (crawler/attachments/isolation.py).
READER_DIED = "the reader "


def read_again(status: str | None, reason: str | None) -> bool:
    """Whether a file whose bytes are the same as the stored one's is worth reading again.

    Not when its reading found the text (or that there is none), nor when the file itself is the
    reason (encrypted, corrupt, over a time or memory budget: a PDF bomb would cost its 30 s at
    every check); yes when it was kept unread, or its reader died without a result (killed,
    crashed: cheap to try, and maybe not the file's doing).
    """
    if status in (READ, SCANNED, EMPTY):
        return False
    if status == UNREADABLE:
        return (reason or "").startswith(READER_DIED)
    return True


@dataclass(frozen=True)
class AttachmentReading:
    """What reading gave. `kind` is the format the bytes are (crawler/attachments/sniff.py),
    which may differ from the link's extension; `reason` says so when it does."""

    status: str
    kind: str
    text: str | None = None
    reason: str | None = None


def lines_text(lines: list[str], max_chars: int) -> tuple[str, bool]:
    """Non-empty stripped lines joined by newlines, cut at `max_chars`; and whether it was cut."""
    text = "\n".join(line.strip() for line in lines if line and line.strip())
    if len(text) > max_chars:
        return text[:max_chars], True
    return text, False


def from_lines(kind: str, lines: list[str], max_chars: int, *, cut_note: str | None = None) -> AttachmentReading:
    """A reading from the text lines a reader found (EMPTY when there are none)."""
    text, cut = lines_text(lines, max_chars)
    notes = [n for n in (cut_note, f"text cut at {max_chars} characters" if cut else None) if n]
    if not text:
        return AttachmentReading(EMPTY, kind, None, "; ".join(notes) or "no text in the file")
    return AttachmentReading(READ, kind, text, "; ".join(notes) or None)
