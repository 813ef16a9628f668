"""Facets for the claims pages that read the counts the database keeps (migration m005), not a million rows."""

from __future__ import annotations

import sqlite_utils
from datasette.facets import ArrayFacet, ColumnFacet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from db.articles import KEPT_FACETS, claim_facet_counts

COUNTED_TABLES = ("claims", "claim_details")


class _Counted:
    """Unfiltered, unsearched claims pages get their facets from claim_facet_counts; any other page counts its rows."""

    shown_type = "column"
    facet_arg = "_facet"

    async def suggest(self) -> list:
        return []  # the plain facet classes already suggest these columns

    async def facet_results(self) -> tuple[list[dict], list[str]]:
        configs = self.get_configs()
        columns = [(c["config"].get("column") or c["config"]["simple"], c["source"]) for c in configs]
        if not self._unfiltered() or any(column not in KEPT_FACETS for column, _ in columns):
            results, timed_out = await super().facet_results()
            return [{**result, "type": self.shown_type} for result in results], timed_out
        return [await self._counted(column, source) for column, source in columns], []

    def _unfiltered(self) -> bool:
        return (self.table in COUNTED_TABLES and not self.params
                and self.sql.rstrip().endswith(f"from {escape_sqlite(self.table)}"))

    async def _counted(self, column: str, source: str) -> dict:
        size = self.get_facet_size()
        rows = await self.ds.get_database(self.database).execute_fn(
            lambda conn: claim_facet_counts(sqlite_utils.Database(conn), column, size + 1))
        return {"name": column, "type": self.shown_type, "hideable": source != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {self.facet_arg: column})),
                "results": [self._value(column, value, count) for value, count in rows[:size]],
                "truncated": len(rows) > size}

    def _value(self, column: str, value: str, count: int) -> dict:
        path = path_with_added_args(self.request, {self.filter_arg(column): value})
        return {"value": value, "label": value, "count": count, "selected": False,
                "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path))}

    def filter_arg(self, column: str) -> str:
        return f"{column}__exact" if column.startswith("_") else column


class CountedColumnFacet(_Counted, ColumnFacet):
    """`counted: COLUMN` in db/datasette.yaml: a column facet, from the kept counts when it can."""

    type = "counted"


class CountedArrayFacet(_Counted, ArrayFacet):
    """`counted_array: COLUMN` in db/datasette.yaml: an array facet (feeds), from the kept counts when it can."""

    type = "counted_array"
    shown_type = "array"
    facet_arg = "_facet_array"

    def filter_arg(self, column: str) -> str:
        return f"{column}__arraycontains"
