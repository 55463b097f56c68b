"""Streak definitions in the catalog bundle."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from questline.models.criteria import CatalogModel, Duration, EventFilter, FieldPath
from questline.models.envelope import Identifier


class StreakMinimum(CatalogModel):
    """What a period needs to count: matching events (``count``) or a payload ``sum`` of at
    least ``threshold`` (e.g. 5,000 steps a day)."""

    aggregate: Literal["count", "sum"] = "count"
    field: FieldPath | None = None
    threshold: float = Field(default=1, gt=0)

    @model_validator(mode="after")
    def _field_when_summing(self) -> Self:
        if (self.aggregate == "sum") != (self.field is not None):
            raise ValueError("sum needs a field; count takes none")
        return self


class FreezePolicy(CatalogModel):
    """Freezes bridge missed periods: earned every ``earnEvery`` counted periods, or granted
    (admin, rewards); a user never holds more than ``max``."""

    earn_every: int | None = Field(default=None, ge=1, le=1000)
    max: int = Field(default=0, ge=0, le=100)


class Streak(CatalogModel):
    """Consecutive days or weeks (in the user's zone) with enough matching events."""

    id: Identifier
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    period: Literal["day", "week"] = "day"
    events: EventFilter
    minimum: StreakMinimum = Field(default_factory=StreakMinimum)
    # How long after a period's end its events may still arrive before the period counts as
    # missed (e.g. 3 hours after local midnight).
    grace: Duration | None = None
    freezes: FreezePolicy = Field(default_factory=FreezePolicy)
    milestones: list[int] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _increasing_milestones(self) -> Self:
        if any(m <= 0 for m in self.milestones) or self.milestones != sorted(set(self.milestones)):
            raise ValueError("milestones must be positive and strictly increasing")
        return self

    @property
    def grace_seconds(self) -> int:
        return self.grace.seconds if self.grace else 0
