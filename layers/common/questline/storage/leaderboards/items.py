"""The stored form of leaderboard items in DynamoDB: the key scheme, score items (written with
the user's commit) with their board index keys, and what every leaderboard adapter shares to
read and write them. The board index is read by storage.leaderboards.dynamo; snapshots and
exclusions live in storage.leaderboards.archive.

| item      | PK                     | SK                     | BoardIndex (sparse)                     |
|-----------|------------------------|------------------------|-----------------------------------------|
| score     | USER#<user>            | SCORE#<board>#<period> | BOARD#<board>#<period>#<shard> / <key>  |
| snapshot  | BOARD#<board>#<period> | SNAPSHOT               |                                         |
| exclusion | MODERATION             | EXCLUDED#<user>        |                                         |

The index key is ``packed + 2**63`` zero-padded to 20 digits, ``#``, the user id: descending
order is the board order (see domain.leaderboards.order). Each board period is spread over
INDEX_SHARDS index partitions (by user) so no partition takes every write of a popular board;
readers merge the shards. Excluded users' items carry no index keys, so they are in no read.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from questline.domain.leaderboards.order import sort_key
from questline.domain.leaderboards.scores import ScoreItem
from questline.errors import TransientError
from questline.storage import item_codec, keys

BOARD_INDEX = "BoardIndex"
INDEX_SHARDS = 4
SCORE_PREFIX = "SCORE#"


def score_sk(board_id: str, period: str) -> str:
    return f"{SCORE_PREFIX}{board_id}#{period}"


def index_pk(board_id: str, period: str, shard: int) -> str:
    return f"BOARD#{board_id}#{period}#{shard}"


@contextmanager
def unavailable_as_transient() -> Iterator[None]:
    """DynamoDB refusing or unreachable is a TransientError (a 503, retried), never a crash."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise TransientError(f"DynamoDB unavailable: {exc}") from exc


def score_attributes(item: ScoreItem) -> dict[str, Any]:
    """The stored form of a score item; excluded users' items stay out of the index."""
    indexed = not item.excluded
    shard = zlib.crc32(item.user_id.encode()) % INDEX_SHARDS
    return item_codec.item(
        PK=keys.user_pk(item.user_id),
        SK=score_sk(item.board_id, item.period),
        UserId=item.user_id,
        BoardId=item.board_id,
        Period=item.period,
        Score=item.score,
        ReachedAt=item.reached,
        Packed=item.packed,
        Version=item.version,
        Excluded=True if item.excluded else None,
        ExpiresAt=item.expires_at,
        BoardPK=index_pk(item.board_id, item.period, shard) if indexed else None,
        BoardSK=sort_key(item.packed, item.user_id) if indexed else None,
    )


@dataclass(frozen=True)
class StoredScore:
    """A score item as read back (the index keys and the dense flag are not kept)."""

    user_id: str
    board_id: str
    period: str
    score: int
    reached: int
    packed: int
    version: int
    excluded: bool
    expires_at: int | None


def stored_score(raw: dict[str, Any]) -> StoredScore:
    """A score item (plain values) as a StoredScore."""
    expires = raw.get("ExpiresAt")
    return StoredScore(
        user_id=raw["UserId"],
        board_id=raw["BoardId"],
        period=raw["Period"],
        score=int(raw["Score"]),
        reached=int(raw["ReachedAt"]),
        packed=int(raw["Packed"]),
        version=int(raw["Version"]),
        excluded=bool(raw.get("Excluded", False)),
        expires_at=None if expires is None else int(expires),
    )


def score_put(table_name: str, item: ScoreItem) -> dict[str, Any]:
    """A transaction Put of one absolute score. No condition: the profile's version check in the
    same transaction already orders every writer of this user."""
    return {"Put": {"TableName": table_name, "Item": score_attributes(item)}}
