"""Helpers for the rules-engine tests: catalogs from YAML text, instants, decisions over batches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from textwrap import dedent
from typing import Any

from questline.domain.catalog import CompiledCatalog, compile_catalog
from questline.domain.decide import Decision, decide, order_events
from questline.domain.state import DomainEvent, Unlock, UserState
from questline.models.catalog_bundle import parse_catalog
from questline.models.envelope import EventEnvelope
from tests.factories import NOW

T0 = datetime(2026, 11, 16, tzinfo=UTC)  # a Monday, midnight UTC
USER = "u1"


def compiled(yaml_text: str) -> CompiledCatalog:
    """A catalog bundle written as YAML, validated and compiled as the service does."""
    return compile_catalog(parse_catalog(dedent(yaml_text)))


def at(days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def run(
    catalog: CompiledCatalog, events: Iterable[EventEnvelope], state: UserState | None = None
) -> Decision:
    """One decide call for USER, the events in event-time order as the write path gives them."""
    return decide(state if state is not None else UserState(USER), order_events(events), catalog, NOW)


@dataclass
class Outcome:
    """What successive decide calls produced."""

    state: UserState
    domain_events: list[DomainEvent] = field(default_factory=list)
    unlocks: list[Unlock] = field(default_factory=list)

    def named(self, name: str) -> list[DomainEvent]:
        return [e for e in self.domain_events if e.name == name]

    def unlocked_records(self) -> list[str]:
        return [u.record_id for u in self.unlocks]


def run_batches(
    catalog: CompiledCatalog,
    batches: Iterable[Sequence[EventEnvelope]],
    state: UserState | None = None,
) -> Outcome:
    """One decide call per batch (in event-time order within it, as the write path orders it),
    each starting from the state the previous one returned."""
    outcome = Outcome(state if state is not None else UserState(USER))
    for batch in batches:
        decision = decide(outcome.state, order_events(batch), catalog, NOW)
        outcome.state = decision.state
        outcome.domain_events += decision.domain_events
        outcome.unlocks += decision.new_unlocks
    return outcome


def run_one_by_one(catalog: CompiledCatalog, events: Iterable[EventEnvelope]) -> Outcome:
    return run_batches(catalog, ([e] for e in events))


def split(items: Sequence[Any], sizes: Iterable[int]) -> list[list[Any]]:
    """``items`` cut into consecutive batches of the given sizes; the rest is the last batch."""
    batches, start = [], 0
    for size in sizes:
        batches.append(list(items[start : start + size]))
        start += size
    batches.append(list(items[start:]))
    return batches


def unlocked(state: UserState) -> set[str]:
    return set(state.unlocked)


def summary(state: UserState) -> dict[str, Any]:
    """What a user sees: achievements (tiers, completions), XP, level, points and balances."""
    return {
        "unlocked": {a: (tuple(sorted(s.tiers)), s.completions) for a, s in state.achievements.items()},
        "xp": state.xp,
        "level": state.level,
        "points": state.points,
        "balances": {c: n for c, n in state.balances.items() if n},
    }
