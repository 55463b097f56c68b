"""Quest definitions in the catalog bundle: steps with order, optional steps, requirements and
rewards, start modes, time limits, repeats and rotating pools (the seed's quest model)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from questline.models.criteria import CatalogModel, Condition, Duration
from questline.models.envelope import Identifier


class QuestReward(CatalogModel):
    currency: Identifier
    amount: int = Field(gt=0, le=1_000_000_000)


class QuestStep(CatalogModel):
    """One step. Its ``criteria`` count only events since the quest (attempt) started."""

    id: Identifier
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    criteria: Condition | None = None
    optional: bool = False
    # The seed's POST /quests/:id/steps/:stepId/complete: the client may mark it done itself.
    client_completable: bool = False
    # Relative to when the step became current (the previous step's completion, or the start).
    deadline: Duration | None = None
    rewards: list[QuestReward] = Field(default_factory=list)

    @model_validator(mode="after")
    def _completable(self) -> Self:
        if self.criteria is None and not self.client_completable:
            raise ValueError("a step needs criteria, or clientCompletable: true")
        return self


class Quest(CatalogModel):
    id: Identifier
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    start: Literal["auto", "explicit"] = "auto"
    ordered: bool = True
    requires: Condition | None = None  # prerequisites: achievements, quests, level...
    available_from: AwareDatetime | None = None
    available_until: AwareDatetime | None = None
    time_limit: Duration | None = None
    repeat: Literal["daily", "weekly"] | None = None  # resets each day / week in the user's zone
    steps: list[QuestStep] = Field(min_length=1, max_length=50)
    points: int = Field(default=0, ge=0, le=1_000_000)
    rewards: list[QuestReward] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> Self:
        ids = [s.id for s in self.steps]
        if len(set(ids)) != len(ids):
            raise ValueError("step ids must be unique")
        if all(s.optional for s in self.steps):
            raise ValueError("a quest needs at least one required step")
        if self.available_from and self.available_until and self.available_until <= self.available_from:
            raise ValueError("availableUntil must be after availableFrom")
        return self

    @property
    def period(self) -> Literal["day", "week"] | None:
        return None if self.repeat is None else ("day" if self.repeat == "daily" else "week")


class QuestPool(CatalogModel):
    """A rotation: each user is assigned ``pick`` of ``quests`` per period, stable for that user
    and period."""

    id: Identifier
    quests: list[Identifier] = Field(min_length=1, max_length=200)
    pick: int = Field(ge=1)
    period: Literal["day", "week"] = "day"

    @model_validator(mode="after")
    def _pick_fits(self) -> Self:
        if self.pick > len(self.quests):
            raise ValueError("pick cannot exceed the number of quests")
        return self
