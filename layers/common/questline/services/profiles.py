"""Read views of a user's state: profile and achievement progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from questline.domain.catalog import CompiledCatalog, metric_key
from questline.domain.conditions import Evaluation, explain, progress_ratio
from questline.domain.levels import next_level_xp
from questline.domain.metrics import TimeContext, metric_value
from questline.domain.state import AchievementState, Unlock, UserState
from questline.errors import NotFoundError
from questline.models.api import (
    AchievementExplanation,
    AchievementList,
    AchievementProgress,
    ProfileResponse,
    TierProgress,
    UnlockRecord,
)
from questline.models.catalog import Achievement
from questline.models.catalog_api import CatalogAchievement, CatalogTier
from questline.models.criteria import MetricCondition, Operator
from questline.services.runtime import Runtime

SECRET_TITLE = "Secret achievement"


def get_profile(user_id: str, runtime: Runtime) -> ProfileResponse:
    """A user's XP, level and points. A user with no events yet has an empty profile, not a 404:
    clients show "level 1" to new users without special-casing."""
    state = runtime.users.load(user_id)
    catalog = runtime.catalog
    return ProfileResponse(
        user_id=user_id,
        xp=state.xp,
        level=state.level,
        xp_for_next_level=next_level_xp(catalog.level_thresholds, state.level),
        points=state.points,
        balances=dict(state.balances),
        achievements_unlocked=len(state.unlocked),
        time_zone=state.time_zone or catalog.default_time_zone,
        updated_at=state.updated_at,
        catalog_version=catalog.version,
    )


def list_achievements(user_id: str, runtime: Runtime) -> AchievementList:
    """Every achievement of the catalog with the user's progress; secret ones masked until held."""
    state = runtime.users.load(user_id)
    now = runtime.clock()
    firsts = first_unlocks(runtime.users.unlock_records(user_id)) if state.achievements else {}
    views = [
        achievement_view(a, state, runtime.catalog, now, firsts.get(a.id))
        for a in runtime.catalog.catalog.achievements
    ]
    return AchievementList(user_id=user_id, achievements=views)


def achievement_view(
    achievement: Achievement,
    state: UserState,
    catalog: CompiledCatalog,
    now: datetime,
    first: UnlockRecord | None = None,
    *,
    reveal_secret: bool = False,
) -> AchievementProgress:
    """One achievement with the user's progress; a secret one is masked until held, unless
    ``reveal_secret`` (support staff)."""
    held = state.achievements.get(achievement.id, AchievementState())
    time = TimeContext(state.time_zone or catalog.default_time_zone, catalog.week_start)
    current, target, percent = _progress(achievement, state, held, time, now, catalog)
    masked = achievement.hidden and held.unlocked_at is None and not reveal_secret
    return AchievementProgress(
        **_shown(achievement, masked),
        current=None if masked else current,
        target=None if masked else target,
        percent=0.0 if masked else percent,
        unlocked=held.unlocked_at is not None,
        unlocked_at=held.unlocked_at,
        unlocked_by_event=first.event_id if first else None,
        catalog_version=first.catalog_version if first else None,
        tiers=None
        if achievement.tiers is None or masked
        else [
            TierProgress(
                id=t.id, title=t.title, threshold=t.threshold, points=t.points, unlocked=t.id in held.tiers
            )
            for t in achievement.tiers
        ],
        completions=held.completions,
        max_completions=achievement.repeatable.max if achievement.repeatable else None,
    )


def _shown(achievement: Achievement, masked: bool) -> dict[str, Any]:
    """The fields every view of an achievement shares. A masked (secret) one shows only that it
    exists: a placeholder title, no description; each view withholds its own details too."""
    return {
        "id": achievement.id,
        "title": SECRET_TITLE if masked else achievement.title,
        "description": "" if masked else achievement.description,
        "type": achievement.type.value,
        "category": achievement.category,
        "journey": achievement.journey,
        "points": achievement.points,
        "hidden": masked,
        "available_from": achievement.available_from,
        "available_until": achievement.available_until,
    }


def _progress(
    achievement: Achievement,
    state: UserState,
    held: AchievementState,
    time: TimeContext,
    now: datetime,
    catalog: CompiledCatalog,
) -> tuple[float | None, float | None, float]:
    """(current, target, percent) of the main metric; percent also covers composite criteria."""
    if achievement.tiers is not None:
        assert achievement.metric is not None
        current = metric_value(
            state.metrics.get(metric_key(achievement.metric, achievement)), achievement.metric, now, time
        )
        pending = [t for t in achievement.tiers if t.id not in held.tiers]
        next_threshold = pending[0].threshold if pending else achievement.tiers[-1].threshold
        ratio = (current or 0) / next_threshold if next_threshold > 0 else 0.0
        return current, next_threshold, 100.0 if not pending else _percent(ratio)
    assert achievement.criteria is not None
    ev = Evaluation(state, now, time, achievement, catalog.streaks_by_id)
    main = achievement.criteria
    current = ev.value(main.metric) if isinstance(main, MetricCondition) else None
    target = main.threshold if isinstance(main, MetricCondition) else None
    if held.unlocked_at is not None and not achievement.repeatable:
        return current, target, 100.0
    return current, target, _percent(progress_ratio(achievement.criteria, ev))


def _percent(ratio: float) -> float:
    return round(100.0 * max(0.0, min(1.0, ratio)), 2)


def explain_achievement(
    user_id: str, achievement_id: str, runtime: Runtime, *, reveal_secret: bool
) -> AchievementExplanation:
    """Progress per condition and the unlock history of one achievement."""
    achievement = runtime.catalog.achievements_by_id.get(achievement_id)
    if achievement is None:
        raise NotFoundError(f"no achievement {achievement_id!r}")
    state = runtime.users.load(user_id)
    now = runtime.clock()
    held = state.achievements.get(achievement_id)
    records = runtime.users.unlock_records(user_id) if held and held.unlocked_at else []
    unlocks = [_unlock_record(r) for r in records if r.achievement_id == achievement_id]
    first = first_unlocks(records).get(achievement_id)
    view = achievement_view(achievement, state, runtime.catalog, now, first, reveal_secret=reveal_secret)
    return AchievementExplanation(
        user_id=user_id,
        achievement=view,
        evaluated_at=now,
        conditions=None if view.hidden else _explain_tree(achievement, state, runtime.catalog, now),
        unlocks=sorted(unlocks, key=lambda u: u.unlocked_at),
    )


def first_unlocks(records: list[Unlock]) -> dict[str, UnlockRecord]:
    """The earliest unlock record of each achievement."""
    firsts: dict[str, UnlockRecord] = {}
    for unlock in records:
        record = _unlock_record(unlock)
        achievement_id = unlock.achievement_id
        if achievement_id not in firsts or record.unlocked_at < firsts[achievement_id].unlocked_at:
            firsts[achievement_id] = record
    return firsts


def _explain_tree(
    achievement: Achievement, state: UserState, catalog: CompiledCatalog, now: datetime
) -> dict[str, Any]:
    time = TimeContext(state.time_zone or catalog.default_time_zone, catalog.week_start)
    ev = Evaluation(state, now, time, achievement, catalog.streaks_by_id)
    if achievement.criteria is not None:
        return explain(achievement.criteria, ev)
    assert achievement.metric is not None
    assert achievement.tiers is not None
    held = state.achievements.get(achievement.id, AchievementState())
    tiers = [
        explain(MetricCondition(metric=achievement.metric, operator=Operator.GTE, threshold=t.threshold), ev)
        | {"tier": t.id, "unlocked": t.id in held.tiers}
        for t in achievement.tiers
    ]
    return {"kind": "tiers", "satisfied": len(held.tiers) == len(achievement.tiers), "conditions": tiers}


def _unlock_record(unlock: Unlock) -> UnlockRecord:
    return UnlockRecord(
        tier=unlock.tier,
        completion=unlock.completion,
        unlocked_at=unlock.unlocked_at,
        event_id=unlock.event_id,
        points=unlock.points,
        catalog_version=unlock.catalog_version,
    )


def catalog_achievement(achievement: Achievement) -> CatalogAchievement:
    """The public view of one achievement; a secret one shows only that it exists."""
    hidden = achievement.hidden
    tiers = [
        CatalogTier(id=t.id, title=t.title, threshold=t.threshold, points=t.points)
        for t in achievement.tiers or ()
    ]
    return CatalogAchievement(
        **_shown(achievement, hidden),
        tiers=None if hidden or achievement.tiers is None else tiers,
        repeatable=achievement.repeatable,
    )
