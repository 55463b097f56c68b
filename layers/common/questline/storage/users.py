"""DynamoDB adapter for user state: one read to load, one transaction to commit.

Commit writes, atomically: the profile (guarded by an optimistic version), a dedupe marker per
applied event, the newly unlocked achievements, and an outbox item with the domain events.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from questline.domain.board_scores import ScoreItem
from questline.domain.quests import QuestState
from questline.domain.state import AchievementState, DomainEvent, Unlock, UserState
from questline.domain.streaks import StreakState
from questline.storage import keys
from questline.storage.aws import client as aws_client
from questline.storage.boards_dynamo import score_put

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class DuplicateEvents(Exception):
    """Some events of the commit were already applied (their markers exist)."""

    def __init__(self, event_ids: list[str]) -> None:
        super().__init__(f"already applied: {event_ids}")
        self.event_ids = event_ids


class VersionConflict(Exception):
    """Someone else committed for this user since we loaded; reload and decide again."""


@dataclass(frozen=True)
class OutboxEntry:
    """Domain events committed but not yet known to be published."""

    user_id: str
    outbox_id: str
    events: list[DomainEvent]


@dataclass(frozen=True)
class DueItem:
    """A deadline the expiry job must visit: ``key`` is ``STREAK#<id>`` or ``QUEST#<id>``."""

    user_id: str
    key: str
    at: datetime


@dataclass(frozen=True)
class LedgerEntry:
    """An audit record kept with the commit (direct awards: who granted what, and why)."""

    event_id: str
    at: datetime
    detail: dict[str, Any]


TRANSACTION_LIMIT = 100  # items in one TransactWriteItems


@dataclass(frozen=True)
class CommitRequest:
    """What one transaction writes for one user."""

    state: UserState  # the decided state; its ``version`` is the version that was loaded
    applied_event_ids: list[str]
    event_types: dict[str, str]  # event id -> type, kept on the marker for support queries
    new_unlocks: list[Unlock]
    domain_events: list[DomainEvent]
    catalog_version: str
    ledger: list[LedgerEntry] = field(default_factory=list)
    score_items: list[ScoreItem] = field(default_factory=list)  # absolute board scores
    due: dict[str, datetime | None] = field(default_factory=dict)  # key -> when the clock must look

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


def _item(**attrs: Any) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in attrs.items() if v is not None}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


class DynamoUserStore:
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
        self.table_name = table_name
        self._client = dynamodb
        self.dedupe_retention_days = dedupe_retention_days
        self.due_index_shards = due_index_shards
        self.outbox_grace = outbox_grace

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws_client("dynamodb")
        return self._client

    # -- load -------------------------------------------------------------------------------

    def load(self, user_id: str) -> UserState:
        """The user's state: one strongly consistent GetItem of the profile, whose size does not
        grow with the user's history (unlock records and outbox items are not read here)."""
        response = self.client.get_item(
            TableName=self.table_name,
            Key={"PK": {"S": keys.user_pk(user_id)}, "SK": {"S": keys.PROFILE_SK}},
            ConsistentRead=True,
        )
        state = UserState(user_id=user_id)
        if "Item" in response:
            _fill_state(state, _plain(response["Item"]))
        return state

    def pending_outbox(self, user_id: str) -> list[OutboxEntry]:
        """A user's outbox items not yet deleted (published events are deleted)."""
        return [_outbox_from_item(_plain(raw)) for raw in self._query_user(user_id, keys.OUTBOX_PREFIX)]

    def unlock_records(self, user_id: str) -> list[dict[str, Any]]:
        """The audit records of every unlock (achievement, tier or completion), oldest id first."""
        return [_plain(raw) for raw in self._query_user(user_id, keys.ACHIEVEMENT_PREFIX)]

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
        items = [self._profile_put(state, request.catalog_version)]
        items += [
            self._marker_put(state.user_id, event_id, request, now) for event_id in request.applied_event_ids
        ]
        items += [self._unlock_put(state.user_id, unlock) for unlock in request.new_unlocks]
        items += [self._ledger_put(state.user_id, entry, request.catalog_version) for entry in request.ledger]
        items += [score_put(self.table_name, score) for score in request.score_items]
        items += [self._due_write(state.user_id, key, at) for key, at in sorted(request.due.items())]
        outbox = None
        if request.domain_events:
            outbox = OutboxEntry(state.user_id, _new_outbox_id(now), request.domain_events)
            items.append(self._outbox_put(outbox, now))
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            self._raise_outcome(exc, request)
        state.version += 1
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

    def _profile_put(self, state: UserState, catalog_version: str) -> dict[str, Any]:
        put: dict[str, Any] = {
            "TableName": self.table_name,
            "Item": _item(
                PK=keys.user_pk(state.user_id),
                SK=keys.PROFILE_SK,
                UserId=state.user_id,
                Xp=state.xp,
                Level=state.level,
                Points=state.points,
                TimeZone=state.time_zone,
                # Metrics, achievements, balances and caps travel as one compact JSON document:
                # cheaper to write (item size is what costs) and faster than typed maps.
                State=_state_document(state),
                Version=state.version + 1,
                UpdatedAt=state.updated_at.isoformat() if state.updated_at else None,
                CatalogVersion=catalog_version,
            ),
        }
        if state.version == 0:
            # First commit for this user: nobody may have created the profile meanwhile.
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            # Optimistic lock: the profile is still the version we decided on.
            put["ConditionExpression"] = "Version = :loaded"
            put["ExpressionAttributeValues"] = {":loaded": {"N": str(state.version)}}
        return {"Put": put}

    def _marker_put(
        self, user_id: str, event_id: str, request: CommitRequest, now: datetime
    ) -> dict[str, Any]:
        expires = None
        if self.dedupe_retention_days:
            expires = int((now + timedelta(days=self.dedupe_retention_days)).timestamp())
        item = _item(
            PK=keys.event_marker_pk(user_id, event_id),
            SK=keys.EVENT_SK,
            UserId=user_id,
            EventType=request.event_types.get(event_id),
            ProcessedAt=now.isoformat(),
            CatalogVersion=request.catalog_version,
            ExpiresAt=expires,
        )
        # The marker is the dedupe record: if it exists the event was already applied.
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    def _unlock_put(self, user_id: str, unlock: Unlock) -> dict[str, Any]:
        item = _item(
            PK=keys.user_pk(user_id),
            SK=keys.achievement_sk(unlock.record_id),
            AchievementId=unlock.achievement_id,
            Tier=unlock.tier,
            Completion=unlock.completion,
            UnlockedAt=unlock.unlocked_at.isoformat(),
            EventId=unlock.event_id,
            Points=unlock.points,
            CatalogVersion=unlock.catalog_version,
        )
        # The audit record of one unlock (tier, completion). Each unlocks once: the version check
        # already implies it, the condition says it.
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    def _ledger_put(self, user_id: str, entry: LedgerEntry, catalog_version: str) -> dict[str, Any]:
        item = _item(
            PK=keys.user_pk(user_id),
            SK=keys.ledger_sk(entry.at, entry.event_id),
            EventId=entry.event_id,
            At=entry.at.isoformat(),
            Detail=json.dumps(entry.detail, separators=(",", ":")),
            CatalogVersion=catalog_version,
        )
        return {"Put": {"TableName": self.table_name, "Item": item}}

    def _due_write(self, user_id: str, key: str, at: datetime | None) -> dict[str, Any]:
        """One item per (user, due key), moved in the sparse due index as deadlines change."""
        pk, sk = keys.user_pk(user_id), keys.due_item_sk(key)
        if at is None:
            return {"Delete": {"TableName": self.table_name, "Key": {"PK": {"S": pk}, "SK": {"S": sk}}}}
        shard = keys.shard_of(user_id, self.due_index_shards)
        item = _item(
            PK=pk,
            SK=sk,
            UserId=user_id,
            DueKey=key,
            At=at.isoformat(),
            DuePK=keys.due_pk("TICK", at, shard),
            DueSK=keys.due_sk(at, pk, sk),
        )
        return {"Put": {"TableName": self.table_name, "Item": item}}

    def ledger(self, user_id: str) -> list[dict[str, Any]]:
        """A user's audit records, oldest first."""
        records = [_plain(raw) for raw in self._query_user(user_id, keys.LEDGER_PREFIX)]
        for record in records:
            record["Detail"] = json.loads(record["Detail"])
        return records

    def _outbox_put(self, entry: OutboxEntry, now: datetime) -> dict[str, Any]:
        pk, sk = keys.user_pk(entry.user_id), keys.outbox_sk(entry.outbox_id)
        due = now + self.outbox_grace
        shard = keys.shard_of(entry.user_id, self.due_index_shards)
        item = _item(
            PK=pk,
            SK=sk,
            UserId=entry.user_id,
            Events=json.dumps([e.to_dict() for e in entry.events], separators=(",", ":")),
            CreatedAt=now.isoformat(),
            DuePK=keys.due_pk("OUTBOX", due, shard),
            DueSK=keys.due_sk(due, pk, sk),
        )
        return {"Put": {"TableName": self.table_name, "Item": item}}

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
        return [_outbox_from_item(item) for item in self._due("OUTBOX", now, lookback_days, limit)]

    def due_ticks(self, now: datetime, lookback_days: int, limit: int) -> list[DueItem]:
        """Streak and quest deadlines that have passed, oldest first (never a table scan)."""
        return [
            DueItem(item["UserId"], item["DueKey"], datetime.fromisoformat(item["At"]))
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
        return [_plain(raw) for raw in self.client.query(**kwargs).get("Items", [])]


def _state_document(state: UserState) -> str:
    document = {
        "b": state.balances,
        "m": state.metrics,
        "a": {a: held.to_dict() for a, held in state.achievements.items()},
        "c": state.caps,
        "s": {k: v.to_dict() for k, v in state.streaks.items()},
        "q": {k: v.to_dict() for k, v in state.quests.items()},
        # Board scores and the exclusion flag only when present: most profiles hold neither.
        **({"lb": state.boards} if state.boards else {}),
        **({"lx": True} if state.board_excluded else {}),
    }
    return json.dumps(document, separators=(",", ":"))


def _fill_state(state: UserState, item: dict[str, Any]) -> None:
    state.xp = int(item["Xp"])
    state.level = int(item["Level"])
    state.points = int(item["Points"])
    state.version = int(item["Version"])
    state.time_zone = item.get("TimeZone")
    state.updated_at = datetime.fromisoformat(item["UpdatedAt"]) if "UpdatedAt" in item else None
    document = json.loads(item.get("State", "{}"))
    state.balances = document.get("b", {})
    state.metrics = document.get("m", {})
    state.achievements = {a: AchievementState.from_dict(d) for a, d in document.get("a", {}).items()}
    state.caps = document.get("c", {})
    state.streaks = {k: StreakState.from_dict(v) for k, v in document.get("s", {}).items()}
    state.quests = {k: QuestState.from_dict(v) for k, v in document.get("q", {}).items()}
    state.boards = document.get("lb", {})
    state.board_excluded = bool(document.get("lx", False))


def _outbox_from_item(item: dict[str, Any]) -> OutboxEntry:
    events = [DomainEvent.from_dict(d) for d in json.loads(item["Events"])]
    return OutboxEntry(item["UserId"], item["SK"].removeprefix(keys.OUTBOX_PREFIX), events)


def _new_outbox_id(now: datetime) -> str:
    # Time-sortable, unique across concurrent workers.
    return f"{now.strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:12]}"
