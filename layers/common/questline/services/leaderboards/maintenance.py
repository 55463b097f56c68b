"""Redis is disposable: rebuild it from DynamoDB, check it for drift, and the scheduled job that
keeps both (and the period closes) going.

A rebuild writes every indexed score item of every retained board period through the same
version-guarded script as live writes, so it converges with writers running concurrently: a
member's newer version always wins, whichever lands first. Only a rebuild that completed while
holding its lock marks Redis ready; reads trust Redis only then.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from questline.domain.leaderboards.specs import BoardPeriod, BoardSpec, compile_boards
from questline.models.leaderboards.api import DriftReport, PeriodDrift
from questline.services.leaderboards.close import close_due_periods
from questline.services.runtime import Runtime
from questline.storage.leaderboards.dynamo import IndexRow
from questline.storage.leaderboards.redis import CacheUnavailable, MemberWrite, RedisBoardCache

logger = logging.getLogger(__name__)

REBUILD_LOCK_SECONDS = 900
RECONCILE_FULL_LIMIT = 50_000  # larger board periods: only their top 100 are compared
Progress = Callable[[str], None]


@dataclass
class RebuildReport:
    skipped: bool = False  # another rebuild holds the lock
    ready: bool = False
    periods: int = 0
    members: int = 0
    applied: int = 0  # members whose value in Redis changed (0 when Redis was right)
    seconds: float = 0.0
    error: str | None = None


def load_period(
    cache: RedisBoardCache, spec: BoardSpec, period: BoardPeriod, pages: Iterable[list[IndexRow]]
) -> tuple[int, int]:
    """Write a board period's rows into Redis, a page per pipeline: (members, applied)."""
    expires = spec.expires_at(period)
    expire_at = int(expires.timestamp()) if expires else None
    members = applied = 0
    for rows in pages:
        writes = [MemberWrite(r.user_id, r.version, r.packed) for r in rows]
        applied += cache.write({(spec.id, period.key): (expire_at, spec.board.dense_index, writes)})
        members += len(rows)
    return members, applied


def rebuild(runtime: Runtime, progress: Progress | None = None) -> RebuildReport:
    """Repopulate Redis from DynamoDB for every board and retained period."""
    report = RebuildReport()
    started = time.perf_counter()
    cache, store, now = runtime.board_cache, runtime.board_store, runtime.clock()
    token = uuid.uuid4().hex
    try:
        if not cache.acquire_rebuild(token, REBUILD_LOCK_SECONDS):
            report.skipped = True
            return report
        for spec in compile_boards(runtime.catalog).specs:
            for period in spec.retained(now):
                members, applied = load_period(cache, spec, period, store.iter_rows(spec.id, period.key))
                report.periods += 1
                report.members += members
                report.applied += applied
                if progress and members:
                    progress(f"{spec.id} {period.key}: {members} members, {applied} updated")
        report.applied += _tombstones(runtime)
        report.ready = cache.mark_ready(token, now.isoformat())
        if not report.ready:
            report.error = "Redis was emptied during the rebuild; it stays degraded until the next one"
    except CacheUnavailable as exc:
        report.error = f"Redis unavailable: {exc}"
    report.seconds = time.perf_counter() - started
    return report


def _tombstones(runtime: Runtime) -> int:
    """Versioned removals for excluded users (few), so a delayed write from before the exclusion
    cannot bring one back into an emptied and rebuilt Redis."""
    boards = compile_boards(runtime.catalog).by_id
    groups: dict[tuple[str, str], tuple[int | None, bool, list[MemberWrite]]] = {}
    for excluded in runtime.board_store.archive.exclusions():
        for item in runtime.board_store.user_scores(excluded.user_id):
            spec = boards.get(item.board_id)
            if spec is None or not item.excluded:
                continue
            group = groups.setdefault((spec.id, item.period), (item.expires_at, spec.board.dense_index, []))
            group[2].append(MemberWrite(excluded.user_id, item.version, None))
    return runtime.board_cache.write(groups) if groups else 0


def reconcile(runtime: Runtime) -> DriftReport:
    """Compare Redis with DynamoDB for every retained board period."""
    cache, store, now = runtime.board_cache, runtime.board_store, runtime.clock()
    periods: list[PeriodDrift] = []
    try:
        ready = cache.is_ready()
        for spec in compile_boards(runtime.catalog).specs:
            for period in spec.retained(now):
                drift = _compare(cache, store, spec, period)
                if drift.redis_members or drift.dynamo_members or drift.missing:
                    periods.append(drift)  # empty periods on both sides say nothing
    except CacheUnavailable:
        return DriftReport(ready=False, drifted=True, periods=periods)
    drifted = any(
        p.missing or p.extra or p.wrong or p.dynamo_members not in (None, p.redis_members) for p in periods
    )
    return DriftReport(ready=ready, drifted=drifted, periods=periods)


def _compare(cache: RedisBoardCache, store: Any, spec: BoardSpec, period: BoardPeriod) -> PeriodDrift:
    counted = store.count_above(spec.id, period.key, None, RECONCILE_FULL_LIMIT)
    _, top, _, redis_total = cache.top(spec.id, period.key, 0, 100)
    if counted is None:  # too large to read whole: the top 100 must agree
        expected = {r.user_id: r.packed for r in store.best(spec.id, period.key, 100)}
        actual = dict(top[:100])
        compared, dynamo_total = "top", None
    else:
        expected = {r.user_id: r.packed for page in store.iter_rows(spec.id, period.key) for r in page}
        actual = cache.all_members(spec.id, period.key)
        compared, dynamo_total = "all", counted
    return PeriodDrift(
        board_id=spec.id,
        period=period.key,
        dynamo_members=dynamo_total,
        redis_members=redis_total,
        missing=sorted(set(expected) - set(actual))[:20],
        extra=sorted(set(actual) - set(expected))[:20],
        wrong=sorted(u for u in set(expected) & set(actual) if expected[u] != actual[u])[:20],
        compared=compared,
    )


@dataclass
class MaintainReport:
    closed: list[dict[str, Any]] = field(default_factory=list)
    rebuild: RebuildReport | None = None


def maintain(runtime: Runtime) -> MaintainReport:
    """The scheduled job: close due periods, and rebuild Redis if it is not ready."""
    report = MaintainReport()
    for result in close_due_periods(runtime):
        report.closed.append(vars(result))
    try:
        ready = runtime.board_cache.is_ready()
    except CacheUnavailable:
        return report  # nothing to rebuild into; reads stay degraded
    if not ready:
        report.rebuild = rebuild(runtime, lambda line: logger.info("rebuild: %s", line))
    return report
