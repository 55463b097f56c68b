"""``POST /v1/users/{userId}/awards``: direct grants. Service or admin only (never clients)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from questline.http.auth import Role, require_role
from questline.http.deps import PrincipalDep, RuntimeDep
from questline.models.api import AwardRequest, AwardResponse, ErrorResponse, UserId
from questline.services.awards import grant_award

router = APIRouter(tags=["awards"])


@router.post(
    "/v1/users/{userId}/awards",
    response_model=AwardResponse,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": AwardResponse, "description": "This idempotency key was already granted"},
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse, "description": "Caller is not a service or admin"},
        422: {"model": ErrorResponse, "description": "Unknown currency, achievement or tier"},
    },
    summary="Grant XP, currency or an achievement (service, admin)",
)
def post_award(
    user_id: Annotated[UserId, Path(alias="userId", description="The user granted to (never `me`)")],
    body: AwardRequest,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    response: Response,
) -> AwardResponse:
    """Grants go through the same path as events: they can level a user up or complete a
    meta-achievement. The caller is recorded as the actor, with the reason, in the user's ledger."""
    require_role(principal, Role.SERVICE, Role.ADMIN)
    result = grant_award(user_id, body, principal.subject, runtime)
    if not result.applied:
        response.status_code = status.HTTP_200_OK
    return result
