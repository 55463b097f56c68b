"""Request and response models of the HTTP API (camelCase JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator
from pydantic.alias_generators import to_camel

from questline.models.envelope import UserId


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, allow_inf_nan=False)


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


class AchievementFields(ApiModel):
    """What every view of an achievement shows first, the user's progress and the public list alike."""

    id: str
    title: str
    description: str
    type: str
    category: str | None
    journey: str | None
    points: int
    hidden: bool


class AchievementProgress(AchievementFields):
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


class GrantRequest(ApiModel):
    currency: str = Field(min_length=1, max_length=128, description="xp, points, or a catalog currency")
    amount: int = Field(gt=0, le=1_000_000_000)


class FreezeGrant(ApiModel):
    streak_id: str = Field(min_length=1, max_length=128)
    count: int = Field(ge=1, le=10)


class AwardRequest(ApiModel):
    """A direct grant. The same ``idempotencyKey`` for the same user grants once, however often sent."""

    model_config = ConfigDict(extra="forbid")
    idempotency_key: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@\-]*$")
    grants: list[GrantRequest] = Field(default_factory=list, max_length=20)
    achievement_id: str | None = Field(default=None, max_length=128)
    tier: str | None = Field(default=None, max_length=128)
    streak_freezes: list[FreezeGrant] = Field(default_factory=list, max_length=10)
    reason: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _grants_something(self) -> Self:
        if not self.grants and self.achievement_id is None and not self.streak_freezes:
            raise ValueError("give grants, an achievementId, streakFreezes, or several")
        if self.tier is not None and self.achievement_id is None:
            raise ValueError("a tier needs its achievementId")
        return self


class BusAwardRequest(AwardRequest):
    """An award request from the event bus (detail-type ``AwardRequested``), e.g. a prize."""

    user_id: UserId
    actor: str = Field(min_length=1, max_length=128)


class AwardResponse(ApiModel):
    award_id: str
    applied: bool = Field(description="False when this idempotency key was already granted")
    user_id: str
    xp: int
    level: int
    points: int
    balances: dict[str, int]
    unlocked: list[str] = Field(description="Achievements (or achievement#tier) unlocked by this award")


class UnlockRecord(ApiModel):
    tier: str | None = None
    completion: int | None = None
    unlocked_at: datetime
    event_id: str
    points: int
    catalog_version: str


class AchievementExplanation(ApiModel):
    """Why an achievement is (not yet) unlocked: per condition, the current value, the target,
    the window and what is still missing; once unlocked, when and by which event."""

    user_id: str
    achievement: AchievementProgress
    evaluated_at: datetime
    conditions: dict[str, JsonValue] | None = Field(
        description="The criteria tree, evaluated; null while secret"
    )
    unlocks: list[UnlockRecord]


class QuestStepView(ApiModel):
    id: str
    title: str
    optional: bool
    client_completable: bool
    completed: bool
    completed_at: datetime | None = None
    percent: float = Field(description="Progress towards the step's criteria, 0-100")


class QuestView(ApiModel):
    id: str
    title: str
    description: str
    status: str = Field(description="NOT_STARTED, IN_PROGRESS, COMPLETED, FAILED or EXPIRED")
    attempt: str = Field(description='"1", or the day / week of a repeatable quest')
    start: str
    ordered: bool
    available: bool = Field(description="Whether it can be started now (window, pool, prerequisites)")
    started_at: datetime | None = None
    deadline: datetime | None = Field(
        default=None, description="When the attempt fails or expires if unfinished"
    )
    completions: int
    steps: list[QuestStepView]


class QuestList(ApiModel):
    user_id: str
    quests: list[QuestView]


class StreakView(ApiModel):
    id: str
    title: str
    period: str
    current: int
    longest: int
    freezes: int = Field(description="Freezes held, used automatically for a missed period")
    at_risk_at: datetime | None = Field(description="When the streak needs its next counted period")
    recent: list[str] = Field(description="The latest counted periods")


class StreakList(ApiModel):
    user_id: str
    streaks: list[StreakView]
