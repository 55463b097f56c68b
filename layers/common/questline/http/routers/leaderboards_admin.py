"""Leaderboard administration, admin only: exclusions (moderation), rebuild and drift report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from questline.http.auth import Role, require_role
from questline.http.deps import PrincipalDep, RuntimeDep
from questline.models.api import ApiModel, ErrorResponse, UserId
from questline.models.leaderboards.api import DriftReport, ExclusionList, ExclusionRequest, ExclusionResult
from questline.services.leaderboards.maintenance import rebuild, reconcile
from questline.services.leaderboards.moderation import list_exclusions, set_exclusion

router = APIRouter(tags=["leaderboard admin"])

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorResponse},
    403: {"model": ErrorResponse, "description": "Caller is not an admin"},
    422: {"model": ErrorResponse},
}
UserIdPath = Annotated[UserId, Path(alias="userId")]


class RebuildResult(ApiModel):
    skipped: bool
    ready: bool
    periods: int
    members: int
    applied: int
    seconds: float
    error: str | None


@router.put(
    "/v1/admin/leaderboards/exclusions/{userId}",
    response_model=ExclusionResult,
    responses=_ERRORS,
    summary="Exclude a user from every board (admin)",
)
def exclude(
    user_id: UserIdPath, body: ExclusionRequest, principal: PrincipalDep, runtime: RuntimeDep
) -> ExclusionResult:
    """Removes the user from every board and period at once; rebuilds keep them out."""
    require_role(principal, Role.ADMIN)
    return set_exclusion(runtime, user_id, True, principal.subject, body.reason)


@router.delete(
    "/v1/admin/leaderboards/exclusions/{userId}",
    response_model=ExclusionResult,
    responses=_ERRORS,
    summary="Lift a user's exclusion (admin)",
)
def lift(
    user_id: UserIdPath,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    reason: Annotated[str, Query(min_length=1, max_length=500)] = "exclusion lifted",
) -> ExclusionResult:
    """Restores the user's scores (they kept counting while excluded)."""
    require_role(principal, Role.ADMIN)
    return set_exclusion(runtime, user_id, False, principal.subject, reason)


@router.get(
    "/v1/admin/leaderboards/exclusions",
    response_model=ExclusionList,
    responses=_ERRORS,
    summary="Excluded users (admin)",
)
def exclusions(principal: PrincipalDep, runtime: RuntimeDep) -> ExclusionList:
    require_role(principal, Role.ADMIN)
    return list_exclusions(runtime)


@router.post(
    "/v1/admin/leaderboards/rebuild",
    response_model=RebuildResult,
    responses=_ERRORS,
    summary="Rebuild Redis from DynamoDB now (admin)",
)
def rebuild_now(principal: PrincipalDep, runtime: RuntimeDep) -> RebuildResult:
    """For large boards prefer the scheduled job or ``questline-leaderboards rebuild``: an HTTP
    request is cut off after 30 s (the rebuild itself is safe to interrupt and rerun)."""
    require_role(principal, Role.ADMIN)
    return RebuildResult.model_validate(vars(rebuild(runtime)))


@router.get(
    "/v1/admin/leaderboards/reconcile",
    response_model=DriftReport,
    responses=_ERRORS,
    summary="Compare Redis with DynamoDB (admin)",
)
def drift(principal: PrincipalDep, runtime: RuntimeDep) -> DriftReport:
    require_role(principal, Role.ADMIN)
    return reconcile(runtime)
