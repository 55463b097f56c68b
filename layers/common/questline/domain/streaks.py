"""Streaks (pure): consecutive periods with enough matching events, in the user's zone.

State is a short list of runs of counted periods (period ordinals from periods.py), so the
outcome is a function of which periods counted, not of the order events arrived in: a late
event that fills a gap rejoins the runs. Freezes bridge missed periods when the runs are
walked; they never count as extensions and never bridge more periods than the user holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from questline.domain.events import field_value, numeric
from questline.domain.periods import period_bounds_of, period_index
from questline.models.envelope import EventEnvelope
from questline.models.streaks import Streak

HISTORY_KEPT = 10
PENDING_KEPT = 4


@dataclass(frozen=True)
class StreakState:
    runs: tuple[tuple[int, int], ...] = ()  # counted periods as [first, last] ranges, oldest first
    pending: tuple[tuple[int, float], ...] = ()  # progress of recent periods not yet counted
    grants: tuple[tuple[int, int], ...] = ()  # (period, freezes granted in it)
    closed: int | None = None  # the last period whose end (plus grace) has been processed
    history: tuple[int, ...] = ()  # the latest extensions
    reported_break: int | None = None  # the last period of a run whose break was announced


@dataclass(frozen=True)
class StreakStatus:
    current: int
    longest: int
    freezes: int
    frozen: tuple[int, ...]
    broken: bool
    last: int | None  # the last counted or frozen period of the current streak


def period_of(streak: Streak, at: datetime, tz: str, week_start: int) -> int:
    return period_index(at, tz, streak.period, week_start)


def open_period(streak: Streak, now: datetime, tz: str, week_start: int) -> int:
    """The earliest period still open at ``now``: its end plus the grace has not passed."""
    return period_index(now - timedelta(seconds=streak.grace_seconds), tz, streak.period, week_start)


def status(streak: Streak, state: StreakState, open_at: int) -> StreakStatus:
    """Walk the runs oldest first; periods before ``open_at`` that did not count are missed."""
    policy = streak.freezes
    grants = sorted(state.grants)
    freezes, current, longest = 0, 0, 0
    frozen: list[int] = []
    previous: int | None = None
    for first, last in state.runs:
        freezes, grants = _add_grants(freezes, grants, first, policy.max)
        if previous is not None:
            gap = first - previous - 1
            if gap <= freezes:
                freezes -= gap
                frozen += range(previous + 1, first)
            else:
                current, frozen = 0, []
        before = current
        current += last - first + 1
        if policy.earn_every:
            earned = current // policy.earn_every - before // policy.earn_every
            freezes = min(policy.max, freezes + earned)
        longest = max(longest, current)
        previous = last
    freezes, _ = _add_grants(freezes, grants, open_at, policy.max)
    if previous is None:
        return StreakStatus(0, 0, freezes, (), False, None)
    missed = open_at - previous - 1
    if missed > freezes:
        return StreakStatus(0, longest, freezes, (), True, previous)
    if missed > 0:
        freezes -= missed
        frozen += range(previous + 1, open_at)
        previous = open_at - 1
    return StreakStatus(current, longest, freezes, tuple(frozen), False, previous)


def _add_grants(
    freezes: int, grants: list[tuple[int, int]], upto: int, cap: int
) -> tuple[int, list[tuple[int, int]]]:
    while grants and grants[0][0] <= upto:
        freezes = min(cap, freezes + grants.pop(0)[1])
    return freezes, grants


def record(streak: Streak, state: StreakState, event: EventEnvelope, period: int) -> tuple[StreakState, bool]:
    """Add one matching event's contribution; returns (state, whether ``period`` newly counts)."""
    if _counted(state, period):
        return state, False
    amount: float = 1.0
    if streak.minimum.aggregate == "sum":
        value = numeric(field_value(event.payload, streak.minimum.field or ""))
        if value is None or value <= 0:
            return state, False
        amount = value
    pending = dict(state.pending)
    progress = pending.get(period, 0.0) + amount
    if progress < streak.minimum.threshold:
        pending[period] = progress
        newest = sorted(pending)[-PENDING_KEPT:]
        return replace(state, pending=tuple((p, pending[p]) for p in newest)), False
    pending.pop(period, None)
    history = tuple(sorted({*state.history, period}))[-HISTORY_KEPT:]
    return replace(
        state, runs=_insert(state.runs, period), pending=tuple(sorted(pending.items())), history=history
    ), True


def _counted(state: StreakState, period: int) -> bool:
    return any(first <= period <= last for first, last in state.runs)


def _insert(runs: tuple[tuple[int, int], ...], period: int) -> tuple[tuple[int, int], ...]:
    merged: list[list[int]] = []
    for first, last in sorted([*runs, (period, period)]):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return tuple((a, b) for a, b in merged)


def grant_freezes(state: StreakState, period: int, count: int) -> StreakState:
    return replace(state, grants=(*state.grants, (period, count)))


def prune(streak: Streak, state: StreakState, open_at: int) -> StreakState:
    """Drop runs that can no longer join the current streak (older than a break that no
    freeze could bridge), keeping the state small."""
    if len(state.runs) <= 2:
        return state
    cap = streak.freezes.max
    keep_from = 0
    for i in range(1, len(state.runs)):
        if state.runs[i][0] - state.runs[i - 1][1] - 1 > cap + 1:
            keep_from = i - 1  # keep one run before the break, for the longest streak
    return replace(state, runs=state.runs[keep_from:]) if keep_from else state


def at_risk(streak: Streak, state: StreakState, open_at: int, tz: str, week_start: int) -> datetime | None:
    """When the streak next needs a counted period: the end (plus grace) of the period after the
    last counted or frozen one. None when there is no streak to lose."""
    current = status(streak, state, open_at)
    if current.broken or current.last is None:
        return None
    _, end = period_bounds_of(max(current.last + 1, open_at), tz, streak.period, week_start)
    return end + timedelta(seconds=streak.grace_seconds)
