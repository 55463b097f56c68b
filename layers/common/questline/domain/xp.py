"""XP and currency rules: fixed or payload-derived amounts, boosts, daily caps (pure)."""

from __future__ import annotations

import math

from questline.domain.balances import credit
from questline.domain.events import field_value, matches, numeric
from questline.domain.metrics import TimeContext
from questline.domain.periods import local_date
from questline.domain.rules import CompiledCatalog
from questline.domain.state import DomainEvent, UserState
from questline.models.catalog import Boost, XpRule
from questline.models.envelope import EventEnvelope

CAP_DAYS_KEPT = 3


def earn(
    state: UserState,
    event: EventEnvelope,
    catalog: CompiledCatalog,
    time: TimeContext,
    emitted: list[DomainEvent],
) -> bool:
    """Apply every matching rule; returns whether any balance changed."""
    changed = False
    for rule in catalog.xp_rules.lookup(event.type):
        if not matches(rule.events, event):
            continue
        amount = _capped(
            state,
            rule,
            math.floor(_base(rule, event) * _multiplier(catalog.boosts, rule, event, state)),
            event,
            time,
        )
        if amount > 0:
            credit(state, rule.currency, amount, event, catalog, emitted)
            changed = True
    return changed


def _base(rule: XpRule, event: EventEnvelope) -> float:
    if rule.amount is not None:
        return rule.amount
    assert rule.from_field is not None
    value = numeric(field_value(event.payload, rule.from_field.field))
    return max(0.0, value * rule.from_field.factor) if value is not None else 0.0


def boost_applies(boost: Boost, rule: XpRule, event: EventEnvelope, user_id: str) -> bool:
    """Boosts apply by event time (a late event from the double-XP weekend still doubles)."""
    return (
        boost.from_ <= event.timestamp < boost.until
        and rule.currency in boost.currencies
        and (boost.users is None or user_id in boost.users)
        and (boost.events is None or matches(boost.events, event))
    )


def _multiplier(boosts: tuple[Boost, ...], rule: XpRule, event: EventEnvelope, state: UserState) -> float:
    factor = 1.0
    for boost in boosts:
        if boost_applies(boost, rule, event, state.user_id):
            factor *= boost.factor
    return factor


def _capped(state: UserState, rule: XpRule, amount: int, event: EventEnvelope, time: TimeContext) -> int:
    if rule.daily_cap is None or amount <= 0:
        return amount
    day = local_date(event.timestamp, time.tz).isoformat()
    earned = state.caps.setdefault(rule.id, {})
    granted = min(amount, max(0, rule.daily_cap - earned.get(day, 0)))
    earned[day] = earned.get(day, 0) + granted
    for old in sorted(earned)[:-CAP_DAYS_KEPT]:
        del earned[old]
    return granted
