"""Leaderboard reads. Boards are public to every authenticated caller (top pages, friends,
the list of boards); a user's own neighbourhood and ranks are for that user (``me``), services
and admins. A degraded answer (from DynamoDB, Redis down or not yet rebuilt) carries the
``X-Questline-Degraded`` header with the reason; it is never an error."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from questline.http.auth import resolve_user
from questline.http.deps import PrincipalDep, RuntimeDep
from questline.models.api import ErrorResponse
from questline.models.envelope import ME, RESERVED_USER_ID, Identifier
from questline.models.leaderboards.api import AroundMe, BoardList, BoardPage, FriendsBoard, UserBoards
from questline.services.leaderboards.members import list_boards, read_friends, read_user_boards
from questline.services.leaderboards.reads import read_around, read_top
from questline.services.leaderboards.views import (
    DEGRADED_HEADER,
    FRIENDS_LIMIT,
    MAX_NEIGHBOURS,
    MAX_PAGE,
    rejected,
)

router = APIRouter(tags=["leaderboards"])

BoardIdPath = Annotated[str, Path(alias="boardId", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
PeriodQuery = Annotated[
    str | None,
    Query(max_length=16, description="`current` (default), `previous`, or a period key / any date in it"),
]
_USER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@\-]{0,127}$")
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorResponse},
    404: {"model": ErrorResponse, "description": "No such board"},
    422: {"model": ErrorResponse},
}


def _degraded(response: Response, reason: str | None) -> None:
    if reason is not None:
        response.headers[DEGRADED_HEADER] = reason


@router.get("/v1/leaderboards", response_model=BoardList, responses=_ERRORS, summary="Boards (any caller)")
def get_boards(principal: PrincipalDep, runtime: RuntimeDep) -> BoardList:
    """Every board with what it ranks, its current period and when that period ends."""
    return list_boards(runtime)


@router.get(
    "/v1/leaderboards/{boardId}", response_model=BoardPage, responses=_ERRORS, summary="Top N (any caller)"
)
def get_top(
    board_id: BoardIdPath,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    response: Response,
    period: PeriodQuery = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 10,
    cursor: Annotated[
        str | None, Query(max_length=512, description="`nextCursor` of the previous page")
    ] = None,
) -> BoardPage:
    """A page of the board in rank order; a closed period is served from its snapshot."""
    page, reason = read_top(runtime, board_id, period, limit, cursor)
    _degraded(response, reason)
    return page


@router.get(
    "/v1/leaderboards/{boardId}/users/{userId}",
    response_model=AroundMe,
    responses={**_ERRORS, 403: {"model": ErrorResponse, "description": "Another user"}},
    summary="Around me: a user's rank with neighbours (self, service, admin)",
)
def get_around(
    board_id: BoardIdPath,
    user_id: Annotated[Identifier, Path(alias="userId")],
    principal: PrincipalDep,
    runtime: RuntimeDep,
    response: Response,
    period: PeriodQuery = None,
    neighbours: Annotated[int, Query(ge=0, le=MAX_NEIGHBOURS)] = 5,
) -> AroundMe:
    body, reason = read_around(runtime, board_id, resolve_user(principal, user_id), period, neighbours)
    _degraded(response, reason)
    return body


@router.get(
    "/v1/leaderboards/{boardId}/friends",
    response_model=FriendsBoard,
    responses=_ERRORS,
    summary=f"The board among up to {FRIENDS_LIMIT} given users (any caller)",
)
def get_friends(
    board_id: BoardIdPath,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    response: Response,
    user_ids: Annotated[str, Query(alias="userIds", min_length=1, max_length=13_000)],
    period: PeriodQuery = None,
) -> FriendsBoard:
    """``userIds``: comma-separated, at most 100; the caller is not added implicitly (and
    ``me`` is no user id: list the caller's own id)."""
    ids = [u.strip() for u in user_ids.split(",") if u.strip()]
    bad = [u for u in ids if not _USER_ID.match(u)]
    if bad:
        raise rejected("userIds", f"not a user id: {bad[0]!r}")
    if ME in ids:
        raise rejected("userIds", RESERVED_USER_ID)
    body, reason = read_friends(runtime, board_id, ids, period)
    _degraded(response, reason)
    return body


@router.get(
    "/v1/users/{userId}/leaderboards",
    response_model=UserBoards,
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
    summary="A user's ranks on every board (self, service, admin)",
)
def get_user_boards(
    user_id: Annotated[Identifier, Path(alias="userId")],
    principal: PrincipalDep,
    runtime: RuntimeDep,
    response: Response,
) -> UserBoards:
    body, reason = read_user_boards(runtime, resolve_user(principal, user_id))
    _degraded(response, reason)
    return body
