"""Read views of a user's state: profile and achievement progress."""

from __future__ import annotations

from questline.domain.levels import next_level_xp
from questline.domain.state import UserState
from questline.models.api import AchievementList, AchievementProgress, ProfileResponse
from questline.services.runtime import Runtime


def get_profile(user_id: str, runtime: Runtime) -> ProfileResponse:
    """A user's XP, level and points. A user with no events yet has an empty profile, not a 404:
    clients show "level 1" to new users without special-casing."""
    state = runtime.users.load(user_id).state
    catalog = runtime.catalog
    return ProfileResponse(
        user_id=user_id,
        xp=state.xp,
        level=state.level,
        xp_for_next_level=next_level_xp(catalog.level_thresholds, state.level),
        points=state.points,
        achievements_unlocked=len(state.unlocked),
        updated_at=state.updated_at,
        catalog_version=catalog.version,
    )


def list_achievements(user_id: str, runtime: Runtime) -> AchievementList:
    """Every achievement of the catalog with the user's progress towards it."""
    state = runtime.users.load(user_id).state
    return AchievementList(user_id=user_id, achievements=achievement_progress(state, runtime))


def achievement_progress(state: UserState, runtime: Runtime) -> list[AchievementProgress]:
    views = []
    for achievement in runtime.catalog.catalog.achievements:
        unlock = state.unlocked.get(achievement.id)
        current = state.counters.get(achievement.counter.key, 0)
        target = achievement.threshold
        views.append(
            AchievementProgress(
                id=achievement.id,
                title=achievement.title,
                description=achievement.description,
                type=achievement.type.value,
                category=achievement.category,
                journey=achievement.journey,
                points=achievement.points,
                current=current,
                target=target,
                percent=100.0 if unlock else round(min(100.0, 100.0 * current / target), 2),
                unlocked=unlock is not None,
                unlocked_at=unlock.unlocked_at if unlock else None,
                unlocked_by_event=unlock.event_id if unlock else None,
            )
        )
    return views
