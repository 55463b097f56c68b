"""Crediting XP, points and currencies, and the level-ups XP causes (pure)."""

from __future__ import annotations

from questline.domain.levels import level_for_xp
from questline.domain.state import DomainEvent
from questline.domain.step import Step
from questline.models.catalog import POINTS, XP


def credit(step: Step, currency: str, amount: int) -> list[DomainEvent]:
    """Add ``amount`` of ``currency``; XP raises levels. Returns the LevelUps, one per level
    crossed."""
    if amount <= 0:
        return []
    state = step.state
    if currency == XP:
        state.xp += amount
        return _raise_level(step)
    if currency == POINTS:
        state.points += amount
    else:
        state.balances[currency] = state.balances.get(currency, 0) + amount
    return []


def _raise_level(step: Step) -> list[DomainEvent]:
    state, cause, catalog = step.state, step.event, step.catalog
    reached = level_for_xp(catalog.level_thresholds, state.xp)
    level_ups: list[DomainEvent] = []
    # One LevelUp per level crossed, so consumers never miss a level's rewards.
    for level in range(state.level + 1, reached + 1):
        level_ups.append(
            DomainEvent.make(
                "LevelUp",
                state.user_id,
                f"level:{level}",
                cause.timestamp,
                {"level": level, "xp": state.xp, "catalogVersion": catalog.version},
                (cause.id,),
            )
        )
    state.level = max(state.level, reached)
    return level_ups
