"""A DynamoDB Query on a table's key reads only that key's partition.

Part of :mod:`questline_local.moto_speedups` (local system and tests only, never deployed).
moto 5.2.5's ``Table.query`` lists every item of the table, sorted, and then keeps those of
the queried partition: each Query costs O(n log n) in the table's size, and loading a user is
a Query. While a table Query runs, ``Table.all_items`` (which it calls once) now returns just
that partition, sorted as moto sorts; the query's filtering, ordering, paging, projection and
errors are moto's own code. Index queries and every other caller of ``all_items`` are unchanged.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

_original_query = getattr(Table.query, "moto_original", Table.query)
_original_all_items = getattr(Table.all_items, "moto_original", Table.all_items)
# The table and partition key of the table Query running on this thread, if any.
_running = threading.local()


def install() -> None:
    """Replace ``Table.query`` and ``Table.all_items`` (idempotent)."""
    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]


def uninstall() -> None:
    Table.query = _original_query  # type: ignore[method-assign]
    Table.all_items = _original_all_items  # type: ignore[method-assign]


def query(
    self: Table,
    hash_key: DynamoType | None,
    range_comparison: str | None,
    range_objs: list[DynamoType],
    limit: int,
    exclusive_start_key: dict[str, Any],
    scan_index_forward: bool,
    projection_expressions: list[list[str]] | None,
    index_name: str | None = None,
    *args: Any,
    **kwargs: Any,
) -> Any:
    """moto's ``Table.query``, told which partition a table (not index) query is about."""
    call = (hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward)
    if index_name or hash_key is None:
        return _original_query(self, *call, projection_expressions, index_name, *args, **kwargs)
    _running.partition = (self, hash_key)
    try:
        return _original_query(self, *call, projection_expressions, index_name, *args, **kwargs)
    finally:
        _running.partition = None


def all_items(self: Table) -> list[Item]:
    """moto's ``Table.all_items``; within a table query, only the queried partition's items."""
    partition = getattr(_running, "partition", None)
    if partition is None or partition[0] is not self:
        return _original_all_items(self)
    hash_key = partition[1]
    if self.range_key_attr:
        # .get, not [...]: items is a defaultdict, and a lookup must not create a partition.
        items = list(self.items.get(hash_key, {}).values())
        return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)
    item = self.items.get(hash_key)
    return [] if item is None else [item]


query.moto_original = _original_query  # type: ignore[attr-defined]
all_items.moto_original = _original_all_items  # type: ignore[attr-defined]
