"""``GET /v1/achievements``: the catalog's achievements, for any authenticated caller. Secret
achievements are masked: their title, description, tiers and criteria would give them away."""

from __future__ import annotations

from fastapi import APIRouter

from questline.http.deps import PrincipalDep, RuntimeDep
from questline.models.api import ErrorResponse
from questline.models.catalog_api import CatalogAchievementList
from questline.services.profiles import catalog_achievement

router = APIRouter(tags=["achievements"])


@router.get(
    "/v1/achievements",
    responses={401: {"model": ErrorResponse}},
    summary="The catalog's achievements (any authenticated caller)",
)
def list_catalog_achievements(principal: PrincipalDep, runtime: RuntimeDep) -> CatalogAchievementList:
    """Any authenticated caller (user, service, admin). Every achievement of the catalog version
    in force now (``catalogVersion``), secret ones masked. A user's own progress is at
    ``/v1/users/{userId}/achievements``."""
    catalog = runtime.catalog
    return CatalogAchievementList(
        catalog_version=catalog.version,
        achievements=[catalog_achievement(a) for a in catalog.catalog.achievements],
    )
