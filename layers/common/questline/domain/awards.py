"""Direct awards (admin or service grants, prizes) as events of a reserved type, so they take
the same decide-and-commit path as any event: exactly once by id, level-ups, cascades (pure)."""

from __future__ import annotations

from typing import Any

from questline.domain.achievements import apply_unlock
from questline.domain.balances import credit
from questline.domain.state import DomainEvent, LedgerEntry, Unlock
from questline.domain.step import Effects, Step
from questline.domain.streaks import StreakState, grant_freezes, period_of
from questline.models.envelope import EventEnvelope

AWARD_EVENT_TYPE = "questline.award.granted"  # reserved: inbound events may not use questline.*


def award_payload(
    grants: list[dict[str, Any]],
    achievement_id: str | None,
    tier: str | None,
    actor: str,
    reason: str,
    streak_freezes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "grants": grants,
        "achievementId": achievement_id,
        "tier": tier,
        "streakFreezes": streak_freezes or [],
        "actor": actor,
        "reason": reason,
    }


def ledger_entry(award: EventEnvelope) -> LedgerEntry:
    """The ledger record of an applied award: its id, instant and whole payload (actor, reason)."""
    return LedgerEntry(award.id, award.timestamp, award.payload)


def apply_award(step: Step) -> Effects:
    """Credit the grants, add streak freezes, and unlock the achievement (or tier) if not yet
    held. ``changed`` holds the streaks given freezes, the currencies credited and the
    achievement unlocked."""
    event, catalog = step.event, step.catalog
    payload = event.payload
    changed = _grant_freezes(step)
    emitted: list[DomainEvent] = []
    unlocks: list[Unlock] = []
    grants = payload.get("grants")
    for grant in grants if isinstance(grants, list) else []:
        amount = grant.get("amount") if isinstance(grant, dict) else None
        if isinstance(grant, dict) and isinstance(amount, int):
            currency = str(grant["currency"])
            emitted += credit(step, currency, amount)
            changed.add(currency)
    achievement_id = payload.get("achievementId")
    if isinstance(achievement_id, str) and achievement_id in catalog.achievements_by_id:
        unlock = _forced_unlock(step, achievement_id, payload.get("tier"))
        if unlock is not None:
            achievement = catalog.achievements_by_id[achievement_id]
            tier = next((t for t in achievement.tiers or () if t.id == unlock.tier), None)
            rewards = tier.rewards if tier else achievement.rewards
            emitted += apply_unlock(step, achievement, unlock, rewards)
            unlocks.append(unlock)
            changed.add(achievement_id)
    return Effects(changed, emitted, unlocks)


def _forced_unlock(step: Step, achievement_id: str, tier: Any) -> Unlock | None:
    state, event, catalog = step.state, step.event, step.catalog
    achievement = catalog.achievements_by_id[achievement_id]
    held = state.achievements.get(achievement_id)
    if achievement.tiers is not None:
        chosen = next((t for t in achievement.tiers if t.id == tier), None)
        if chosen is None or (held and chosen.id in held.tiers):
            return None
        return Unlock(
            achievement_id, event.timestamp, event.id, chosen.points, catalog.version, tier=chosen.id
        )
    if held is not None and held.unlocked_at is not None and not achievement.repeatable:
        return None
    repeat = achievement.repeatable
    if repeat is not None and repeat.max is not None and held is not None and held.completions >= repeat.max:
        return None  # an award respects the cap like any completion
    completion = (held.completions if held else 0) + 1 if achievement.repeatable else None
    return Unlock(
        achievement_id, event.timestamp, event.id, achievement.points, catalog.version, completion=completion
    )


def _grant_freezes(step: Step) -> set[str]:
    """Freezes granted now, usable for periods missed from now on (never retroactively);
    returns the streaks given some."""
    state, event, catalog = step.state, step.event, step.catalog
    freezes = event.payload.get("streakFreezes")
    changed: set[str] = set()
    for grant in freezes if isinstance(freezes, list) else []:
        streak = catalog.streaks_by_id.get(str(grant.get("streakId"))) if isinstance(grant, dict) else None
        count = grant.get("count") if isinstance(grant, dict) else None
        if streak is None or not isinstance(count, int):
            continue
        tz = state.time_zone or catalog.default_time_zone
        period = period_of(streak, event.timestamp, tz, catalog.week_start)
        state.streaks[streak.id] = grant_freezes(state.streaks.get(streak.id, StreakState()), period, count)
        changed.add(streak.id)
    return changed
