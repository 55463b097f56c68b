"""Request and response models of the leaderboard API (camelCase JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from questline.models.api import ApiModel

Source = Literal["redis", "dynamodb", "snapshot"]


class PeriodInfo(ApiModel):
    key: str = Field(description="`all`, a day or week's first day (YYYY-MM-DD), or a month (YYYY-MM)")
    start: datetime | None
    end: datetime | None
    closes_at: datetime | None = Field(description="End plus the grace for late events")
    status: Literal["open", "closing", "closed"]


class BoardEntry(ApiModel):
    """One display-ready line of a board."""

    rank: int | None = Field(description="Shared by equal scores only with tieBreak none; null if unknown")
    position: int | None = Field(description="1-based place in the board order; null if unknown")
    user_id: str
    score: int
    tied: bool = Field(description="Someone else has the same score (the tie-break decided the order)")
    reached_at: datetime | None = Field(
        default=None, description="When the score was reached: the tie-break (null with tieBreak none)"
    )


class BoardPage(ApiModel):
    board_id: str
    title: str
    period: PeriodInfo
    source: Source = Field(description="redis; dynamodb when degraded; snapshot for a closed period")
    degraded: bool
    total: int | None = Field(description="Members on the board; null when degraded (counting is costly)")
    entries: list[BoardEntry]
    next_cursor: str | None


class AroundMe(ApiModel):
    board_id: str
    period: PeriodInfo
    source: Source
    degraded: bool
    total: int | None
    me: BoardEntry | None = Field(description="Null when the user has no score on this board period")
    entries: list[BoardEntry] = Field(
        description="Up to `neighbours` above, the user, up to `neighbours` below"
    )


class FriendEntry(BoardEntry):
    board_rank: int | None = Field(description="The rank on the whole board (null when degraded)")


class FriendsBoard(ApiModel):
    board_id: str
    period: PeriodInfo
    source: Source
    degraded: bool
    entries: list[FriendEntry] = Field(description="The listed users with a score, ranked among themselves")
    missing: list[str] = Field(description="Listed users with no score on this board period")


class UserBoardRank(ApiModel):
    board_id: str
    title: str
    period: PeriodInfo
    entry: BoardEntry | None


class UserBoards(ApiModel):
    user_id: str
    degraded: bool
    boards: list[UserBoardRank]


class PrizeInfo(ApiModel):
    from_rank: int
    to_rank: int
    grants: list[dict[str, int | str]]
    achievement: str | None = None
    tier: str | None = None


class BoardInfo(ApiModel):
    id: str
    title: str
    description: str
    ranks: str = Field(description="`currency:<id>` or `metric:<aggregate>`")
    scope: dict[str, str]
    period_kind: str
    time_zone: str
    order: str
    tie_break: str
    ranking: str
    current: PeriodInfo
    prizes: list[PrizeInfo]


class BoardList(ApiModel):
    catalog_version: str
    boards: list[BoardInfo]


class ExclusionRequest(ApiModel):
    reason: str = Field(min_length=1, max_length=500)


class ExclusionResult(ApiModel):
    user_id: str
    excluded: bool
    score_items: int = Field(description="Board periods the change touched")


class Exclusion(ApiModel):
    user_id: str
    actor: str
    reason: str
    at: datetime


class ExclusionList(ApiModel):
    exclusions: list[Exclusion]


class PeriodDrift(ApiModel):
    board_id: str
    period: str
    dynamo_members: int | None = Field(description="Null when too many to count (compared: top)")
    redis_members: int
    missing: list[str] = Field(description="In DynamoDB, not in Redis (first 20)")
    extra: list[str] = Field(description="In Redis, not in DynamoDB (first 20)")
    wrong: list[str] = Field(description="In both with different scores (first 20)")
    compared: Literal["all", "top"] = Field(
        description="top: a large board, only counts and the top compared"
    )


class DriftReport(ApiModel):
    ready: bool
    drifted: bool
    periods: list[PeriodDrift]
