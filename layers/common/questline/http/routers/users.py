"""A user's own gamification data. Callable by the user on their own data (``me`` or their id),
and by services and admins on anyone's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from questline.http.auth import Role, resolve_user
from questline.http.deps import PrincipalDep, RuntimeDep
from questline.models.api import AchievementExplanation, AchievementList, ErrorResponse, ProfileResponse
from questline.models.envelope import Identifier
from questline.services.profiles import explain_achievement, get_profile, list_achievements

router = APIRouter(tags=["users"])

UserIdPath = Annotated[Identifier, Path(description="A user id, or `me` for the caller")]
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorResponse},
    403: {"model": ErrorResponse, "description": "Another user's data"},
    422: {"model": ErrorResponse},
}


@router.get(
    "/v1/users/{userId}/profile",
    response_model=ProfileResponse,
    responses=_ERRORS,
    summary="Profile (self, service, admin)",
)
def read_profile(
    user_id: Annotated[UserIdPath, Path(alias="userId")],
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> ProfileResponse:
    """XP, level, XP needed for the next level, points and achievement count."""
    return get_profile(resolve_user(principal, user_id), runtime)


@router.get(
    "/v1/users/{userId}/achievements",
    response_model=AchievementList,
    responses=_ERRORS,
    summary="Achievements with progress (self, service, admin)",
)
def read_achievements(
    user_id: Annotated[UserIdPath, Path(alias="userId")],
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> AchievementList:
    """Every achievement with current / target / percent, and when and by which event it unlocked."""
    return list_achievements(resolve_user(principal, user_id), runtime)


@router.get(
    "/v1/users/{userId}/achievements/{achievementId}",
    response_model=AchievementExplanation,
    responses={**_ERRORS, 404: {"model": ErrorResponse, "description": "No such achievement"}},
    summary="Why (not yet)? Progress per condition (self, service, admin)",
)
def explain(
    user_id: Annotated[UserIdPath, Path(alias="userId")],
    achievement_id: Annotated[Identifier, Path(alias="achievementId")],
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> AchievementExplanation:
    """Per condition: current value, target, window and what is missing; once unlocked, when
    and by which event (and catalog version). Secret achievements stay masked for their owner
    until unlocked; services and admins (support) see them in full."""
    target = resolve_user(principal, user_id)
    return explain_achievement(
        target, achievement_id, runtime, reveal_secret=principal.has_any(Role.SERVICE, Role.ADMIN)
    )
