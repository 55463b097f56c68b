"""XP and currency rules: fixed or payload-derived amounts, boosts, daily caps (pure).

Amounts are computed in decimal, then rounded down: 90 minutes at factor 0.7 earns 63, not the
62 that binary floating point would give.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from questline.domain.balances import credit
from questline.domain.events import field_value, matches, numeric
from questline.domain.periods import local_date
from questline.domain.state import DomainEvent
from questline.domain.step import NOTHING, Effects, Step
from questline.models.catalog import Boost, XpRule
from questline.models.envelope import EventEnvelope

# Days of cap counters kept per rule (a week and a day: late events from last week still earn up
# to their day's cap). An event older than that earns nothing from a capped rule: its day's
# count is gone, and a cap must never be exceeded.
CAP_DAYS_KEPT = 8


def earn(step: Step) -> Effects:
    """Apply every matching rule; ``changed`` holds the currencies credited."""
    state, event, catalog = step.state, step.event, step.catalog
    credited: set[str] = set()
    level_ups: list[DomainEvent] = []
    for rule in catalog.xp_rules.lookup(event.type):
        if not matches(rule.events, event):
            continue
        amount = _capped(step, rule, _amount(rule, event, catalog.boosts, state.user_id))
        if amount > 0:
            level_ups += credit(step, rule.currency, amount)
            credited.add(rule.currency)
    return Effects(credited, level_ups) if credited else NOTHING


def _decimal(value: float) -> Decimal:
    return Decimal(str(value))  # the shortest repr: 0.7 is 0.7, not 0.6999999999999999556


def _amount(rule: XpRule, event: EventEnvelope, boosts: tuple[Boost, ...], user_id: str) -> int:
    if rule.amount is not None:
        base = Decimal(rule.amount)
    else:
        assert rule.from_field is not None
        value = numeric(field_value(event.payload, rule.from_field.field))
        if value is None or value <= 0:
            return 0
        base = _decimal(value) * _decimal(rule.from_field.factor)
    for boost in boosts:
        if boost_applies(boost, rule, event, user_id):
            base *= _decimal(boost.factor)
    return int(base.to_integral_value(rounding=ROUND_FLOOR))


def boost_applies(boost: Boost, rule: XpRule, event: EventEnvelope, user_id: str) -> bool:
    """Boosts apply by event time (a late event from the double-XP weekend still doubles)."""
    return (
        boost.from_ <= event.timestamp < boost.until
        and rule.currency in boost.currencies
        and (boost.users is None or user_id in boost.users)
        and (boost.events is None or matches(boost.events, event))
    )


def _capped(step: Step, rule: XpRule, amount: int) -> int:
    state, event, time = step.state, step.event, step.time
    if rule.daily_cap is None or amount <= 0:
        return amount
    day = local_date(event.timestamp, time.tz).isoformat()
    earned = state.caps.setdefault(rule.id, {})
    if day not in earned and len(earned) >= CAP_DAYS_KEPT and day < min(earned):
        return 0
    granted = min(amount, max(0, rule.daily_cap - earned.get(day, 0)))
    earned[day] = earned.get(day, 0) + granted
    for old in sorted(earned)[:-CAP_DAYS_KEPT]:
        del earned[old]
    return granted
