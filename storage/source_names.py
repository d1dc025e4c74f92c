"""The one rule for a source name, shared by the config, the CLI and the operator page.

A name is a path segment of the operator page and a positional argument of `govwatch sources
…`: it must never start with "-" (the CLI would read it as an option) nor hold "/", spaces
or upper case (URLs, file names). Declared here, in the leaf package, so the Datasette plugins,
which may not import monitor/, check exactly what sources.yaml is checked against.
"""

from __future__ import annotations

import re

SOURCE_NAME_PATTERN = r"[a-z0-9][a-z0-9_-]{0,63}"
_SOURCE_NAME = re.compile(SOURCE_NAME_PATTERN)


def is_source_name(name: object) -> bool:
    return isinstance(name, str) and _SOURCE_NAME.fullmatch(name) is not None
