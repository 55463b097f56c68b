"""DynamoDB adapter for user state: one read to load, one transaction to commit.

Commit writes, atomically: the profile (guarded by an optimistic version), a dedupe marker per
applied event, the newly unlocked achievements, and an outbox item with the domain events.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from questline.domain.clock import DueKey
from questline.domain.leaderboards.scores import ScoreItem
from questline.domain.state import DomainEvent, LedgerEntry, Unlock, UserState
from questline.storage import keys
from questline.storage.aws import AwsStore
from questline.storage.item_codec import plain
from questline.storage.leaderboards.items import score_put
from questline.storage.user_codec import state_from_profile
from questline.storage.user_items import (
    DueItem,
    LedgerRecord,
    OutboxEntry,
    due_write,
    ledger_from_item,
    ledger_put,
    marker_put,
    new_outbox_id,
    outbox_from_item,
    outbox_put,
    profile_put,
    unlock_from_item,
    unlock_put,
)

__all__ = [
    "CommitRequest",
    "DueItem",
    "DuplicateEvents",
    "DynamoUserStore",
    "LedgerRecord",
    "OutboxEntry",
]


class DuplicateEvents(Exception):
    """Some events of the commit were already applied (their markers exist)."""

    def __init__(self, event_ids: list[str]) -> None:
        super().__init__(f"already applied: {event_ids}")
        self.event_ids = event_ids


class VersionConflict(Exception):
    """Someone else committed for this user since we loaded; reload and decide again."""


TRANSACTION_LIMIT = 100  # items in one TransactWriteItems


@dataclass(frozen=True)
class CommitRequest:
    """What one transaction writes for one user."""

    state: UserState  # the decided state (its ``version`` is still the one it was decided on)
    # The version the profile is written as: the decided-on version plus one. The commit holds only
    # while the profile is still at the version before it (or, for version 1, does not exist).
    version: int
    applied_event_ids: list[str]
    event_types: dict[str, str]  # event id -> type, kept on the marker for support queries
    new_unlocks: list[Unlock]
    domain_events: list[DomainEvent]
    catalog_version: str
    ledger: list[LedgerEntry] = field(default_factory=list)
    score_items: list[ScoreItem] = field(default_factory=list)  # absolute board scores
    due: dict[DueKey, datetime | None] = field(default_factory=dict)  # when the clock must look

    @property
    def item_count(self) -> int:
        """How many items the transaction writes (DynamoDB takes at most TRANSACTION_LIMIT)."""
        return (
            1
            + len(self.applied_event_ids)
            + len(self.new_unlocks)
            + len(self.ledger)
            + len(self.score_items)
            + len(self.due)
            + (1 if self.domain_events else 0)
        )


class DynamoUserStore(AwsStore, service="dynamodb"):
    """User state in the single table. The client is injected or created on first use."""

    def __init__(
        self,
        table_name: str,
        *,
        dynamodb: Any = None,
        dedupe_retention_days: int = 0,
        due_index_shards: int = 4,
        outbox_grace: timedelta = timedelta(minutes=2),
    ) -> None:
        super().__init__(dynamodb)
        self.table_name = table_name
        self.dedupe_retention_days = dedupe_retention_days
        self.due_index_shards = due_index_shards
        self.outbox_grace = outbox_grace

    # -- load -------------------------------------------------------------------------------

    def load(self, user_id: str) -> UserState:
        """The user's state: one strongly consistent GetItem of the profile, whose size does not
        grow with the user's history (unlock records and outbox items are not read here)."""
        response = self.client.get_item(
            TableName=self.table_name,
            Key={"PK": {"S": keys.user_pk(user_id)}, "SK": {"S": keys.PROFILE_SK}},
            ConsistentRead=True,
        )
        if "Item" not in response:
            return UserState(user_id=user_id)
        return state_from_profile(user_id, plain(response["Item"]))

    def pending_outbox(self, user_id: str) -> list[OutboxEntry]:
        """A user's outbox items not yet deleted (published events are deleted)."""
        return [outbox_from_item(plain(raw)) for raw in self._query_user(user_id, keys.OUTBOX_PREFIX)]

    def unlock_records(self, user_id: str) -> list[Unlock]:
        """The audit records of every unlock (achievement, tier or completion), oldest id first."""
        return [unlock_from_item(plain(raw)) for raw in self._query_user(user_id, keys.ACHIEVEMENT_PREFIX)]

    def _query_user(self, user_id: str, sk_prefix: str) -> Iterator[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": keys.user_pk(user_id)}, ":prefix": {"S": sk_prefix}},
            "ConsistentRead": True,
        }
        while True:
            page = self.client.query(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # -- commit -----------------------------------------------------------------------------

    def commit(self, request: CommitRequest, now: datetime) -> OutboxEntry | None:
        """Write the decision atomically. Raises DuplicateEvents or VersionConflict."""
        state = request.state
        table, user_id, version = self.table_name, state.user_id, request.catalog_version
        items = [profile_put(table, state, request.version, version)]
        items += [
            marker_put(
                table, user_id, e, request.event_types.get(e), version, now, self.dedupe_retention_days
            )
            for e in request.applied_event_ids
        ]
        items += [unlock_put(table, user_id, unlock) for unlock in request.new_unlocks]
        items += [ledger_put(table, user_id, entry, version) for entry in request.ledger]
        items += [score_put(table, score) for score in request.score_items]
        items += [
            due_write(table, user_id, k, at, self.due_index_shards) for k, at in sorted(request.due.items())
        ]
        outbox = None
        if request.domain_events:
            outbox = OutboxEntry(user_id, new_outbox_id(now), request.domain_events)
            items.append(outbox_put(table, outbox, now, self.outbox_grace, self.due_index_shards))
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            self._raise_outcome(exc, request)
        return outbox

    def _raise_outcome(self, exc: ClientError, request: CommitRequest) -> None:
        reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
        marker_reasons = reasons[1 : 1 + len(request.applied_event_ids)]
        duplicates = [
            event_id
            for event_id, code in zip(request.applied_event_ids, marker_reasons, strict=False)
            if code == "ConditionalCheckFailed"
        ]
        if duplicates:
            raise DuplicateEvents(duplicates) from exc
        if reasons and reasons[0] in ("ConditionalCheckFailed", "TransactionConflict"):
            raise VersionConflict(request.state.user_id) from exc
        raise exc

    def ledger(self, user_id: str) -> list[LedgerRecord]:
        """A user's audit records, oldest first."""
        return [ledger_from_item(plain(raw)) for raw in self._query_user(user_id, keys.LEDGER_PREFIX)]

    # -- outbox -----------------------------------------------------------------------------

    def delete_outbox(self, entry: OutboxEntry) -> None:
        """Forget an outbox item once its events are on the bus."""
        self.client.delete_item(
            TableName=self.table_name,
            Key={
                "PK": {"S": keys.user_pk(entry.user_id)},
                "SK": {"S": keys.outbox_sk(entry.outbox_id)},
            },
        )

    def due_outbox(self, now: datetime, lookback_days: int, limit: int) -> list[OutboxEntry]:
        """Outbox items whose grace has passed, oldest day first, through the sparse due index."""
        return [outbox_from_item(item) for item in self._due("OUTBOX", now, lookback_days, limit)]

    def due_ticks(self, now: datetime, lookback_days: int, limit: int) -> list[DueItem]:
        """Streak and quest deadlines that have passed, oldest first (never a table scan)."""
        return [
            DueItem(item["UserId"], keys.parse_due_key(item["DueKey"]), datetime.fromisoformat(item["At"]))
            for item in self._due("TICK", now, lookback_days, limit)
        ]

    def _due(self, kind: str, now: datetime, lookback_days: int, limit: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        upper = keys.due_sk(now, "\uffff", "")
        for days_ago in range(lookback_days, -1, -1):
            day = now - timedelta(days=days_ago)
            for shard in range(self.due_index_shards):
                found += self._query_due(keys.due_pk(kind, day, shard), upper, limit - len(found))
                if len(found) >= limit:
                    return found
        return found

    def _query_due(self, pk: str, upper: str, limit: int) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": keys.DUE_INDEX,
            "KeyConditionExpression": "DuePK = :pk AND DueSK <= :upper",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":upper": {"S": upper}},
            "Limit": limit,
        }
        return [plain(raw) for raw in self.client.query(**kwargs).get("Items", [])]
