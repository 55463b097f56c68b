"""The DynamoDB board index: the degraded top-N and neighbourhoods, rank counts, and the
source of every rebuild, merged across the index shards of a board period. The key scheme is
described in storage.leaderboards.items."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from questline.domain.leaderboards.order import band_floor, packed_of_sort_key, sort_key
from questline.storage import keys
from questline.storage.aws import AwsStore
from questline.storage.item_codec import plain
from questline.storage.leaderboards.archive import BoardArchive
from questline.storage.leaderboards.items import (
    BOARD_INDEX,
    INDEX_SHARDS,
    SCORE_PREFIX,
    StoredScore,
    index_pk,
    score_sk,
    stored_score,
    unavailable_as_transient,
)


@dataclass(frozen=True)
class IndexRow:
    user_id: str
    packed: int
    version: int
    key: str  # the index sort key


def _row(item: dict[str, Any]) -> IndexRow:
    key = item["BoardSK"]["S"]
    packed, user_id = packed_of_sort_key(key)
    return IndexRow(user_id, packed, int(item.get("Version", {"N": "0"})["N"]), key)


class DynamoBoardStore(AwsStore, service="dynamodb"):
    """Reads of the board index and score items; snapshots and exclusions live in
    storage.leaderboards.archive. The client is injected or created on first use."""

    def __init__(self, table_name: str, *, dynamodb: Any = None) -> None:
        super().__init__(dynamodb)
        self.table_name = table_name

    @property
    def archive(self) -> BoardArchive:
        """Snapshots, exclusions and moderation rewrites, on the same client."""
        return BoardArchive(self.table_name, self.client)

    def _query(self, pk: str, condition: str, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
        with unavailable_as_transient():
            return dict(
                self.client.query(
                    TableName=self.table_name,
                    IndexName=BOARD_INDEX,
                    KeyConditionExpression=f"BoardPK = :pk{condition}",
                    ExpressionAttributeValues={":pk": {"S": pk}, **values},
                    **extra,
                )
            )

    def _shard_pages(
        self, board_id: str, period: str, condition: str, values: dict[str, Any], **extra: Any
    ) -> Iterator[dict[str, Any]]:
        for shard in range(INDEX_SHARDS):
            kwargs = dict(extra)
            while True:
                page = self._query(index_pk(board_id, period, shard), condition, values, **kwargs)
                yield page
                if "LastEvaluatedKey" not in page or "Limit" in extra:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def best(self, board_id: str, period: str, limit: int, below: str | None = None) -> list[IndexRow]:
        """The first ``limit`` rows in board order, after the row whose key is ``below``."""
        condition, values = (" AND BoardSK < :key", {":key": {"S": below}}) if below else ("", {})
        pages = self._shard_pages(board_id, period, condition, values, ScanIndexForward=False, Limit=limit)
        rows = [_row(i) for page in pages for i in page.get("Items", [])]
        return heapq.nlargest(limit, rows, key=lambda r: r.key)

    def above(self, board_id: str, period: str, key: str, limit: int) -> list[IndexRow]:
        """The ``limit`` rows just above ``key`` in board order, nearest first."""
        values = {":key": {"S": key}}
        pages = self._shard_pages(board_id, period, " AND BoardSK > :key", values, Limit=limit)
        rows = [_row(i) for page in pages for i in page.get("Items", [])]
        return heapq.nsmallest(limit, rows, key=lambda r: r.key)

    def count_above(self, board_id: str, period: str, key: str | None, budget: int) -> int | None:
        """How many rows rank above ``key`` (all rows when None); None past ``budget`` rows, as
        counting reads every row it counts."""
        condition, values = (" AND BoardSK > :key", {":key": {"S": key}}) if key else ("", {})
        total = 0
        for page in self._shard_pages(board_id, period, condition, values, Select="COUNT"):
            total += page["Count"]
            if total > budget:
                return None
        return total

    def band_size(self, board_id: str, period: str, band: int, cap: int = 2) -> int:
        """How many rows share a score band, counted up to ``cap`` (is a score tied?)."""
        low, high = sort_key(band_floor(band), ""), sort_key(band_floor(band + 1) - 1, "\uffff")
        values = {":low": {"S": low}, ":high": {"S": high}}
        condition = " AND BoardSK BETWEEN :low AND :high"
        pages = self._shard_pages(board_id, period, condition, values, Select="COUNT", Limit=cap)
        return min(cap, sum(page["Count"] for page in pages))

    def iter_rows(self, board_id: str, period: str) -> Iterator[list[IndexRow]]:
        """Every indexed row of a board period, a page at a time (rebuild, reconcile, close)."""
        for page in self._shard_pages(board_id, period, "", {}):
            yield [_row(i) for i in page.get("Items", [])]

    def scores(self, wanted: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], StoredScore]:
        """Score items by (user, board, period), read in batches of 100."""
        found: dict[tuple[str, str, str], StoredScore] = {}
        for start in range(0, len(wanted), 100):
            request = {
                self.table_name: {
                    "Keys": [
                        {"PK": {"S": keys.user_pk(u)}, "SK": {"S": score_sk(b, p)}}
                        for u, b, p in wanted[start : start + 100]
                    ]
                }
            }
            while request:
                with unavailable_as_transient():
                    response = self.client.batch_get_item(RequestItems=request)
                for raw in response.get("Responses", {}).get(self.table_name, []):
                    item = stored_score(plain(raw))
                    found[(item.user_id, item.board_id, item.period)] = item
                request = response.get("UnprocessedKeys") or {}
        return found

    def user_scores(self, user_id: str) -> list[StoredScore]:
        """Every score item of a user, on every board and retained period."""
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": keys.user_pk(user_id)},
                ":prefix": {"S": SCORE_PREFIX},
            },
            "ConsistentRead": True,
        }
        items: list[StoredScore] = []
        while True:
            with unavailable_as_transient():
                page = self.client.query(**kwargs)
            items += [stored_score(plain(raw)) for raw in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
