"""DynamoDB adapter for catalog versions: immutable version items and one active pointer.

| item           | PK      | SK                | attributes                                            |
|----------------|---------|-------------------|-------------------------------------------------------|
| version        | CATALOG | VERSION#<version> | Bundle (S) or BundleGz (B), ContentHash, AppliedBy/At |
| active pointer | CATALOG | ACTIVE            | Version, ContentHash, AppliedBy/At, Schedule, Revision |

The pointer names the newest applied version and carries the schedule of the versions in force
from each ``EffectiveFrom`` (see ``questline.domain.catalog_schedule``); ``Revision`` counts its
writes, so an apply that started from an older pointer is refused even when the pointer names
the same version again (a rollback in between).

A DynamoDB item holds at most 400 KB, names and values included. Bundles whose compact JSON is
over COMPRESS_OVER bytes are stored gzip-compressed (catalog JSON shrinks about tenfold); a
bundle still over MAX_BUNDLE_BYTES once compressed is refused with BundleTooLarge.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from questline.domain.catalog_schedule import ScheduledVersion
from questline.errors import TransientError
from questline.storage import keys
from questline.storage.aws import AwsStore

COMPRESS_OVER = 32_000
MAX_BUNDLE_BYTES = 390_000  # leaves room under 400 KB for the keys and the other attributes
_META = "SK, Version, ContentHash, AppliedBy, AppliedAt, #size"


class VersionTaken(Exception):
    """The version already exists (with other content, or written by a concurrent apply)."""


class ActiveMoved(Exception):
    """The active pointer moved since it was read; read again and decide again."""


class BundleTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(f"the bundle is {size} bytes gzip-compressed; an item holds at most 400 KB")
        self.size = size


@dataclass(frozen=True)
class StoredVersion:
    """A version's metadata; ``bundle`` (the validated document) only when asked for."""

    version: str
    content_hash: str
    applied_by: str
    applied_at: datetime
    size: int = 0  # bytes of the bundle's compact JSON
    bundle: dict[str, Any] | None = None


@dataclass(frozen=True)
class ActivePointer:
    """The active pointer: the newest applied version and when each listed version is in force."""

    latest: StoredVersion
    schedule: tuple[ScheduledVersion, ...]
    revision: int  # 0: written before pointers carried a schedule

    @property
    def version(self) -> str:
        return self.latest.version

    @property
    def content_hash(self) -> str:
        return self.latest.content_hash


class DynamoCatalogStore(AwsStore, service="dynamodb"):
    """Catalog versions in the single table. The client is injected or created on first use."""

    def __init__(self, table_name: str, *, dynamodb: Any = None) -> None:
        super().__init__(dynamodb)
        self.table_name = table_name

    def active(self) -> ActivePointer | None:
        """The active pointer (strongly consistent), or None if no version was ever applied."""
        item = self._get(keys.CATALOG_ACTIVE_SK)
        return _pointer(item) if item else None

    def get(self, version: str, *, with_bundle: bool = True) -> StoredVersion | None:
        item = self._get(keys.catalog_version_sk(version), None if with_bundle else _META)
        return _stored(item) if item else None

    def versions(self) -> list[StoredVersion]:
        """Every version's metadata, newest first. (A query is billed by the size of the items
        read, bundles included; listing is an admin action, not a hot path.)"""
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": keys.CATALOG_PK},
                ":prefix": {"S": keys.CATALOG_VERSION_PREFIX},
            },
            "ProjectionExpression": _META,
            "ExpressionAttributeNames": {"#size": "Size"},
        }
        found: list[StoredVersion] = []
        while True:
            page = self._call("query", **kwargs)
            found += [_stored(item) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return sorted(found, key=lambda v: v.applied_at, reverse=True)
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def create(
        self,
        version: StoredVersion,
        bundle: dict[str, Any],
        schedule: tuple[ScheduledVersion, ...],
        expected: ActivePointer | None,
    ) -> None:
        """Write a new version and point at it with ``schedule``, in one transaction."""
        item = {**self._key(keys.catalog_version_sk(version.version)), **_meta(version)}
        item |= _encode(bundle)
        # Versions are immutable: never overwrite one.
        put = {"TableName": self.table_name, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}
        self._transact([{"Put": put}, self._pointer_put(version, schedule, expected)])

    def activate(
        self, version: StoredVersion, schedule: tuple[ScheduledVersion, ...], expected: ActivePointer | None
    ) -> None:
        """Point at an existing version (a rollback), checking it still holds the same content."""
        check = {
            "TableName": self.table_name,
            "Key": self._key(keys.catalog_version_sk(version.version)),
            "ConditionExpression": "ContentHash = :hash",
            "ExpressionAttributeValues": {":hash": {"S": version.content_hash}},
        }
        self._transact([{"ConditionCheck": check}, self._pointer_put(version, schedule, expected)])

    def _pointer_put(
        self, version: StoredVersion, schedule: tuple[ScheduledVersion, ...], expected: ActivePointer | None
    ) -> dict[str, Any]:
        revision = expected.revision + 1 if expected else 1
        item = {**self._key(keys.CATALOG_ACTIVE_SK), **_meta(version)}
        item |= {"Schedule": {"L": [_entry_item(e) for e in schedule]}, "Revision": {"N": str(revision)}}
        put: dict[str, Any] = {"TableName": self.table_name, "Item": item}
        if expected is None:
            # The first apply ever: nobody may have applied meanwhile.
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        elif expected.revision == 0:
            put["ConditionExpression"] = "Version = :expected AND attribute_not_exists(Revision)"
            put["ExpressionAttributeValues"] = {":expected": {"S": expected.version}}
        else:
            # Optimistic lock: the pointer is still the one our decision started from.
            put["ConditionExpression"] = "Revision = :expected"
            put["ExpressionAttributeValues"] = {":expected": {"N": str(expected.revision)}}
        return {"Put": put}

    def _transact(self, items: list[dict[str, Any]]) -> None:
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise TransientError(f"catalog write failed: {exc}") from exc
            reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise VersionTaken() from exc
            raise ActiveMoved() from exc

    def _key(self, sk: str) -> dict[str, Any]:
        return {"PK": {"S": keys.CATALOG_PK}, "SK": {"S": sk}}

    def _get(self, sk: str, projection: str | None = None) -> dict[str, Any] | None:
        kwargs: dict[str, Any] = {"TableName": self.table_name, "Key": self._key(sk), "ConsistentRead": True}
        if projection:
            kwargs |= {"ProjectionExpression": projection, "ExpressionAttributeNames": {"#size": "Size"}}
        item: dict[str, Any] | None = self._call("get_item", **kwargs).get("Item")
        return item

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self.client, operation)(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise TransientError(f"catalog read failed: {exc}") from exc
        return response


def _meta(version: StoredVersion) -> dict[str, Any]:
    return {
        "Version": {"S": version.version},
        "ContentHash": {"S": version.content_hash},
        "AppliedBy": {"S": version.applied_by},
        "AppliedAt": {"S": version.applied_at.isoformat()},
    }


def _entry_item(entry: ScheduledVersion) -> dict[str, Any]:
    fields = {"Version": entry.version, "ContentHash": entry.content_hash}
    if entry.effective_from is not None:
        fields["EffectiveFrom"] = entry.effective_from.isoformat()
    return {"M": {name: {"S": value} for name, value in fields.items() if value is not None}}


def _entry(item: dict[str, Any]) -> ScheduledVersion:
    fields = {name: value["S"] for name, value in item["M"].items()}
    starts = fields.get("EffectiveFrom")
    return ScheduledVersion(
        fields.get("Version"), fields.get("ContentHash"), datetime.fromisoformat(starts) if starts else None
    )


def _pointer(item: dict[str, Any]) -> ActivePointer:
    latest = _stored(item)
    if "Schedule" not in item:  # written before pointers carried a schedule: in force since always
        return ActivePointer(latest, (ScheduledVersion(latest.version, latest.content_hash, None),), 0)
    schedule = tuple(_entry(e) for e in item["Schedule"]["L"])
    return ActivePointer(latest, schedule, int(item["Revision"]["N"]))


def _encode(bundle: dict[str, Any]) -> dict[str, Any]:
    raw = json.dumps(bundle, separators=(",", ":"), ensure_ascii=False).encode()
    size = {"Size": {"N": str(len(raw))}}
    if len(raw) <= COMPRESS_OVER:
        return {"Bundle": {"S": raw.decode()}} | size
    packed = gzip.compress(raw, mtime=0)
    if len(packed) > MAX_BUNDLE_BYTES:
        raise BundleTooLarge(len(packed))
    return {"BundleGz": {"B": packed}} | size


def _stored(item: dict[str, Any]) -> StoredVersion:
    bundle = None
    if "Bundle" in item:
        bundle = json.loads(item["Bundle"]["S"])
    elif "BundleGz" in item:
        bundle = json.loads(gzip.decompress(item["BundleGz"]["B"]))
    return StoredVersion(
        version=item["Version"]["S"],
        content_hash=item["ContentHash"]["S"],
        applied_by=item["AppliedBy"]["S"],
        applied_at=datetime.fromisoformat(item["AppliedAt"]["S"]),
        size=int(item.get("Size", {}).get("N", 0)),
        bundle=bundle,
    )
