"""How events and clock ticks move streaks, and the domain events they emit (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from questline.domain.catalog import CompiledCatalog
from questline.domain.events import matches
from questline.domain.metrics import TimeContext
from questline.domain.periods import period_label
from questline.domain.state import DomainEvent, UserState
from questline.domain.streaks import StreakState, at_risk, open_period, period_of, prune, record, status
from questline.models.envelope import EventEnvelope
from questline.models.streaks import Streak


def advance_streaks(
    state: UserState,
    event: EventEnvelope,
    catalog: CompiledCatalog,
    time: TimeContext,
    emitted: list[DomainEvent],
) -> set[str]:
    """Count ``event`` towards every streak it matches; returns the streaks that changed."""
    changed: set[str] = set()
    for streak in catalog.streak_index.lookup(event.type):
        if not matches(streak.events, event):
            continue
        period = period_of(streak, event.timestamp, time.tz, time.week_start)
        before = state.streaks.get(streak.id, StreakState())
        after, counted = record(streak, before, event, period)
        if after is before:
            continue
        state.streaks[streak.id] = after
        changed.add(streak.id)
        if counted:
            _announce_extension(state, streak, after, period, event, catalog, time, emitted)
    return changed


def _announce_extension(
    state: UserState,
    streak: Streak,
    after: StreakState,
    period: int,
    event: EventEnvelope,
    catalog: CompiledCatalog,
    time: TimeContext,
    emitted: list[DomainEvent],
) -> None:
    newest = max(last for _, last in after.runs)
    now = status(streak, after, newest + 1)
    label = period_label(period, streak.period, time.week_start)
    detail = {"streakId": streak.id, "period": label, "current": now.current, "longest": now.longest}
    emitted.append(
        DomainEvent.make(
            "StreakExtended", state.user_id, f"{streak.id}:{period}", event.timestamp, detail, (event.id,)
        )
    )
    before = status(streak, _without(after, period), newest + 1).current
    for milestone in streak.milestones:
        if before < milestone <= now.current:
            emitted.append(
                DomainEvent.make(
                    "StreakMilestone",
                    state.user_id,
                    f"{streak.id}:{milestone}:{newest}",
                    event.timestamp,
                    {"streakId": streak.id, "milestone": milestone, "catalogVersion": catalog.version},
                    (event.id,),
                )
            )


def _without(state: StreakState, period: int) -> StreakState:
    runs: list[tuple[int, int]] = []
    for first, last in state.runs:
        if first <= period <= last:
            runs += [r for r in ((first, period - 1), (period + 1, last)) if r[0] <= r[1]]
        else:
            runs.append((first, last))
    return StreakState(runs=tuple(runs), grants=state.grants)


def close_streaks(
    state: UserState,
    tick: EventEnvelope,
    catalog: CompiledCatalog,
    time: TimeContext,
    emitted: list[DomainEvent],
) -> set[str]:
    """At a clock tick: periods that ended without counting consume freezes or break streaks."""
    changed: set[str] = set()
    for streak in catalog.catalog.streaks:
        held = state.streaks.get(streak.id)
        if held is None or not held.runs:
            continue
        open_at = open_period(streak, tick.timestamp, time.tz, time.week_start)
        if held.closed is not None and held.closed >= open_at - 1:
            continue
        now = status(streak, held, open_at)
        for frozen in (f for f in now.frozen if held.closed is None or f > held.closed):
            detail = {
                "streakId": streak.id,
                "period": period_label(frozen, streak.period, time.week_start),
                "freezesLeft": now.freezes,
            }
            emitted.append(
                DomainEvent.make(
                    "StreakFrozen", state.user_id, f"{streak.id}:{frozen}", tick.timestamp, detail, (tick.id,)
                )
            )
        reported = held.reported_break
        if now.broken and reported != now.last:
            detail = {
                "streakId": streak.id,
                "length": status(streak, held, (now.last or 0) + 1).current,
                "longest": now.longest,
            }
            emitted.append(
                DomainEvent.make(
                    "StreakBroken",
                    state.user_id,
                    f"{streak.id}:{now.last}",
                    tick.timestamp,
                    detail,
                    (tick.id,),
                )
            )
            reported = now.last
        closed = replace(held, closed=open_at - 1, reported_break=reported)
        state.streaks[streak.id] = prune(streak, closed, open_at)
        changed.add(streak.id)
    return changed


def streak_deadlines(
    state: UserState, streak_ids: set[str], catalog: CompiledCatalog, time: TimeContext, now: datetime
) -> dict[str, datetime | None]:
    """The next instant each changed streak must be looked at by the clock (None: never)."""
    by_id = {s.id: s for s in catalog.catalog.streaks}
    deadlines: dict[str, datetime | None] = {}
    for streak_id in streak_ids:
        streak = by_id.get(streak_id)
        if streak is None:
            continue
        open_at = open_period(streak, now, time.tz, time.week_start)
        deadlines[f"STREAK#{streak_id}"] = at_risk(
            streak, state.streaks[streak_id], open_at, time.tz, time.week_start
        )
    return deadlines
