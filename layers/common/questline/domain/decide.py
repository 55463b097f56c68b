"""The decide step: a pure function of (state, events, catalog, now).

It never reads a clock, a table or a cache; the services around it load state, pass time in,
and commit what it returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from questline.domain.levels import level_for_xp
from questline.domain.rules import CompiledCatalog, counter_increment
from questline.domain.state import DomainEvent, Unlock, UserState
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
        _award_xp(new, event, catalog, emitted)
        _count_and_unlock(new, event, catalog, emitted, unlocks)
    if applied:
        new.updated_at = now
    return Decision(new, emitted, applied, unlocks)


def _award_xp(
    state: UserState, event: EventEnvelope, catalog: CompiledCatalog, emitted: list[DomainEvent]
) -> None:
    gained = catalog.xp_by_type.get(event.type, 0)
    if not gained:
        return
    state.xp += gained
    _raise_level(state, event, catalog, emitted)


def _raise_level(
    state: UserState, event: EventEnvelope, catalog: CompiledCatalog, emitted: list[DomainEvent]
) -> None:
    reached = level_for_xp(catalog.level_thresholds, state.xp)
    # One LevelUp per level crossed, so consumers never miss a level's rewards.
    for level in range(state.level + 1, reached + 1):
        emitted.append(
            DomainEvent.make(
                "LevelUp",
                state.user_id,
                f"level:{level}",
                event.timestamp,
                {"level": level, "xp": state.xp, "catalogVersion": catalog.version},
                (event.id,),
            )
        )
    state.level = max(state.level, reached)


def _count_and_unlock(
    state: UserState,
    event: EventEnvelope,
    catalog: CompiledCatalog,
    emitted: list[DomainEvent],
    unlocks: list[Unlock],
) -> None:
    for counter in catalog.counters_by_type.get(event.type, ()):
        increment = counter_increment(counter, event.payload)
        if not increment:
            continue
        total = state.counters.get(counter.key, 0) + increment
        state.counters[counter.key] = total
        for achievement in catalog.achievements_by_counter[counter.key]:
            if achievement.id in state.unlocked or total < achievement.threshold:
                continue
            unlock = Unlock(achievement.id, event.timestamp, event.id, achievement.points, catalog.version)
            state.unlocked[achievement.id] = unlock
            state.points += achievement.points
            unlocks.append(unlock)
            emitted.append(
                DomainEvent.make(
                    "AchievementUnlocked",
                    state.user_id,
                    f"achievement:{achievement.id}",
                    event.timestamp,
                    {
                        "achievementId": achievement.id,
                        "title": achievement.title,
                        "points": achievement.points,
                        "catalogVersion": catalog.version,
                    },
                    (event.id,),
                )
            )
