"""The decide step: a pure function of (state, events, catalog, now).

It never reads a clock, a table or a cache; the services around it load state, pass time in,
and commit what it returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from questline.domain.achievements import evaluate_achievements
from questline.domain.awards import AWARD_EVENT_TYPE, apply_award
from questline.domain.catalog import CompiledCatalog
from questline.domain.clock import TICK_EVENT_TYPE, DueKey
from questline.domain.events import matches
from questline.domain.leaderboards.scores import record_boards, tracked_balances
from questline.domain.metrics import TimeContext, record
from questline.domain.quest_steps import advance_quests, close_quests, expire_overdue, quest_deadlines
from questline.domain.state import DomainEvent, Unlock, UserState
from questline.domain.step import NOTHING, Effects, Step
from questline.domain.streak_steps import advance_streaks, close_streaks, streak_deadlines
from questline.domain.xp import earn
from questline.models.envelope import EventEnvelope
from questline.models.zones import is_valid_zone


@dataclass(frozen=True)
class Decision:
    """The new state, what happened, which events it accounts for, and when the clock must next
    look at what changed (``due``: key -> instant, None to forget)."""

    state: UserState
    domain_events: list[DomainEvent]
    applied_event_ids: list[str]
    new_unlocks: list[Unlock]
    due: dict[DueKey, datetime | None] = field(default_factory=dict)


def order_events(events: Iterable[EventEnvelope]) -> list[EventEnvelope]:
    """Event-time order, ties broken by id so every worker sees the same order."""
    return sorted(events, key=lambda e: (e.timestamp, e.id))


def decide(
    state: UserState, events: Iterable[EventEnvelope], catalog: CompiledCatalog, now: datetime
) -> Decision:
    """Apply ``events`` (all for ``state.user_id``, none already applied) to ``state``."""
    new = state.copy()
    emitted: list[DomainEvent] = []
    unlocks: list[Unlock] = []
    applied: list[str] = []
    streaks: set[str] = set()
    quests: set[str] = set()
    ordered = order_events(events)
    for event in ordered:
        applied.append(event.id)
        balances = tracked_balances(new, catalog)
        step = Step(new, event, catalog, _time_context(new, event, catalog))
        streak_effects, quest_effects, events_emitted, new_unlocks = _apply_event(step)
        emitted += events_emitted
        unlocks += new_unlocks
        record_boards(new, event, catalog, balances, now)
        streaks |= streak_effects.changed
        quests |= quest_effects.changed
    due: dict[DueKey, datetime | None] = {}
    if ordered:
        new.updated_at = now
        time = TimeContext(new.time_zone or catalog.default_time_zone, catalog.week_start)
        last = Step(new, ordered[-1], catalog, time)
        # Late events may have reopened attempts that ended before they were known; what is still
        # unfinished past its deadline ends again (same domain event ids, so consumers see it once).
        expired = expire_overdue(last, now)
        emitted += expired.events
        quests |= expired.changed
        due = streak_deadlines(last, streaks)
        due |= quest_deadlines(last, quests)
    return Decision(new, emitted, applied, unlocks, due)


def _apply_event(step: Step) -> tuple[Effects, Effects, list[DomainEvent], list[Unlock]]:
    """Apply one event; returns what it did to streaks and to quests (whose deadlines change),
    and the domain events and unlocks of every part, in the order the parts ran."""
    event, catalog = step.event, step.catalog
    if event.type == TICK_EVENT_TYPE:
        streaks = close_streaks(step)
        quests = close_quests(step)
        achieved = NOTHING
        if streaks.changed or quests.changed:
            achieved = evaluate_achievements(step, set(catalog.state_dependent))
        return streaks, quests, [*streaks.events, *quests.events, *achieved.events], [*achieved.unlocks]
    touched = _record_metrics(step)
    earned = earn(step)
    streaks = advance_streaks(step)
    quests = advance_quests(step)
    awarded = apply_award(step) if event.type == AWARD_EVENT_TYPE else NOTHING
    candidates = catalog.achievements_for(touched)
    if earned.changed or streaks.changed or quests.changed or awarded.changed:
        candidates.update(catalog.state_dependent)
    achieved = evaluate_achievements(step, candidates)
    events = [*earned.events, *streaks.events, *quests.events, *awarded.events, *achieved.events]
    return streaks, quests, events, [*awarded.unlocks, *achieved.unlocks]


def _time_context(state: UserState, event: EventEnvelope, catalog: CompiledCatalog) -> TimeContext:
    """The user's zone: the one an event carries (``metadata.timeZone``, e.g. after travel), else
    the last known, else the catalog's default."""
    carried = (event.metadata or {}).get("timeZone")
    if isinstance(carried, str) and carried != state.time_zone and is_valid_zone(carried):
        state.time_zone = carried
    return TimeContext(state.time_zone or catalog.default_time_zone, catalog.week_start)


def _record_metrics(step: Step) -> set[str]:
    """Record the event in every metric it matches; returns the metrics it changed."""
    state, event, time = step.state, step.event, step.time
    touched: set[str] = set()
    for tracked in step.catalog.metrics.lookup(event.type):
        if not tracked.records(event.timestamp) or not matches(tracked.metric.events, event):
            continue
        before = state.metrics.get(tracked.key)
        after = record(before, tracked.metric, event, time)
        if after is not before and after is not None:
            state.metrics[tracked.key] = after
            touched.add(tracked.key)
    return touched
