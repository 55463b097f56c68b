"""The backup of one moto DynamoDB transaction: only the items it touches.

Part of :mod:`questline_local.moto_speedups` (local system and tests only, never deployed).
Before a transaction touches an item, ``save`` keeps a deep copy of it (or notes that it was
absent); ``restore`` puts exactly those back, which is what moto's deep copy of whole tables
achieved, at a cost that no longer grows with the table.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table


@dataclass
class _SavedItem:
    table: Table
    hash_key: DynamoType
    range_key: DynamoType | None
    item: Item | None  # a deep copy of the item before the transaction; None when absent
    partition_existed: bool  # range-key tables: whether items[hash_key] existed
    order: list[DynamoType] | None  # key order of the item's dict, kept when it may be deleted


class TouchedItems:
    """The items a transaction touches, as they were before it, and how to put them back."""

    def __init__(self, backend: DynamoDBBackend) -> None:
        self._backend = backend
        self._items: list[_SavedItem] = []
        self._streams: dict[int, tuple[Any, Any, list[Any], int]] = {}

    def save(self, op_type: str, table_name: str, key: dict[str, Any]) -> None:
        # moto backs up tables named by TableName only (not by ARN): keep the same scope.
        table = self._backend.tables.get(table_name)
        if table is None:
            return
        try:
            hash_key, range_key = self._backend.get_keys_value(table, key)
        except Exception:  # the operation fails on this key before it changes anything
            return
        container = table.items.get(hash_key, {}) if table.range_key_attr else table.items
        lookup = range_key if table.range_key_attr else hash_key
        current = container.get(lookup)
        order = list(container) if op_type == "Delete" and current is not None else None
        self._items.append(
            _SavedItem(
                table=table,
                hash_key=hash_key,
                range_key=range_key,
                item=copy.deepcopy(current),
                partition_existed=hash_key in table.items,
                order=order,
            )
        )
        shard = table.stream_shard
        if shard is not None and id(table) not in self._streams:
            self._streams[id(table)] = (table, shard, shard.items, len(shard.items))

    def restore(self) -> None:
        for saved in reversed(self._items):
            _restore_item(saved)
        for saved in self._items:
            # Lookups on a range-key table create empty partitions (a defaultdict): drop those.
            table = saved.table
            empty = saved.hash_key in table.items and not table.items[saved.hash_key]
            if table.range_key_attr and not saved.partition_existed and empty:
                del table.items[saved.hash_key]
        for table, shard, records, length in self._streams.values():
            del records[length:]
            shard.items = records
            table.stream_shard = shard


def _restore_item(saved: _SavedItem) -> None:
    table = saved.table
    if table.range_key_attr:
        container, key = table.items.get(saved.hash_key), saved.range_key
        if container is None:
            if saved.item is None:
                return
            container = table.items[saved.hash_key]
    else:
        container, key = table.items, saved.hash_key
    if saved.item is None:
        container.pop(key, None)
        return
    deleted = key not in container
    container[key] = saved.item
    if deleted and saved.order is not None:
        # Re-inserted at the end: put it back where it was, as moto's whole-table copy would.
        rebuilt = {k: container[k] for k in saved.order if k in container}
        rebuilt.update((k, v) for k, v in container.items() if k not in rebuilt)
        container.clear()
        container.update(rebuilt)
