"""Closing snapshots of board periods, the exclusion registry, and conditional rewrites of score
items outside a user's commit (moderation of closed periods). Keys: see storage.leaderboards.items."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from questline.domain.leaderboards.scores import ScoreItem
from questline.storage.item_codec import plain
from questline.storage.leaderboards.items import score_attributes, unavailable_as_transient

SNAPSHOT_SK = "SNAPSHOT"
MODERATION_PK = "MODERATION"
EXCLUDED_PREFIX = "EXCLUDED#"


def snapshot_pk(board_id: str, period: str) -> str:
    return f"BOARD#{board_id}#{period}"


@dataclass(frozen=True)
class Snapshot:
    """The final standings of a closed period: the top ``snapshotSize`` and the member count."""

    board_id: str
    period: str
    total: int
    entries: list[tuple[str, int, int | None]]  # (user, packed, rank), board order
    taken_at: datetime
    source: str
    closed: bool = False  # prizes granted and LeaderboardClosed published
    prize_errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ExclusionRecord:
    """One user kept off the boards: who excluded them, why and when."""

    user_id: str
    actor: str
    reason: str
    at: datetime


def _is_condition_failure(exc: ClientError) -> bool:
    return bool(exc.response["Error"]["Code"] == "ConditionalCheckFailedException")


class BoardArchive:
    def __init__(self, table_name: str, client: Any) -> None:
        self.table_name = table_name
        self.client = client

    def snapshot(self, board_id: str, period: str) -> Snapshot | None:
        with unavailable_as_transient():
            response = self.client.get_item(
                TableName=self.table_name,
                Key={"PK": {"S": snapshot_pk(board_id, period)}, "SK": {"S": SNAPSHOT_SK}},
                ConsistentRead=True,
            )
        if "Item" not in response:
            return None
        item = plain(response["Item"])
        return Snapshot(
            board_id=item["BoardId"],
            period=item["Period"],
            total=int(item["Total"]),
            entries=[(u, int(p), None if r is None else int(r)) for u, p, r in json.loads(item["Entries"])],
            taken_at=datetime.fromisoformat(item["TakenAt"]),
            source=item["Source"],
            closed=item.get("Status") == "closed",
            prize_errors=json.loads(item.get("PrizeErrors", "[]")),
        )

    def put_snapshot(self, snapshot: Snapshot) -> Snapshot:
        """Store the snapshot unless one exists; returns the stored one either way, so two
        closers agree on the standings that prizes are paid from."""
        item = {
            "PK": {"S": snapshot_pk(snapshot.board_id, snapshot.period)},
            "SK": {"S": SNAPSHOT_SK},
            "BoardId": {"S": snapshot.board_id},
            "Period": {"S": snapshot.period},
            "Total": {"N": str(snapshot.total)},
            "Entries": {"S": json.dumps(snapshot.entries, separators=(",", ":"))},
            "TakenAt": {"S": snapshot.taken_at.isoformat()},
            "Source": {"S": snapshot.source},
            "Status": {"S": "taken"},
        }
        try:
            # First closer wins: a second one (retry, overlapping schedule) must not pay prizes
            # from standings of its own.
            self.client.put_item(
                TableName=self.table_name, Item=item, ConditionExpression="attribute_not_exists(PK)"
            )
        except ClientError as exc:
            if not _is_condition_failure(exc):
                raise
            stored = self.snapshot(snapshot.board_id, snapshot.period)
            assert stored is not None
            return stored
        return snapshot

    def mark_closed(self, board_id: str, period: str, prize_errors: list[str]) -> None:
        self.client.update_item(
            TableName=self.table_name,
            Key={"PK": {"S": snapshot_pk(board_id, period)}, "SK": {"S": SNAPSHOT_SK}},
            UpdateExpression="SET #s = :closed, PrizeErrors = :errors",
            ExpressionAttributeNames={"#s": "Status"},
            ExpressionAttributeValues={
                ":closed": {"S": "closed"},
                ":errors": {"S": json.dumps(prize_errors)},
            },
        )

    # -- moderation -------------------------------------------------------------------------

    def rewrite_score(self, item: ScoreItem) -> bool:
        """Put a score item unless a newer version is stored; False when one was."""
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=score_attributes(item),
                # Never replace what a later commit of this user wrote.
                ConditionExpression="attribute_not_exists(PK) OR Version < :v",
                ExpressionAttributeValues={":v": {"N": str(item.version)}},
            )
        except ClientError as exc:
            if not _is_condition_failure(exc):
                raise
            return False
        return True

    def put_exclusion(self, user_id: str, actor: str, reason: str, at: datetime) -> None:
        self.client.put_item(
            TableName=self.table_name,
            Item={
                "PK": {"S": MODERATION_PK},
                "SK": {"S": f"{EXCLUDED_PREFIX}{user_id}"},
                "UserId": {"S": user_id},
                "Actor": {"S": actor},
                "Reason": {"S": reason},
                "At": {"S": at.isoformat()},
            },
        )

    def delete_exclusion(self, user_id: str) -> None:
        self.client.delete_item(
            TableName=self.table_name,
            Key={"PK": {"S": MODERATION_PK}, "SK": {"S": f"{EXCLUDED_PREFIX}{user_id}"}},
        )

    def exclusions(self) -> list[ExclusionRecord]:
        """Every excluded user with who excluded them, when and why."""
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": MODERATION_PK}, ":prefix": {"S": EXCLUDED_PREFIX}},
        }
        found: list[ExclusionRecord] = []
        while True:
            page = self.client.query(**kwargs)
            found += [_exclusion(plain(raw)) for raw in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _exclusion(item: dict[str, Any]) -> ExclusionRecord:
    return ExclusionRecord(item["UserId"], item["Actor"], item["Reason"], datetime.fromisoformat(item["At"]))
