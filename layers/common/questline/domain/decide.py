"""The decide step: a pure function of (state, events, catalog, now).

It never reads a clock, a table or a cache; the services around it load state, pass time in,
and commit what it returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from questline.domain.achievements import evaluate_achievements
from questline.domain.awards import AWARD_EVENT_TYPE, apply_award, ledger_entry
from questline.domain.catalog import CompiledCatalog
from questline.domain.clock import TICK_EVENT_TYPE, DueKey
from questline.domain.events import matches
from questline.domain.leaderboards.scores import ScoreItem, record_boards, score_items, tracked_balances
from questline.domain.metrics import TimeContext, record
from questline.domain.quest_steps import advance_quests, close_quests, expire_overdue, quest_deadlines
from questline.domain.state import DomainEvent, LedgerEntry, Unlock, UserState
from questline.domain.step import NOTHING, Effects, Step
from questline.domain.streak_steps import advance_streaks, close_streaks, streak_deadlines
from questline.domain.xp import earn
from questline.models.envelope import EventEnvelope
from questline.models.zones import is_valid_zone


@dataclass(frozen=True)
class Decision:
    """Everything a commit of the decided events writes, so the write path only persists it: the
    new state and the ``version`` it is written as (the decided-on version plus one), the events
    it accounts for and their types (kept on their dedupe markers), what happened (domain events,
    unlocks), the ledger entries of the awards among them, the board score items that changed,
    the catalog version it was decided under, and when the clock must next look at what changed
    (``due``: key -> instant, None to forget)."""

    state: UserState
    version: int
    applied_event_ids: list[str]
    event_types: dict[str, str]
    domain_events: list[DomainEvent]
    new_unlocks: list[Unlock]
    ledger: list[LedgerEntry]
    score_items: list[ScoreItem]
    catalog_version: str
    due: dict[DueKey, datetime | None]


def order_events(events: Iterable[EventEnvelope]) -> list[EventEnvelope]:
    """Event-time order, ties broken by id so every worker sees the same order: the order decide
    takes events in."""
    return sorted(events, key=lambda e: (e.timestamp, e.id))


def decide(
    state: UserState, events: Sequence[EventEnvelope], catalog: CompiledCatalog, now: datetime
) -> Decision:
    """Apply ``events`` (all for ``state.user_id``, none already applied) to ``state``.

    ``events`` must be in event-time order, as ``order_events`` gives them: decide does not sort
    them again. The write path orders each user's events once, since it also commits them in
    that order, chunk by chunk."""
    new = state.copy()
    emitted: list[DomainEvent] = []
    unlocks: list[Unlock] = []
    ledger: list[LedgerEntry] = []
    streaks: set[str] = set()
    quests: set[str] = set()
    for event in events:
        balances = tracked_balances(new, catalog)
        step = Step(new, event, catalog, _time_context(new, event, catalog))
        streak_effects, quest_effects, events_emitted, new_unlocks = _apply_event(step)
        emitted += events_emitted
        unlocks += new_unlocks
        if event.type == AWARD_EVENT_TYPE:
            ledger.append(ledger_entry(event))
        record_boards(new, event, catalog, balances, now)
        streaks |= streak_effects.changed
        quests |= quest_effects.changed
    due: dict[DueKey, datetime | None] = {}
    if events:
        new.updated_at = now
        time = TimeContext(new.time_zone or catalog.default_time_zone, catalog.week_start)
        last = Step(new, events[-1], catalog, time)
        # Late events may have reopened attempts that ended before they were known; what is still
        # unfinished past its deadline ends again (same domain event ids, so consumers see it once).
        expired = expire_overdue(last, now)
        emitted += expired.events
        quests |= expired.changed
        due = streak_deadlines(last, streaks)
        due |= quest_deadlines(last, quests)
    return Decision(
        state=new,
        version=state.version + 1,
        applied_event_ids=[e.id for e in events],
        event_types={e.id: e.type for e in events},
        domain_events=emitted,
        new_unlocks=unlocks,
        ledger=ledger,
        score_items=score_items(state, new, catalog),
        catalog_version=catalog.version,
        due=due,
    )


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
