"""Beijing time on every page people read; UTC stays in the data, the JSON and the CSV.

The store keeps every instant in UTC ISO 8601 (`2026-11-30T12:13:52+00:00`); staff think in
Asia/Shanghai, the sources' own time zone, and the digest already speaks it. Templates get a
`|beijing` filter; table pages show the instant columns through `render_cell`, which only
changes the HTML cell (the `.json` and `.csv` of the same page still carry UTC), with the
UTC value kept in the cell's title for whoever needs it.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from datasette import hookimpl

BEIJING = ZoneInfo("Asia/Shanghai")
# Only a full stored instant with an offset is converted: a page's own date (`published`,
# already local) has no time and no offset and is left as the page wrote it.
STORED_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


def beijing(value: object, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC instant as Beijing wall time; anything else unchanged (empty for None)."""
    if value is None:
        return ""
    text = str(value)
    if not STORED_INSTANT.match(text):
        return text
    moment = datetime.fromisoformat(text)  # Python 3.11 reads "Z"
    return moment.astimezone(BEIJING).strftime(fmt)


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["beijing"] = beijing


@hookimpl
def render_cell(value, column, table, database, datasette):
    if not isinstance(value, str) or not STORED_INSTANT.match(value):
        return None  # decline: Datasette renders it as usual
    return Markup(f'<time datetime="{escape(value)}" title="UTC {escape(value)}">{escape(beijing(value))}</time>')
