"""What every leaderboard read shares: finding the board and period a request names, page
cursors, and turning ranked rows into display-ready entries."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from questline.domain.leaderboards.order import Ranked, reached_of, score_of
from questline.domain.leaderboards.specs import BoardPeriod, BoardSpec, compile_boards
from questline.errors import NotFoundError, RequestRejected
from questline.models.leaderboards.api import BoardEntry, PeriodInfo
from questline.services.runtime import Runtime

DEGRADED_HEADER = "X-Questline-Degraded"
REDIS_UNAVAILABLE = "redis-unavailable"  # down, timing out, or not configured
REDIS_NOT_READY = "redis-not-ready"  # up, but not rebuilt since it was emptied
MAX_PAGE = 100
MAX_NEIGHBOURS = 25
FRIENDS_LIMIT = 100
# A degraded rank is a count of the rows above, and counting reads them: past this many rows
# the rank is reported as unknown (null) rather than costing a long scan.
RANK_COUNT_BUDGET = 5000


def rejected(field: str, message: str) -> RequestRejected:
    return RequestRejected(message, [{"field": field, "message": message}])


def resolve_board(runtime: Runtime, board_id: str) -> BoardSpec:
    spec = compile_boards(runtime.catalog).by_id.get(board_id)
    if spec is None:
        raise NotFoundError(f"no board {board_id!r}")
    return spec


def resolve_period(spec: BoardSpec, key: str | None, now: datetime) -> BoardPeriod:
    """``current`` (default), ``previous``, or a period key (any date inside the period)."""
    current = spec.period_at(now)
    if key in (None, "", "current"):
        return current
    if key == "previous":
        if current.index is None:
            raise rejected("period", "an all-time board has no previous period")
        return spec.shifted(current, -1)
    try:
        period = spec.period_of_key(key)
    except ValueError as exc:
        raise rejected("period", str(exc)) from exc
    if period.index is not None and current.index is not None and period.index > current.index:
        raise rejected("period", "that period has not started yet")
    return period


def period_info(spec: BoardSpec, period: BoardPeriod, now: datetime) -> PeriodInfo:
    status = spec.status(period, now)
    return PeriodInfo(
        key=period.key,
        start=period.start,
        end=period.end,
        closes_at=spec.closes_at(period),
        status=status,
    )


def entry(spec: BoardSpec, period: BoardPeriod, ranked: Ranked, position_known: bool = True) -> BoardEntry:
    return BoardEntry(
        rank=ranked.rank if position_known else None,
        position=ranked.position if position_known else None,
        user_id=ranked.user_id,
        score=score_of(spec, ranked.packed),
        tied=ranked.tied,
        reached_at=reached_of(spec, period, ranked.packed),
    )


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: its 0-based position, and the last entry's index key, rank
    and score band (DynamoDB pages continue from the key; Redis pages from the position)."""

    period: str
    position: int
    key: str
    rank: int | None
    band: int

    def encode(self) -> str:
        data = {"d": self.period, "p": self.position, "k": self.key, "r": self.rank, "b": self.band}
        return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()

    @staticmethod
    def decode(text: str, period: BoardPeriod) -> Cursor:
        try:
            data = json.loads(base64.urlsafe_b64decode(text.encode()))
            cursor = Cursor(str(data["d"]), int(data["p"]), str(data["k"]), data["r"], int(data["b"]))
        except (ValueError, KeyError, TypeError, OverflowError, binascii.Error) as exc:  # 1e400 is inf
            raise rejected("cursor", "not a cursor this API returned") from exc
        if cursor.period != period.key or cursor.position < 0 or not isinstance(cursor.rank, int | None):
            raise rejected("cursor", "the cursor belongs to another period or is malformed")
        return cursor
