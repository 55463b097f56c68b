"""Quests and streaks of one user. The user on their own data (``me`` works), services and
admins on anyone's; starting quests and completing steps likewise."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from questline.http.auth import resolve_user
from questline.http.deps import PrincipalDep, RuntimeDep
from questline.http.routers.users import UserIdPath
from questline.models.api import ErrorResponse, QuestList, QuestView, StreakList
from questline.models.envelope import Identifier
from questline.services.quests import complete_step, list_quests, list_streaks, start_quest

router = APIRouter(tags=["quests and streaks"])
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorResponse},
    403: {"model": ErrorResponse, "description": "Another user's data"},
    404: {"model": ErrorResponse, "description": "No such quest or step"},
    409: {"model": ErrorResponse, "description": "Not available now, not in progress, or out of order"},
    422: {"model": ErrorResponse},
}
UserId = Annotated[UserIdPath, Path(alias="userId")]
QuestId = Annotated[Identifier, Path(alias="questId")]


@router.get(
    "/v1/users/{userId}/quests",
    response_model=QuestList,
    responses=_ERRORS,
    summary="Quests (self, service, admin)",
)
def read_quests(user_id: UserId, principal: PrincipalDep, runtime: RuntimeDep) -> QuestList:
    """Status, progress per step and deadlines of every quest the user has or may start now."""
    return list_quests(resolve_user(principal, user_id), runtime)


@router.post(
    "/v1/users/{userId}/quests/{questId}/start",
    response_model=QuestView,
    responses=_ERRORS,
    summary="Start a quest (self, service, admin)",
)
def post_start(user_id: UserId, quest_id: QuestId, principal: PrincipalDep, runtime: RuntimeDep) -> QuestView:
    """Starts the quest's current attempt; starting it again changes nothing. 409 when it is
    not available (window, pool, prerequisites) or already finished for this attempt."""
    return start_quest(resolve_user(principal, user_id), quest_id, runtime)


@router.post(
    "/v1/users/{userId}/quests/{questId}/steps/{stepId}/complete",
    response_model=QuestView,
    responses=_ERRORS,
    summary="Complete a client-completable step (self, service, admin)",
)
def post_step_complete(
    user_id: UserId,
    quest_id: QuestId,
    step_id: Annotated[Identifier, Path(alias="stepId")],
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> QuestView:
    """Only steps marked ``clientCompletable`` (422 otherwise), of a quest in progress, in order
    when the quest is ordered (409 otherwise)."""
    return complete_step(resolve_user(principal, user_id), quest_id, step_id, runtime)


@router.get(
    "/v1/users/{userId}/streaks",
    response_model=StreakList,
    responses=_ERRORS,
    summary="Streaks (self, service, admin)",
)
def read_streaks(user_id: UserId, principal: PrincipalDep, runtime: RuntimeDep) -> StreakList:
    """Current and longest streak, freezes held, and when each streak is next at risk."""
    return list_streaks(resolve_user(principal, user_id), runtime)
