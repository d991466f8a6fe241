"""The tags facet: counts of the values of a JSON array column, one per row and value.

Datasette's own array facet removes duplicate values within a row by pairing every value
with a copy of its whole row (bodies included), which takes seconds on 100 000 articles.
The loader keeps an article's tags unique, so this facet counts ``json_each`` rows as
they are, reading only the tags (from their index when the list is not narrowed). It
narrows the list with Datasette's own ``__arraycontains`` filter, like the array facet.
"""

from __future__ import annotations

from typing import Any

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args


class ListFacet(Facet):
    """Facet type ``list``: a JSON array whose items are unique within a row
    (metadata: ``{"list": "tags"}``)."""

    type = "list"

    async def suggest(self) -> list[dict[str, Any]]:
        return []

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        size = self.get_facet_size()
        pairs = self.get_querystring_pairs()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            sql = (
                f"SELECT j.value AS value, count(*) AS count FROM ({self.sql}) AS facetted,"
                f" json_each(facetted.{escape_sqlite(column)}) AS j"
                f" GROUP BY j.value ORDER BY count DESC, value LIMIT {size + 1}"
            )
            try:
                rows = await self.ds.execute(
                    self.database,
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            argument = f"{column}__arraycontains"
            values = []
            for row in rows.rows[:size]:
                value = str(row["value"])
                selected = (argument, value) in pairs
                change = path_with_removed_args if selected else path_with_added_args
                path = change(self.request, {argument: value})
                values.append(
                    {
                        "value": value,
                        "label": value,
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, path),
                        "selected": selected,
                    }
                )
            removed = path_with_removed_args(self.request, {f"_facet_{self.type}": column})
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "results": values,
                    "hideable": source_and_config["source"] != "metadata",
                    "toggle_url": self.ds.urls.path(removed),
                    "truncated": len(rows.rows) > size,
                }
            )
        return results, timed_out
