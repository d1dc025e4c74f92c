"""DOC and WPS text through a converter program: antiword, else catdoc (Debian packages).

No maintained Python library reads the Word 97 binary format; antiword and catdoc are the
long-standing converters, installed by bootstrap.sh (README: "Attachments"). Kingsoft's .wps
files are usually Word-compatible binaries, which the same converters read; those that are not
are recorded as unreadable with the converter's own message. Without either program installed
every DOC/WPS file is recorded as "unreadable: no DOC converter installed", never guessed at.
The converter runs as a child with the read's time limit and inherits its memory cap.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from .limits import ReadLimits
from .reading import UNREADABLE, AttachmentReading, from_lines

# (program, arguments before the file): UTF-8 out, no line wrapping.
CONVERTERS = (("antiword", ["-m", "UTF-8.txt", "-w", "0"]), ("catdoc", ["-d", "utf-8", "-w"]))


def converters() -> list[tuple[str, list[str]]]:
    """The converters installed on this machine, in order of preference."""
    return [(path, args) for name, args in CONVERTERS if (path := shutil.which(name))]


def read_legacy_word(data: bytes, kind: str, limits: ReadLimits) -> AttachmentReading:
    """Text of a DOC/WPS file from the first installed converter that reads it."""
    found = converters()
    if not found:
        return AttachmentReading(UNREADABLE, kind, None, f"no DOC converter installed (antiword or catdoc) for .{kind}")
    failures = []
    with tempfile.NamedTemporaryFile(suffix="." + kind) as f:
        f.write(data)
        f.flush()
        for program, args in found:
            name = os.path.basename(program)
            try:
                # The converter inherits the reader child's CPU limit (isolation.py) and its low
                # priority; the clock is only a backstop, inside the child's own wall deadline.
                done = subprocess.run([program, *args, f.name], capture_output=True, timeout=limits.max_wall_seconds / 2,
                                      env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}, check=False)
            except subprocess.TimeoutExpired:
                failures.append(f"{name} ran past {limits.max_wall_seconds / 2:.0f} s")
                continue
            except OSError as e:
                failures.append(f"{name}: {e.strerror}")
                continue
            text = done.stdout.decode("utf-8", "replace")
            if done.returncode == 0 and text.strip():
                return from_lines(kind, text.splitlines(), limits.max_chars)
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            failures.append(f"{name}: {message[0][:120] if message else 'no text'}")
    return AttachmentReading(UNREADABLE, kind, None, f"no converter could read this .{kind} (" + "; ".join(failures) + ")")
