"""The decide step: a pure function of (state, events, catalog, now).

It never reads a clock, a table or a cache; the services around it load state, pass time in,
and commit what it returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from questline.domain.achievements import evaluate_achievements
from questline.domain.awards import AWARD_EVENT_TYPE, apply_award
from questline.domain.events import matches
from questline.domain.metrics import TimeContext, record
from questline.domain.periods import is_valid_zone
from questline.domain.rules import CompiledCatalog
from questline.domain.state import DomainEvent, Unlock, UserState
from questline.domain.xp import earn
from questline.models.envelope import EventEnvelope


@dataclass(frozen=True)
class Decision:
    """The new state, what happened, and which events it accounts for."""

    state: UserState
    domain_events: list[DomainEvent]
    applied_event_ids: list[str]
    new_unlocks: list[Unlock]


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
    for event in order_events(events):
        applied.append(event.id)
        _apply_event(new, event, catalog, emitted, unlocks)
    if applied:
        new.updated_at = now
    return Decision(new, emitted, applied, unlocks)


def _apply_event(
    state: UserState,
    event: EventEnvelope,
    catalog: CompiledCatalog,
    emitted: list[DomainEvent],
    unlocks: list[Unlock],
) -> None:
    time = _time_context(state, event, catalog)
    touched = _record_metrics(state, event, catalog, time)
    changed = earn(state, event, catalog, time, emitted)
    candidates = catalog.achievements_for(touched)
    if event.type == AWARD_EVENT_TYPE:
        changed |= apply_award(state, event, catalog, emitted, unlocks)
    if changed:
        candidates.update(catalog.state_dependent)
    evaluate_achievements(state, event, catalog, time, candidates, emitted, unlocks)


def _time_context(state: UserState, event: EventEnvelope, catalog: CompiledCatalog) -> TimeContext:
    """The user's zone: the one an event carries (``metadata.timeZone``, e.g. after travel), else
    the last known, else the catalog's default."""
    carried = (event.metadata or {}).get("timeZone")
    if isinstance(carried, str) and carried != state.time_zone and is_valid_zone(carried):
        state.time_zone = carried
    return TimeContext(state.time_zone or catalog.default_time_zone, catalog.week_start)


def _record_metrics(
    state: UserState, event: EventEnvelope, catalog: CompiledCatalog, time: TimeContext
) -> set[str]:
    touched: set[str] = set()
    for tracked in catalog.metrics.lookup(event.type):
        if not tracked.records(event.timestamp) or not matches(tracked.metric.events, event):
            continue
        before = state.metrics.get(tracked.key)
        after = record(before, tracked.metric, event, time)
        if after is not before and after is not None:
            state.metrics[tracked.key] = after
            touched.add(tracked.key)
    return touched
