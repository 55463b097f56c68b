"""How events and clock ticks move streaks, and the domain events they emit (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from questline.domain.clock import STREAK, DueKey
from questline.domain.events import matches
from questline.domain.periods import period_label
from questline.domain.state import DomainEvent
from questline.domain.step import NOTHING, Effects, Step
from questline.domain.streaks import StreakState, at_risk, open_period, period_of, prune, record, status
from questline.models.streaks import Streak


def advance_streaks(step: Step) -> Effects:
    """Count the step's event towards every streak it matches; ``changed`` holds the streaks
    changed."""
    state, event, time = step.state, step.event, step.time
    if not step.catalog.streaks_by_id:
        return NOTHING  # free for catalogs without streaks: no lookup, nothing built
    streaks = step.catalog.streak_index.lookup(event.type)
    if not streaks:
        return NOTHING
    changed: set[str] = set()
    emitted: list[DomainEvent] = []
    for streak in streaks:
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
            emitted += _announce_extension(step, streak, after, period)
    return Effects(changed, emitted)


def _announce_extension(step: Step, streak: Streak, after: StreakState, period: int) -> list[DomainEvent]:
    """StreakExtended, and a StreakMilestone for each milestone the extension reaches."""
    user_id, event = step.state.user_id, step.event
    newest = max(last for _, last in after.runs)
    now = status(streak, after, newest + 1)
    label = period_label(period, streak.period, step.time.week_start)
    detail = {"streakId": streak.id, "period": label, "current": now.current, "longest": now.longest}
    emitted = [
        DomainEvent.make(
            "StreakExtended", user_id, f"{streak.id}:{period}", event.timestamp, detail, (event.id,)
        )
    ]
    before = status(streak, _without(after, period), newest + 1).current
    for milestone in streak.milestones:
        if before < milestone <= now.current:
            emitted.append(
                DomainEvent.make(
                    "StreakMilestone",
                    user_id,
                    f"{streak.id}:{milestone}:{newest}",
                    event.timestamp,
                    {"streakId": streak.id, "milestone": milestone, "catalogVersion": step.catalog.version},
                    (event.id,),
                )
            )
    return emitted


def _without(state: StreakState, period: int) -> StreakState:
    runs: list[tuple[int, int]] = []
    for first, last in state.runs:
        if first <= period <= last:
            runs += [r for r in ((first, period - 1), (period + 1, last)) if r[0] <= r[1]]
        else:
            runs.append((first, last))
    return StreakState(runs=tuple(runs), grants=state.grants)


def close_streaks(tick: Step) -> Effects:
    """At a clock tick: periods that ended without counting consume freezes or break streaks;
    ``changed`` holds the streaks closed."""
    state, event, catalog, time = tick.state, tick.event, tick.catalog, tick.time
    emitted: list[DomainEvent] = []
    changed: set[str] = set()
    for streak in catalog.catalog.streaks:
        held = state.streaks.get(streak.id)
        if held is None or not held.runs:
            continue
        open_at = open_period(streak, event.timestamp, time.tz, time.week_start)
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
                    "StreakFrozen",
                    state.user_id,
                    f"{streak.id}:{frozen}",
                    event.timestamp,
                    detail,
                    (event.id,),
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
                    event.timestamp,
                    detail,
                    (event.id,),
                )
            )
            reported = now.last
        closed = replace(held, closed=open_at - 1, reported_break=reported)
        state.streaks[streak.id] = prune(streak, closed, open_at)
        changed.add(streak.id)
    return Effects(changed, emitted)


def streak_deadlines(step: Step, streak_ids: set[str]) -> dict[DueKey, datetime | None]:
    """The next instant each changed streak must be looked at by the clock (None: never), as
    seen at the step's event."""
    state, catalog, time, now = step.state, step.catalog, step.time, step.event.timestamp
    by_id = {s.id: s for s in catalog.catalog.streaks}
    deadlines: dict[DueKey, datetime | None] = {}
    for streak_id in streak_ids:
        streak = by_id.get(streak_id)
        if streak is None:
            continue
        open_at = open_period(streak, now, time.tz, time.week_start)
        deadlines[DueKey(STREAK, streak_id)] = at_risk(
            streak, state.streaks[streak_id], open_at, time.tz, time.week_start
        )
    return deadlines
