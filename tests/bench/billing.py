"""DynamoDB request units of a recorded call log, as an on-demand table is billed.

Billing needs the size of items a call replaces or deletes, which the request does not carry:
a shadow of the table (item sizes and index entries, by key) is kept from the writes seen, so
the workload must start from an empty table.

Rules applied (DynamoDB developer guide), and the assumptions where it is silent:
- Put: the larger of the old and new item, in 1 KB units; Delete: the deleted item's size.
- Transactional writes cost 2x; index (GSI) writes are standard writes, since an index is
  updated after the transaction commits (assumption).
- A GSI write per index whose entry is added, changed or removed (a key change is a delete and a
  put), sized by the projected attributes: the whole item with ProjectionType ALL.
- A cancelled transaction (a failed condition, e.g. a duplicate's marker) is billed as if it had
  written every item to the table (assumption: the conservative reading), never to an index; it
  is reported separately.
- Query and GetItem: returned bytes in 4 KB units, one unit minimum; eventually consistent
  (every GSI query) costs half.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.bench.meters import AwsCall
from tests.bench.units import item_size, read_units, write_units

Item = dict[str, Any]


@dataclass(frozen=True)
class Index:
    name: str
    key: tuple[str, ...]
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    included: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSchema:
    key: tuple[str, ...]
    indexes: tuple[Index, ...]

    @classmethod
    def from_template(cls, template: dict[str, Any], logical_id: str = "Table") -> TableSchema:
        props = template["Resources"][logical_id]["Properties"]
        indexes = tuple(
            Index(
                name=gsi["IndexName"],
                key=tuple(k["AttributeName"] for k in gsi["KeySchema"]),
                projection=gsi["Projection"]["ProjectionType"],
                included=tuple(gsi["Projection"].get("NonKeyAttributes", ())),
            )
            for gsi in props.get("GlobalSecondaryIndexes", [])
        )
        return cls(tuple(k["AttributeName"] for k in props["KeySchema"]), indexes)

    def key_of(self, item: Item) -> tuple[str, ...]:
        return tuple(str(item[name]) for name in self.key)

    def index_entries(self, item: Item) -> dict[str, tuple[tuple[str, ...], int]]:
        """Index name -> (index key, entry size) for each index the item appears in."""
        entries = {}
        for index in self.indexes:
            if not all(name in item for name in index.key):
                continue  # sparse: no index key, no entry
            if index.projection == "ALL":
                size = item_size(item)
            else:
                kept = {*self.key, *index.key, *index.included}
                size = item_size({k: v for k, v in item.items() if k in kept})
            entries[index.name] = (tuple(str(item[n]) for n in index.key), size)
        return entries


@dataclass
class _Stored:
    size: int
    kind: str
    entries: dict[str, tuple[tuple[str, ...], int]]


@dataclass
class DynamoBill:
    """Units by what they were spent on; ``kind_of`` names an item (e.g. "profile")."""

    schema: TableSchema
    kind_of: Callable[[Item], str]
    table_write_units: Counter[str] = field(default_factory=Counter)  # by item kind
    index_write_units: Counter[str] = field(default_factory=Counter)  # by item kind
    cancelled_write_units: float = 0.0  # included in the counters above
    read_units: Counter[str] = field(default_factory=Counter)  # by operation and consistency
    item_sizes: dict[str, list[int]] = field(default_factory=dict)  # written sizes, by kind
    unpriced: Counter[str] = field(default_factory=Counter)  # operations this cannot bill
    _shadow: dict[tuple[str, ...], _Stored] = field(default_factory=dict)

    @property
    def write_units(self) -> float:
        return sum(self.table_write_units.values()) + sum(self.index_write_units.values())

    @property
    def total_read_units(self) -> float:
        return sum(self.read_units.values())

    def add(self, call: AwsCall) -> None:
        if call.service != "DynamoDB":
            return
        if call.operation == "Query":
            self._read(call, call.response.get("Items", []))
        elif call.operation == "GetItem":
            self._read(call, [call.response["Item"]] if "Item" in call.response else [])
        elif call.operation == "TransactWriteItems":
            ops = [next(iter(op.items())) for op in call.params["TransactItems"]]
            self._writes(ops, transactional=True, applied=call.error_code is None)
        elif call.operation == "PutItem":
            self._writes([("Put", call.params)], transactional=False, applied=not call.error_code)
        elif call.operation == "DeleteItem":
            self._writes([("Delete", call.params)], transactional=False, applied=not call.error_code)
        else:
            self.unpriced[call.operation] += 1

    def _read(self, call: AwsCall, items: list[Item]) -> None:
        index = call.params.get("IndexName")
        consistent = bool(call.params.get("ConsistentRead")) and index is None
        where = f"{call.operation}{f' on {index}' if index else ''}"
        where += ", strongly consistent" if consistent else ", eventually consistent"
        returned = sum(item_size(i) for i in items)
        self.read_units[where] += read_units(returned, consistent=consistent)

    def _writes(self, ops: list[tuple[str, dict[str, Any]]], *, transactional: bool, applied: bool) -> None:
        factor = 2 if transactional else 1
        changes: list[tuple[tuple[str, ...], _Stored | None]] = []
        spent = 0.0
        for action, op in ops:
            if action == "Put":
                new: _Stored | None = self._stored(op["Item"])
                key = self.schema.key_of(op["Item"])
            elif action == "Delete":
                new, key = None, self.schema.key_of(op["Key"])
            else:
                self.unpriced[f"TransactWriteItems/{action}"] += 1
                continue
            old = self._shadow.get(key)
            known = new or old
            kind = known.kind if known else "unknown"
            table = factor * write_units(max(new.size if new else 0, old.size if old else 0))
            # A cancelled transaction never reaches the index, which is updated after a commit.
            index = self._index_units(old, new) if applied else 0
            self.table_write_units[kind] += table
            self.index_write_units[kind] += index
            if new is not None:
                self.item_sizes.setdefault(kind, []).append(new.size)
            spent += table + index
            changes.append((key, new))
        if not applied:
            self.cancelled_write_units += spent
            return
        for key, new in changes:
            if new is None:
                self._shadow.pop(key, None)
            else:
                self._shadow[key] = new

    def _stored(self, item: Item) -> _Stored:
        return _Stored(item_size(item), self.kind_of(item), self.schema.index_entries(item))

    def _index_units(self, old: _Stored | None, new: _Stored | None) -> int:
        units = 0
        for index in self.schema.indexes:
            before = old.entries.get(index.name) if old else None
            after = new.entries.get(index.name) if new else None
            if before and after and before[0] == after[0]:
                units += write_units(max(before[1], after[1]))  # same key: an update in place
                continue
            units += write_units(before[1]) if before else 0  # removed, or moved: delete old
            units += write_units(after[1]) if after else 0  # added, or moved: put new
        return units
