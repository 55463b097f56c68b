"""Leaderboard definitions in the catalog bundle.

```yaml
boards:
  - id: weekly-xp
    title: Weekly XP
    score: {currency: xp}          # or {currency: health-points}, or {metric: {...}} (no window)
    scope: {journey: health}       # optional: only events of this journey (and/or payload.category)
    period: week                   # all-time | day | week | month, cut in timeZone
    timeZone: Europe/Paris         # default: the catalog's defaultTimeZone
    order: desc                    # desc: highest first; asc: lowest first
    tieBreak: first                # first (default): who reached the score first ranks higher;
                                   # last; none: equal scores share a rank (see ranking)
    ranking: competition           # competition 1,2,2,4 or dense 1,2,2,3 (with tieBreak none)
    grace: {duration: 1, unit: hours}       # late events still count this long after the end
    retention: {duration: 30, unit: days}   # live standings kept this long after the close
    snapshotSize: 100              # standings kept in the closing snapshot
    prizes: [{fromRank: 1, toRank: 3, grants: [{currency: coins, amount: 100}]}]
```
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Annotated, Literal, Self

from pydantic import Field, field_validator, model_validator

from questline.models.criteria import CatalogModel, Duration, Metric
from questline.models.envelope import Identifier, Journey
from questline.models.zones import is_valid_zone

# Board ids travel inside DynamoDB keys (``#``-separated) and Redis keys (``:``-separated).
BoardId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
BoardPeriodKind = Literal["all-time", "day", "week", "month"]
MAX_BOARDS = 16  # each board may add up to two score items to a user's commit transaction
MAX_SNAPSHOT = 1000


class BoardScore(CatalogModel):
    """What is ranked: a ``currency`` (xp, points, or a catalog currency such as per-journey
    points) or a criteria ``metric`` aggregated over the board's period."""

    currency: Identifier | None = None
    metric: Metric | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.currency is None) == (self.metric is None):
            raise ValueError("give exactly one of currency or metric")
        if self.metric is not None and self.metric.window is not None:
            raise ValueError("a board's metric takes no window: the board's period is its window")
        return self


class BoardScope(CatalogModel):
    """Which events count: all (global), one journey's, and/or those whose ``payload.category``
    equals ``category``."""

    journey: Journey | None = None
    category: str | None = Field(default=None, min_length=1, max_length=64)


class PrizeGrant(CatalogModel):
    currency: Identifier
    amount: int = Field(gt=0, le=1_000_000_000)


class Prize(CatalogModel):
    """What ranks ``fromRank``..``toRank`` (inclusive) receive when the period closes."""

    from_rank: int = Field(ge=1, le=MAX_SNAPSHOT)
    to_rank: int = Field(ge=1, le=MAX_SNAPSHOT)
    grants: list[PrizeGrant] = Field(default_factory=list, max_length=10)
    achievement: Identifier | None = None
    tier: Identifier | None = None

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.to_rank < self.from_rank:
            raise ValueError("toRank must be at least fromRank")
        if not self.grants and self.achievement is None:
            raise ValueError("a prize gives grants, an achievement, or both")
        if self.tier is not None and self.achievement is None:
            raise ValueError("a tier needs its achievement")
        return self


class Board(CatalogModel):
    """One leaderboard; see the module documentation for every field."""

    id: BoardId
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    score: BoardScore = Field(default_factory=lambda: BoardScore(currency="xp"))
    scope: BoardScope = Field(default_factory=BoardScope)
    period: BoardPeriodKind = "all-time"
    time_zone: str | None = None
    order: Literal["desc", "asc"] = "desc"
    tie_break: Literal["first", "last", "none"] = "first"
    ranking: Literal["competition", "dense"] = "competition"
    grace: Duration = Field(default_factory=lambda: Duration(duration=1, unit="hours"))
    retention: Duration = Field(default_factory=lambda: Duration(duration=30, unit="days"))
    snapshot_size: int = Field(default=100, ge=1, le=MAX_SNAPSHOT)
    prizes: list[Prize] = Field(default_factory=list, max_length=50)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_zone(value):
            raise ValueError(f"unknown time zone {value!r}")
        return value

    @model_validator(mode="after")
    def _prizes_fit(self) -> Self:
        if self.prizes and self.period == "all-time":
            raise ValueError("an all-time board never closes: prizes need a day, week or month period")
        ordered = sorted(self.prizes, key=lambda p: p.from_rank)
        for a, b in itertools.pairwise(ordered):
            if b.from_rank <= a.to_rank:
                overlap = f"{a.from_rank}-{a.to_rank} and {b.from_rank}-{b.to_rank}"
                raise ValueError(f"prize ranks overlap: {overlap}")
        if ordered and ordered[-1].to_rank > self.snapshot_size:
            raise ValueError("prize ranks must lie within snapshotSize")
        return self

    @property
    def ranks_balance(self) -> bool:
        """An all-time global currency board ranks the balance itself, not earnings."""
        scope = self.scope
        global_ = scope.journey is None and scope.category is None
        return self.period == "all-time" and self.score.currency is not None and global_

    @property
    def dense_index(self) -> bool:
        """Whether Redis keeps the distinct-score index that dense ranks of shared ties need."""
        return self.tie_break == "none" and self.ranking == "dense"


def board_reference_errors(
    boards: Sequence[Board], currencies: set[str], tiers: Mapping[str, set[str]]
) -> list[tuple[str, str]]:
    """Currencies and achievements a board names must exist in the bundle: ``currencies`` are
    the bundle's currency ids, ``tiers`` its achievements' tier ids by achievement id."""
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, board in enumerate(boards):
        if board.id in seen:
            errors.append((f"boards[{i}].id", f"duplicate id {board.id!r}"))
        seen.add(board.id)
        if board.score.currency is not None and board.score.currency not in currencies:
            errors.append((f"boards[{i}].score.currency", f"unknown currency {board.score.currency!r}"))
        for j, prize in enumerate(board.prizes):
            where = f"boards[{i}].prizes[{j}]"
            errors += [
                (f"{where}.grants", f"unknown currency {g.currency!r}")
                for g in prize.grants
                if g.currency not in currencies
            ]
            if prize.achievement is None:
                continue
            if prize.achievement not in tiers:
                errors.append((f"{where}.achievement", f"unknown achievement {prize.achievement!r}"))
            elif bool(tiers[prize.achievement]) != (prize.tier is not None):
                errors.append((f"{where}.tier", "give a tier exactly when the achievement has tiers"))
            elif prize.tier is not None and prize.tier not in tiers[prize.achievement]:
                errors.append((f"{where}.tier", f"unknown tier {prize.tier!r} of {prize.achievement!r}"))
    return errors
