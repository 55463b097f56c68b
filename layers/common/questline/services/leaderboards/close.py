"""Closing board periods: after the grace for late events, snapshot the final standings to
DynamoDB, grant rank prizes through the award path, and publish LeaderboardClosed.

Closing is idempotent. The first closer's snapshot wins (a conditional put) and prizes are paid
from it; each prize is an award whose idempotency key names the board period, so a second
close, a retry after a crash, or two overlapping schedules grant every prize once. The domain
event's id is derived from the board period, so consumers dedupe a republished one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from questline.domain.leaderboards.order import rank_rows, score_of
from questline.domain.leaderboards.specs import BoardPeriod, BoardSpec, compile_boards
from questline.domain.state import DomainEvent
from questline.errors import RequestRejected
from questline.models.api import AwardRequest, GrantRequest
from questline.services.awards import grant_award
from questline.services.runtime import Runtime
from questline.storage.leaderboards.archive import Snapshot
from questline.storage.leaderboards.redis import CacheUnavailable

logger = logging.getLogger(__name__)

CLOSE_LOOKBACK = 3  # periods back each run looks at, so a missed run or two close late, not never
# Commits decided just before a period's close instant may still be landing; wait this long.
SETTLE = timedelta(minutes=2)
PRIZE_ACTOR = "leaderboard"
SNAPSHOT_COUNT_BUDGET = 10_000_000


@dataclass
class CloseResult:
    board_id: str
    period: str
    already_closed: bool = False
    prizes: int = 0
    prize_errors: list[str] = field(default_factory=list)


def close_due_periods(runtime: Runtime) -> list[CloseResult]:
    """Close every period whose grace (and settling time) has passed and that is not closed;
    returns what this run closed."""
    now = runtime.clock()
    results = []
    for spec in compile_boards(runtime.catalog).specs:
        current = spec.period_at(now)
        for back in range(CLOSE_LOOKBACK, 0, -1):
            period = spec.shifted(current, -back)
            closes, expires = spec.closes_at(period), spec.expires_at(period)
            if closes is None or expires is None or not closes + SETTLE <= now < expires:
                continue
            result = close_period(runtime, spec, period, now)
            if not result.already_closed:
                results.append(result)
    return results


def close_period(runtime: Runtime, spec: BoardSpec, period: BoardPeriod, now: datetime) -> CloseResult:
    """Snapshot, pay prizes, announce; a closed period is left as it is."""
    archive = runtime.board_store.archive
    result = CloseResult(spec.id, period.key)
    snapshot = archive.snapshot(spec.id, period.key)
    if snapshot is not None and snapshot.closed:
        result.already_closed = True
        return result
    if snapshot is None:
        snapshot = archive.put_snapshot(take_snapshot(runtime, spec, period, now))
    for user_id, _, rank in snapshot.entries:
        prize = next(
            (p for p in spec.board.prizes if rank is not None and p.from_rank <= rank <= p.to_rank), None
        )
        if prize is None:
            continue
        request = AwardRequest(
            idempotency_key=f"lb.{spec.id}.{period.key}",
            grants=[GrantRequest(currency=g.currency, amount=g.amount) for g in prize.grants],
            achievement_id=prize.achievement,
            tier=prize.tier,
            reason=f"{spec.board.title} {period.key}: rank {rank}",
        )
        try:
            grant_award(user_id, request, PRIZE_ACTOR, runtime)
            result.prizes += 1
        except RequestRejected as exc:  # the catalog changed under the prize: never grantable
            logger.error("prize not granted", extra={"user_id": user_id, "board": spec.id, "error": str(exc)})
            result.prize_errors.append(f"{user_id}: {exc}")
    if snapshot.total:  # a period nobody played is closed quietly
        runtime.bus.publish([closed_event(spec, period, snapshot, now)])
    archive.mark_closed(spec.id, period.key, result.prize_errors)
    return result


def take_snapshot(runtime: Runtime, spec: BoardSpec, period: BoardPeriod, now: datetime) -> Snapshot:
    """The top ``snapshotSize`` and the member count. Prizes are paid from this, so Redis's top
    is used only when the board index agrees with it (a cheap check: one query per shard);
    otherwise the index is the source."""
    size = spec.board.snapshot_size
    store = runtime.board_store
    indexed = [(r.user_id, r.packed) for r in store.best(spec.id, period.key, size)]
    rows, source, total = indexed, "dynamodb", None
    try:
        ready, found, _, counted = runtime.board_cache.top(spec.id, period.key, 0, size)
        if ready and found[:size] == indexed:
            source, total = "redis", counted
        elif ready:
            logger.warning("Redis disagrees with the board index at close", extra={"board": spec.id})
    except CacheUnavailable:
        pass
    if total is None:
        total = store.count_above(spec.id, period.key, None, SNAPSHOT_COUNT_BUDGET) or 0
    ranked = rank_rows(spec, rows, 1, 1)
    entries = [(r.user_id, r.packed, r.rank) for r in ranked]
    return Snapshot(spec.id, period.key, total, entries, now, source)


def closed_event(spec: BoardSpec, period: BoardPeriod, snapshot: Snapshot, now: datetime) -> DomainEvent:
    podium = [{"userId": u, "rank": r, "score": score_of(spec, p)} for u, p, r in snapshot.entries[:10]]
    detail = {
        "boardId": spec.id,
        "period": period.key,
        "start": period.start.isoformat() if period.start else None,
        "end": period.end.isoformat() if period.end else None,
        "total": snapshot.total,
        "top": podium,
    }
    return DomainEvent.make("LeaderboardClosed", "", f"{spec.id}:{period.key}", now, detail, ())
