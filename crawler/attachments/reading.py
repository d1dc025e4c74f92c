"""The outcome of reading one attachment: a status, a reason a person can act on, and the text."""

from __future__ import annotations

from dataclasses import dataclass

# read: text found; scanned: a PDF of page images, no text layer; empty: read, no text in it;
# unreadable: the reason says why (encrypted, corrupt, a format we have no reader for, over budget);
# not_read: fetched and kept, its text deliberately not read (GOVWATCH_ATTACHMENTS_READ off).
READ, SCANNED, EMPTY, UNREADABLE, NOT_READ = "read", "scanned", "empty", "unreadable", "not_read"


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
