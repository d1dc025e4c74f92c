"""A table's own facets counted in one pass over its rows, not one pass each.

Datasette's column facet runs one statement per facet, each reading every row the table view
selects. For the articles table searched for a common word at 200,000 articles (160,000 hits)
its three facets (source, status, publisher) were 67 + 96 + 119 ms of a ~470 ms request, each
scanning its column's index and probing the search's hits once per entry (bench/README.md,
"Search at scale"). Grouped by all three columns in one statement over an index that covers
them, the same counts take one such scan: each column's facet is the sum of the groups
holding each of its values.

A table opts in with `govwatch-facets: {together: true}` in its metadata plugins, and must have
an index covering its facet columns (storage's m024 for articles): without one the grouped
statement reads every wide row, 0.74 s for articles, which is why it is not the default. Only
the facets the table's metadata names are grouped. A facet a reader adds (`_facet=url`) may have
thousands of values, whose product with the others would be a grouping as large as the table;
it runs as Datasette runs it.

What the reader sees is Datasette's facet, value for value: the same counts, order (count,
then value as SQLite orders it), truncation, labels and links. A test compares the two on the
same requests. The class replaces Datasette's ColumnFacet through a wrapper of the
`register_facet_classes` hook, so every other table, and every facet type, is Datasette's own.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from datasette.database import QueryInterrupted
from datasette.facets import ColumnFacet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from datasette import hookimpl

PLUGIN = "govwatch-facets"
# Distinct (col1, col2, ...) groups read before giving the grouping up for Datasette's own
# statements: a table's own facets have tens of values each, and a grouping this large means
# one of them does not (its values have changed in kind since the table opted in).
MAX_GROUPS = 10_000


def _sqlite_order(value: Any) -> tuple[int, Any]:
    """A facet value's place in SQLite's `order by value` (BINARY collation): numbers, then
    text by code point (UTF-8's byte order), then blobs. NULL never reaches a facet."""
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (2, bytes(value))


class TogetherColumnFacet(ColumnFacet):
    """Datasette's column facet, with the table's own facets grouped into one statement."""

    def _grouped_columns(self) -> list[str]:
        """The metadata's plain column facets, if the table opted in and has two or more."""
        if not self.table:
            return []
        config = self.ds.plugin_config(PLUGIN, database=self.database, table=self.table) or {}
        if not config.get("together"):
            return []
        named = [facet for facet in (self.metadata or {}).get("facets", []) if isinstance(facet, str)]
        return list(dict.fromkeys(named)) if len(set(named)) >= 2 else []

    async def facet_results(self) -> tuple[list[dict], list[str]]:
        columns = self._grouped_columns()
        if not columns:
            return await super().facet_results()
        results: list[dict] = []
        timed_out: list[str] = []
        try:
            counts = await self._grouped_counts(columns)
        except QueryInterrupted:  # past the time limit: each of them timed out, as Datasette reports it
            timed_out.extend(columns)
        else:
            if counts is None:  # too many groups: each facet as Datasette runs it
                return await super().facet_results()
            for column in columns:
                results.append(await self._column_result(column, counts[column]))
        metadata = self.metadata or {}
        rest = ColumnFacet(self.ds, self.request, self.database, sql=self.sql, table=self.table,
                           params=self.params, row_count=self.row_count,
                           metadata={**metadata, "facets": [f for f in metadata.get("facets", []) if f not in columns]})
        rest_results, rest_timed_out = await rest.facet_results()
        return results + rest_results, timed_out + rest_timed_out

    async def _grouped_counts(self, columns: list[str]) -> dict[str, Counter] | None:
        """Each column's count per non-NULL value, from one grouped statement under the facets'
        time limit, one limit for each facet it stands for (QueryInterrupted past it); None if
        the grouping has more than MAX_GROUPS groups."""
        names = ", ".join(escape_sqlite(column) for column in columns)
        sql = f"select {names}, count(*) from ({self.sql}) group by {names} limit {MAX_GROUPS + 1}"
        rows = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                     custom_time_limit=self.ds.setting("facet_time_limit_ms") * len(columns))
        if len(rows.rows) > MAX_GROUPS:
            return None
        counts: dict[str, Counter] = {column: Counter() for column in columns}
        for row in rows.rows:
            for i, column in enumerate(columns):
                if row[i] is not None:
                    counts[column][row[i]] += row[-1]
        return counts

    async def _column_result(self, column: str, counts: Counter) -> dict:
        """One facet as Datasette's ColumnFacet.facet_results writes it (datasette/facets.py,
        0.65): the same keys, order, truncation, labels and toggle links."""
        facet_size = self.get_facet_size()
        qs_pairs = self.get_querystring_pairs()
        ranked = sorted(counts.items(), key=lambda item: (-item[1], _sqlite_order(item[0])))
        shown = ranked[:facet_size]
        expanded = await self.ds.expand_foreign_keys(self.database, self.table, column,
                                                     [value for value, _ in shown])
        column_qs = f"{column}__exact" if column.startswith("_") else column
        values = []
        for value, count in shown:
            selected = (column_qs, str(value)) in qs_pairs
            if selected:
                toggle_path = path_with_removed_args(self.request, {column_qs: str(value)})
            else:
                toggle_path = path_with_added_args(self.request, {column_qs: value})
            values.append({
                "value": value,
                "label": expanded.get((column, value), value),
                "count": count,
                "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle_path)),
                "selected": selected,
            })
        return {
            "name": column,
            "type": self.type,
            "hideable": False,  # a metadata facet: Datasette offers no way to hide it
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet": column})),
            "results": values,
            "truncated": len(ranked) > facet_size,
        }


@hookimpl(wrapper=True)
def register_facet_classes():
    """Datasette's facet classes, with its ColumnFacet replaced by TogetherColumnFacet."""
    classes = yield
    return [[TogetherColumnFacet if klass is ColumnFacet else klass for klass in group] for group in classes]
