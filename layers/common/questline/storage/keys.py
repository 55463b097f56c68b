"""The single-table key scheme (documented in template.yaml too).

| item                     | PK                      | SK                 | due index (sparse)         |
|--------------------------|-------------------------|--------------------|----------------------------|
| profile (XP, level, ...) | USER#<user>             | PROFILE            |                            |
| unlock record (audit)    | USER#<user>             | ACH#<id>[#tier|#n] |                            |
| ledger (direct awards)   | USER#<user>             | LEDGER#<at>#<id>   |                            |
| deadline (streak, quest) | USER#<user>             | DUE#<kind>#<id>    | DUE#TICK#<day>#<shard> / … |
| outbox (unpublished)     | USER#<user>             | OUTBOX#<id>        | DUE#<day>#<shard> / <at>#… |
| dedupe marker            | EVENT#<user>#<event id> | EVENT              |                            |
| catalog version          | CATALOG                 | VERSION#<version>  |                            |
| active catalog pointer   | CATALOG                 | ACTIVE             |                            |
| board score              | USER#<user>             | SCORE#<board>#<p>  | BoardIndex: see below      |
| board closing snapshot   | BOARD#<board>#<period>  | SNAPSHOT           |                            |
| board exclusion          | MODERATION              | EXCLUDED#<user>    |                            |

Board items and the board index (BoardPK / BoardSK) are described in storage.leaderboards.items.

Dedupe markers live in their own partitions so loading a user never reads them, and they carry
no short TTL: a duplicate months late is still a duplicate.
"""

from __future__ import annotations

import zlib
from datetime import datetime

from questline.domain.clock import DueKey

PROFILE_SK = "PROFILE"
ACHIEVEMENT_PREFIX = "ACH#"
OUTBOX_PREFIX = "OUTBOX#"
LEDGER_PREFIX = "LEDGER#"
DUE_PREFIX = "DUE#"
EVENT_SK = "EVENT"
DUE_INDEX = "DueIndex"
CATALOG_PK = "CATALOG"
CATALOG_ACTIVE_SK = "ACTIVE"
CATALOG_VERSION_PREFIX = "VERSION#"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def achievement_sk(achievement_id: str) -> str:
    return f"{ACHIEVEMENT_PREFIX}{achievement_id}"


def outbox_sk(outbox_id: str) -> str:
    return f"{OUTBOX_PREFIX}{outbox_id}"


def due_key(key: DueKey) -> str:
    """A deadline's ``DueKey`` attribute, and its item's SK after ``DUE#``: ``<kind>#<id>``."""
    return f"{key.kind}#{key.id}"


def parse_due_key(text: str) -> DueKey:
    kind, _, id_ = text.partition("#")
    return DueKey(kind, id_)


def due_item_sk(key: DueKey) -> str:
    return f"{DUE_PREFIX}{due_key(key)}"


def ledger_sk(at: datetime, event_id: str) -> str:
    return f"{LEDGER_PREFIX}{at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{event_id}"


def catalog_version_sk(version: str) -> str:
    return f"{CATALOG_VERSION_PREFIX}{version}"


def event_marker_pk(user_id: str, event_id: str) -> str:
    return f"EVENT#{user_id}#{event_id}"


def due_pk(kind: str, at: datetime, shard: int) -> str:
    """Due items are bucketed by kind and UTC day, and spread over shards so no index partition
    takes every write of the day."""
    return f"DUE#{kind}#{at.strftime('%Y-%m-%d')}#{shard}"


def due_sk(at: datetime, pk: str, sk: str) -> str:
    return f"{at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{pk}#{sk}"


def shard_of(value: str, shards: int) -> int:
    """A stable shard number (crc32 is stable across processes, unlike hash())."""
    return zlib.crc32(value.encode()) % shards
