"""``GET /v1/achievements``: the catalog's achievements, for any authenticated caller. Secret
achievements are masked: their title, description, tiers and criteria would give them away."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from questline.http.deps import PrincipalDep, RuntimeDep
from questline.models.api import ApiModel, ErrorResponse
from questline.models.catalog import Achievement, Repeatable
from questline.services.profiles import SECRET_TITLE

router = APIRouter(tags=["achievements"])


class CatalogTier(ApiModel):
    id: str
    title: str | None
    threshold: float
    points: int


class CatalogAchievement(ApiModel):
    id: str
    title: str
    description: str
    type: str
    category: str | None
    journey: str | None
    points: int
    hidden: bool
    tiers: list[CatalogTier] | None = None
    repeatable: Repeatable | None = None
    available_from: datetime | None = None
    available_until: datetime | None = None


class CatalogAchievementList(ApiModel):
    catalog_version: str
    achievements: list[CatalogAchievement]


def catalog_achievement(achievement: Achievement) -> CatalogAchievement:
    """The public view of one achievement; a secret one shows only that it exists."""
    hidden = achievement.hidden
    tiers = [
        CatalogTier(id=t.id, title=t.title, threshold=t.threshold, points=t.points)
        for t in achievement.tiers or ()
    ]
    return CatalogAchievement(
        id=achievement.id,
        title=SECRET_TITLE if hidden else achievement.title,
        description="" if hidden else achievement.description,
        type=achievement.type.value,
        category=achievement.category,
        journey=achievement.journey,
        points=achievement.points,
        hidden=hidden,
        tiers=None if hidden or achievement.tiers is None else tiers,
        repeatable=achievement.repeatable,
        available_from=achievement.available_from,
        available_until=achievement.available_until,
    )


@router.get(
    "/v1/achievements",
    responses={401: {"model": ErrorResponse}},
    summary="The catalog's achievements (any authenticated caller)",
)
def list_catalog_achievements(principal: PrincipalDep, runtime: RuntimeDep) -> CatalogAchievementList:
    """Any authenticated caller (user, service, admin). Every achievement of the active catalog,
    secret ones masked. A user's own progress is at ``/v1/users/{userId}/achievements``."""
    catalog = runtime.catalog
    return CatalogAchievementList(
        catalog_version=catalog.version,
        achievements=[catalog_achievement(a) for a in catalog.catalog.achievements],
    )
