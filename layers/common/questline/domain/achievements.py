"""Unlocking achievements: one-off, tiered, repeatable, time-limited; cascades to the ones that
require them (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from questline.domain.balances import credit
from questline.domain.catalog import metric_key
from questline.domain.conditions import Evaluation, holds
from questline.domain.metrics import later_bucket_times, metric_value
from questline.domain.state import AchievementState, DomainEvent, Unlock
from questline.domain.step import NOTHING, Effects, Step
from questline.models.catalog import POINTS, Achievement, RewardGrant


def available(achievement: Achievement, at: datetime) -> bool:
    """Time-limited achievements count events from ``availableFrom`` until ``availableUntil``
    (their metrics are their own and only record events inside that span, see domain/catalog.py)."""
    if achievement.available_from is not None and at < achievement.available_from:
        return False
    return achievement.available_until is None or at < achievement.available_until


def evaluation_instants(step: Step, achievement: Achievement) -> list[datetime]:
    """The event's own instant, plus the ends of later rolling-window buckets that also cover it
    (so a late event is judged in every window it belongs to, whatever the arrival order)."""
    at = step.event.timestamp
    rolling = step.catalog.rolling_metrics.get(achievement.id, ())
    if not rolling:
        return [at]
    metrics = step.state.metrics
    instants = {at}
    for tracked in rolling:
        instants.update(later_bucket_times(metrics.get(tracked.key), tracked.metric, at, step.time))
    return sorted(instants)


def evaluate_achievements(step: Step, candidates: set[str]) -> Effects:
    """Unlock what the step's event completes, in rounds: an unlock changes points, balances,
    maybe the level, so every achievement that depends on state or on the new unlock is judged
    again in the next round, until a round unlocks nothing. Each achievement unlocks at most once
    per event, so there are at most as many rounds as achievements. ``changed`` holds the
    achievements unlocked."""
    catalog = step.catalog
    events: list[DomainEvent] = []
    unlocks: list[Unlock] = []
    pending = set(candidates)
    unlocked_now: set[str] = set()
    while pending:
        progressed: set[str] = set()
        for achievement_id in sorted(pending):  # sorted: every worker decides the same way
            if achievement_id in unlocked_now:
                continue
            achievement = catalog.achievements_by_id[achievement_id]
            for unlock, grants in _unlocks_for(step, achievement):
                events += apply_unlock(step, achievement, unlock, grants)
                unlocks.append(unlock)
                progressed.add(achievement_id)
        unlocked_now |= progressed
        pending = set()
        for achievement_id in progressed:
            pending.update(catalog.dependents.get(achievement_id, ()))
        if progressed:
            pending.update(catalog.state_dependent)
        pending -= unlocked_now
    return Effects(unlocked_now, events, unlocks) if unlocks else NOTHING


def _unlocks_for(step: Step, achievement: Achievement) -> list[tuple[Unlock, list[RewardGrant]]]:
    state, event, catalog, time = step.state, step.event, step.catalog, step.time
    at = event.timestamp
    if not available(achievement, at):
        return []
    held = state.achievements.get(achievement.id, AchievementState())
    if achievement.tiers is not None and len(held.tiers) == len(achievement.tiers):
        return []
    if achievement.criteria is not None and not _may_complete(achievement, held, at):
        return []  # decided before any evaluation: held achievements cost nothing
    instants = evaluation_instants(step, achievement)
    make = lambda points, **kw: Unlock(achievement.id, at, event.id, points, catalog.version, **kw)  # noqa: E731
    if achievement.tiers is not None:
        assert achievement.metric is not None
        key = metric_key(achievement.metric, achievement)
        values = [metric_value(state.metrics.get(key), achievement.metric, t, time) for t in instants]
        best = max((v for v in values if v is not None), default=None)
        if best is None:
            return []
        return [
            (make(t.points, tier=t.id), t.rewards)
            for t in achievement.tiers
            if t.id not in held.tiers and best >= t.threshold
        ]
    assert achievement.criteria is not None
    if not _may_complete(achievement, held, at):
        return []
    if not any(
        holds(achievement.criteria, Evaluation(state, t, time, achievement, catalog.streaks_by_id))
        for t in instants
    ):
        return []
    completion = held.completions + 1 if achievement.repeatable else None
    return [(make(achievement.points, completion=completion), achievement.rewards)]


def _may_complete(achievement: Achievement, held: AchievementState, at: datetime) -> bool:
    repeat = achievement.repeatable
    if repeat is None:
        return held.unlocked_at is None
    if repeat.max is not None and held.completions >= repeat.max:
        return False
    if repeat.cooldown is not None and held.last_completed_at is not None:
        return at >= held.last_completed_at + timedelta(seconds=repeat.cooldown.seconds)
    return True


def apply_unlock(
    step: Step, achievement: Achievement, unlock: Unlock, grants: list[RewardGrant]
) -> list[DomainEvent]:
    """Record ``unlock`` and credit its points and rewards; returns the domain events (level-ups
    the credits cause, then AchievementUnlocked)."""
    state, event = step.state, step.event
    held = state.achievements.get(achievement.id, AchievementState())
    held = replace(
        held,
        unlocked_at=held.unlocked_at or unlock.unlocked_at,
        tiers=(*held.tiers, unlock.tier) if unlock.tier else held.tiers,
        completions=held.completions + 1 if unlock.tier is None else held.completions,
        last_completed_at=unlock.unlocked_at if unlock.tier is None else held.last_completed_at,
    )
    state.achievements[achievement.id] = held
    if achievement.repeatable:
        # Each completion starts counting afresh.
        prefix = f"{achievement.id}/"
        for key in [k for k in state.metrics if k.startswith(prefix)]:
            del state.metrics[key]
    emitted = credit(step, POINTS, unlock.points)
    for grant in grants:
        emitted += credit(step, grant.currency, grant.amount)
    emitted.append(
        DomainEvent.make(
            "AchievementUnlocked",
            state.user_id,
            f"achievement:{unlock.record_id}",
            unlock.unlocked_at,
            {
                "achievementId": achievement.id,
                "title": achievement.title,
                "tier": unlock.tier,
                "completion": unlock.completion,
                "points": unlock.points,
                "rewards": [g.model_dump(by_alias=True) for g in grants],
                "catalogVersion": unlock.catalog_version,
            },
            (event.id,),
        )
    )
    return emitted
