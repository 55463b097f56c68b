"""Board order: one integer per member whose order *is* the board's order (pure).

Encoding. ``packed = band * 2**24 + tie`` where ``band`` is the score (``order: desc``) or its
negation (``asc``), and ``tie`` breaks equal scores:

* ``tieBreak: first``: ``2**24 - 1 - ticks``, so whoever reached the score earlier is higher;
* ``tieBreak: last``: ``ticks``;  ``tieBreak: none``: 0 (equal scores share a rank).

``ticks`` counts seconds since the period's start (day, week, month: at most 31 days, well
inside 2**24 s = 194 days) or, on all-time boards, minutes since 2024-01-01 UTC (2**24 minutes
last until November 2055; later instants clamp). A higher ``packed`` always ranks higher, so
Redis reads every board with ZREVRANGE / ZREVRANK; equal ``packed`` values (same score, same
second) are ordered by user id, descending, in Redis and in DynamoDB alike.

Limits. Redis scores are doubles, exact for integers up to 2**53. Scores up to
``MAX_EXACT_SCORE`` = 2**29 - 1 = 536,870,911 (in absolute value) keep the exact order *and* the
tie-break. Larger scores, up to ``MAX_SCORE`` = 2**39 - 1 = 549,755,813,887, keep the exact
order by score but drop the tie-break (ties then go by user id). Scores beyond that are ranked
as ``MAX_SCORE``. Scores are integers: metric values are rounded down.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from questline.domain.leaderboards.specs import BoardPeriod, BoardSpec

TIE_BITS = 24
TIE_SPAN = 1 << TIE_BITS
MAX_EXACT_SCORE = (1 << (53 - TIE_BITS)) - 1
MAX_SCORE = (1 << 39) - 1
ALL_TIME_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
ALL_TIME_TICK = 60  # seconds
# DynamoDB sort keys are strings; packed values are offset to be non-negative and zero-padded,
# so string order equals numeric order.
_SORT_OFFSET = 1 << 63


def clamp_score(value: float) -> int:
    """A metric or balance value as a board score: an integer within +/- MAX_SCORE."""
    return max(-MAX_SCORE, min(MAX_SCORE, math.floor(value)))


def _ticks(spec: BoardSpec, period: BoardPeriod, reached: int) -> int:
    if period.start is None:
        ticks = (reached - int(ALL_TIME_EPOCH.timestamp())) // ALL_TIME_TICK
    else:
        ticks = reached - int(period.start.timestamp())
    return max(0, min(TIE_SPAN - 1, ticks))


def pack(spec: BoardSpec, period: BoardPeriod, score: int, reached: int) -> int:
    """The member's packed value; ``reached`` is when the score was reached (epoch seconds)."""
    score = clamp_score(score)
    board = spec.board
    band = score if board.order == "desc" else -score
    if board.tie_break == "none" or abs(score) > MAX_EXACT_SCORE:
        return band * TIE_SPAN
    ticks = _ticks(spec, period, reached)
    tie = TIE_SPAN - 1 - ticks if board.tie_break == "first" else ticks
    return band * TIE_SPAN + tie


def band_of(packed: int) -> int:
    return packed >> TIE_BITS  # floors, so negative bands decode too


def score_of(spec: BoardSpec, packed: int) -> int:
    band = band_of(packed)
    return band if spec.board.order == "desc" else -band


def reached_of(spec: BoardSpec, period: BoardPeriod, packed: int) -> datetime | None:
    """The tie-break instant a packed value carries (None when the board keeps none)."""
    board = spec.board
    if board.tie_break == "none" or abs(score_of(spec, packed)) > MAX_EXACT_SCORE:
        return None
    tie = packed - (band_of(packed) << TIE_BITS)
    ticks = TIE_SPAN - 1 - tie if board.tie_break == "first" else tie
    if period.start is None:
        return ALL_TIME_EPOCH + timedelta(seconds=ticks * ALL_TIME_TICK)
    return period.start + timedelta(seconds=ticks)


def band_floor(band: int) -> int:
    """The smallest packed value of a band (members of a better band are at or above the next)."""
    return band << TIE_BITS


def sort_key(packed: int, user_id: str) -> str:
    """The DynamoDB index sort key: descending order of it is the board order."""
    return f"{packed + _SORT_OFFSET:020d}#{user_id}"


def packed_of_sort_key(key: str) -> tuple[int, str]:
    number, _, user_id = key.partition("#")
    return int(number) - _SORT_OFFSET, user_id


def board_order(rows: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """(user, packed) pairs in board order, as Redis and the index return them."""
    return sorted(rows, key=lambda row: (row[1], row[0]), reverse=True)


@dataclass(frozen=True)
class Ranked:
    user_id: str
    packed: int
    position: int  # 1-based place in the board order
    rank: int | None  # None when it cannot be known cheaply (degraded dense ranks)
    tied: bool  # someone else has the same score


def rank_rows(
    spec: BoardSpec,
    rows: Sequence[tuple[str, int]],
    first_position: int,
    first_rank: int | None,
    before: int | None = None,
    after: int | None = None,
) -> list[Ranked]:
    """Ranks for consecutive rows of the board order. ``before`` and ``after`` are the packed
    values just outside the rows (for tie flags). With a tie-break every rank is the position;
    with ``tieBreak: none`` equal scores share a rank, and ``first_rank`` (the first row's true
    rank) anchors competition or dense numbering."""
    bands = [band_of(p) for _, p in rows]
    edges = [None if before is None else band_of(before), *bands, None if after is None else band_of(after)]
    ranked: list[Ranked] = []
    rank = first_rank
    for i, (user_id, packed) in enumerate(rows):
        position = first_position + i
        if spec.board.tie_break != "none":
            rank = position
        elif i > 0 and bands[i] != bands[i - 1]:
            dense = spec.board.ranking == "dense"
            rank = position if not dense else None if rank is None else rank + 1
        tied = edges[i] == bands[i] or edges[i + 2] == bands[i]
        ranked.append(Ranked(user_id, packed, position, rank, tied))
    return ranked
