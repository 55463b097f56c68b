"""Crediting XP, points and currencies, and the level-ups XP causes (pure)."""

from __future__ import annotations

from questline.domain.catalog import CompiledCatalog
from questline.domain.levels import level_for_xp
from questline.domain.state import DomainEvent, UserState
from questline.models.catalog import POINTS, XP
from questline.models.envelope import EventEnvelope


def credit(
    state: UserState,
    currency: str,
    amount: int,
    cause: EventEnvelope,
    catalog: CompiledCatalog,
    emitted: list[DomainEvent],
) -> None:
    """Add ``amount`` of ``currency``; XP raises levels, one LevelUp per level crossed."""
    if amount <= 0:
        return
    if currency == XP:
        state.xp += amount
        _raise_level(state, cause, catalog, emitted)
    elif currency == POINTS:
        state.points += amount
    else:
        state.balances[currency] = state.balances.get(currency, 0) + amount


def _raise_level(
    state: UserState, cause: EventEnvelope, catalog: CompiledCatalog, emitted: list[DomainEvent]
) -> None:
    reached = level_for_xp(catalog.level_thresholds, state.xp)
    # One LevelUp per level crossed, so consumers never miss a level's rewards.
    for level in range(state.level + 1, reached + 1):
        emitted.append(
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
