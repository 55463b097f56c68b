"""The mapping between a user's domain state and the single table's items (no I/O).

Each ``*_put`` returns one TransactWriteItems entry, with its condition commented; the store in
users.py sends them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from questline.domain.clock import DueKey
from questline.domain.state import DomainEvent, LedgerEntry, Unlock, UserState
from questline.storage import keys
from questline.storage.event_codec import event_from_dict, event_to_dict
from questline.storage.item_codec import item
from questline.storage.user_codec import profile_attributes


@dataclass(frozen=True)
class OutboxEntry:
    """Domain events committed but not yet known to be published."""

    user_id: str
    outbox_id: str
    events: list[DomainEvent]


@dataclass(frozen=True)
class DueItem:
    """A deadline the expiry job must visit."""

    user_id: str
    key: DueKey
    at: datetime


@dataclass(frozen=True)
class LedgerRecord:
    """A ledger item as read back: the entry and the catalog version it was committed under."""

    event_id: str
    at: datetime
    detail: dict[str, Any]
    catalog_version: str


def profile_put(table: str, state: UserState, version: int, catalog_version: str) -> dict[str, Any]:
    """The profile written as ``version``, over the version before it."""
    put: dict[str, Any] = {
        "TableName": table,
        "Item": item(**profile_attributes(state, version, catalog_version)),
    }
    if version == 1:
        # First commit for this user: nobody may have created the profile meanwhile.
        put["ConditionExpression"] = "attribute_not_exists(PK)"
    else:
        # Optimistic lock: the profile is still the version we decided on.
        put["ConditionExpression"] = "Version = :loaded"
        put["ExpressionAttributeValues"] = {":loaded": {"N": str(version - 1)}}
    return {"Put": put}


def marker_put(
    table: str,
    user_id: str,
    event_id: str,
    event_type: str | None,
    catalog_version: str,
    now: datetime,
    retention_days: int,
) -> dict[str, Any]:
    expires = int((now + timedelta(days=retention_days)).timestamp()) if retention_days else None
    marker = item(
        PK=keys.event_marker_pk(user_id, event_id),
        SK=keys.EVENT_SK,
        UserId=user_id,
        EventType=event_type,
        ProcessedAt=now.isoformat(),
        CatalogVersion=catalog_version,
        ExpiresAt=expires,
    )
    # The marker is the dedupe record: if it exists the event was already applied.
    return {"Put": {"TableName": table, "Item": marker, "ConditionExpression": "attribute_not_exists(PK)"}}


def unlock_put(table: str, user_id: str, unlock: Unlock) -> dict[str, Any]:
    record = item(
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
    return {"Put": {"TableName": table, "Item": record, "ConditionExpression": "attribute_not_exists(PK)"}}


def unlock_from_item(raw: dict[str, Any]) -> Unlock:
    """An unlock record (plain values) as the Unlock it was written from."""
    completion = raw.get("Completion")
    return Unlock(
        achievement_id=raw["AchievementId"],
        unlocked_at=datetime.fromisoformat(raw["UnlockedAt"]),
        event_id=raw["EventId"],
        points=int(raw["Points"]),
        catalog_version=raw["CatalogVersion"],
        tier=raw.get("Tier"),
        completion=None if completion is None else int(completion),
    )


def ledger_put(table: str, user_id: str, entry: LedgerEntry, catalog_version: str) -> dict[str, Any]:
    record = item(
        PK=keys.user_pk(user_id),
        SK=keys.ledger_sk(entry.at, entry.event_id),
        EventId=entry.event_id,
        At=entry.at.isoformat(),
        Detail=json.dumps(entry.detail, separators=(",", ":")),
        CatalogVersion=catalog_version,
    )
    return {"Put": {"TableName": table, "Item": record}}


def ledger_from_item(raw: dict[str, Any]) -> LedgerRecord:
    return LedgerRecord(
        event_id=raw["EventId"],
        at=datetime.fromisoformat(raw["At"]),
        detail=json.loads(raw["Detail"]),
        catalog_version=raw["CatalogVersion"],
    )


def due_write(table: str, user_id: str, key: DueKey, at: datetime | None, shards: int) -> dict[str, Any]:
    """One item per (user, due key), moved in the sparse due index as deadlines change."""
    pk, sk = keys.user_pk(user_id), keys.due_item_sk(key)
    if at is None:
        return {"Delete": {"TableName": table, "Key": {"PK": {"S": pk}, "SK": {"S": sk}}}}
    shard = keys.shard_of(user_id, shards)
    due = item(
        PK=pk,
        SK=sk,
        UserId=user_id,
        DueKey=keys.due_key(key),
        At=at.isoformat(),
        DuePK=keys.due_pk("TICK", at, shard),
        DueSK=keys.due_sk(at, pk, sk),
    )
    return {"Put": {"TableName": table, "Item": due}}


def outbox_put(
    table: str, entry: OutboxEntry, now: datetime, grace: timedelta, shards: int
) -> dict[str, Any]:
    """Due for the sweep once ``grace`` has passed (the happy path deletes it well before)."""
    pk, sk = keys.user_pk(entry.user_id), keys.outbox_sk(entry.outbox_id)
    due = now + grace
    shard = keys.shard_of(entry.user_id, shards)
    record = item(
        PK=pk,
        SK=sk,
        UserId=entry.user_id,
        Events=json.dumps([event_to_dict(e) for e in entry.events], separators=(",", ":")),
        CreatedAt=now.isoformat(),
        DuePK=keys.due_pk("OUTBOX", due, shard),
        DueSK=keys.due_sk(due, pk, sk),
    )
    return {"Put": {"TableName": table, "Item": record}}


def outbox_from_item(raw: dict[str, Any]) -> OutboxEntry:
    events = [event_from_dict(d) for d in json.loads(raw["Events"])]
    return OutboxEntry(raw["UserId"], raw["SK"].removeprefix(keys.OUTBOX_PREFIX), events)


def new_outbox_id(now: datetime) -> str:
    # Time-sortable, unique across concurrent workers.
    return f"{now.strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:12]}"
