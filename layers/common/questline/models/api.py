"""Request and response models of the HTTP API (camelCase JSON)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class FieldError(ApiModel):
    field: str
    message: str


class ErrorResponse(ApiModel):
    code: str
    message: str
    errors: list[FieldError] = Field(default_factory=list)


class EventBatchRequest(ApiModel):
    """Events to enqueue. Each item is validated on its own, so one bad event rejects only itself."""

    model_config = ConfigDict(extra="forbid")
    # Items stay raw here so that one malformed item rejects only itself (see RejectedEvent).
    events: list[JsonValue] = Field(
        min_length=1,
        description="Event envelopes: id, type, userId, timestamp, version, payload, journey?, metadata?",
    )


class RejectedEvent(ApiModel):
    index: int
    id: str | None = None
    reason: str
    errors: list[FieldError]


class EventBatchResponse(ApiModel):
    accepted: list[str]
    rejected: list[RejectedEvent]


class ProfileResponse(ApiModel):
    user_id: str
    xp: int
    level: int
    xp_for_next_level: int | None = Field(description="Total XP that reaches the next level; null at the top")
    points: int
    balances: dict[str, int] = Field(description="Spendable currencies and per-journey points")
    achievements_unlocked: int
    time_zone: str
    updated_at: datetime | None
    catalog_version: str


class TierProgress(ApiModel):
    id: str
    title: str | None
    threshold: float
    points: int
    unlocked: bool


class AchievementProgress(ApiModel):
    id: str
    title: str
    description: str
    type: str
    category: str | None
    journey: str | None
    points: int
    hidden: bool = Field(description="A secret achievement not yet unlocked: title and criteria are masked")
    current: float | None = Field(description="The achievement's main metric now, when it has one")
    target: float | None
    percent: float
    unlocked: bool
    unlocked_at: datetime | None = None
    unlocked_by_event: str | None = None
    catalog_version: str | None = Field(default=None, description="The catalog version that unlocked it")
    tiers: list[TierProgress] | None = None
    completions: int = 0
    max_completions: int | None = None
    available_from: datetime | None = None
    available_until: datetime | None = None


class AchievementList(ApiModel):
    user_id: str
    achievements: list[AchievementProgress]
