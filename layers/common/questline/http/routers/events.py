"""``POST /v1/events``: upstream systems hand events to the ingest queue. Service or admin only."""

from __future__ import annotations

from fastapi import APIRouter, status

from questline.errors import RequestRejected
from questline.http.auth import Role, require_role
from questline.http.deps import PrincipalDep, RuntimeDep
from questline.models.api import ErrorResponse, EventBatchRequest, EventBatchResponse
from questline.services.enqueue import enqueue_events

router = APIRouter(tags=["events"])


@router.post(
    "/v1/events",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=EventBatchResponse,
    responses={
        400: {"model": ErrorResponse, "description": "Malformed JSON"},
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse, "description": "Caller is not a service or admin"},
        422: {"model": ErrorResponse, "description": "No event was valid, or too many events"},
    },
    summary="Enqueue events (service, admin)",
)
def post_events(body: EventBatchRequest, principal: PrincipalDep, runtime: RuntimeDep) -> EventBatchResponse:
    """Validates each event on its own and enqueues the valid ones; they are counted exactly once,
    however often they are posted. At most ``MAX_EVENTS_PER_REQUEST`` (default 100) per request.
    Answers 202 with the accepted ids and per-item rejections; 422 when no event was valid."""
    require_role(principal, Role.SERVICE, Role.ADMIN)
    result = enqueue_events(body.events, runtime)
    if not result.accepted:
        errors = [e.model_dump() for r in result.rejected for e in r.errors]
        raise RequestRejected("no event in the batch was valid", errors)
    return result
