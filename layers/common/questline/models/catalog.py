"""The catalog bundle: currencies, XP rules, boosts, levels and achievements, as one versioned
YAML or JSON document with camelCase keys.

These are its shapes; models/catalog_bundle.py parses and validates it (cross-references too).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import AwareDatetime, Field, field_validator, model_validator

from questline.models.criteria import (
    CatalogModel,
    Condition,
    Duration,
    EventFilter,
    FieldPath,
    Metric,
)
from questline.models.envelope import Identifier, Journey
from questline.models.leaderboards.catalog import MAX_BOARDS, Board
from questline.models.quests import Quest, QuestPool
from questline.models.streaks import Streak
from questline.models.zones import is_valid_zone

XP = "xp"
POINTS = "points"  # achievement points: a score, like XP never spent
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class AchievementType(StrEnum):
    MILESTONE = "MILESTONE"
    COLLECTION = "COLLECTION"
    PROGRESSION = "PROGRESSION"
    DISCOVERY = "DISCOVERY"
    SKILL = "SKILL"
    SOCIAL = "SOCIAL"
    CHALLENGE = "CHALLENGE"
    SECRET = "SECRET"


class Currency(CatalogModel):
    """A balance users hold. XP and points always exist and are never spent; others (coins,
    per-journey points) are declared here."""

    id: Identifier
    title: str = ""
    spendable: bool = True
    journey: Journey | None = None


class FieldAmount(CatalogModel):
    """An amount taken from a numeric payload field, times a factor, rounded down."""

    field: FieldPath
    factor: float = Field(default=1.0, gt=0, le=1_000_000)


class XpRule(CatalogModel):
    """What matching events earn: a fixed ``amount`` or one ``fromField``, in ``currency``
    (XP by default), at most ``dailyCap`` per day in the user's zone."""

    id: Identifier
    events: EventFilter
    currency: Identifier = XP
    amount: int | None = Field(default=None, ge=0, le=1_000_000)
    from_field: FieldAmount | None = None
    daily_cap: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_amount(self) -> Self:
        if (self.amount is None) == (self.from_field is None):
            raise ValueError("give exactly one of amount or fromField")
        return self


class Boost(CatalogModel):
    """A multiplier over a time box (a double-XP weekend), for everyone or listed users."""

    id: Identifier
    factor: float = Field(gt=0, le=100)
    from_: AwareDatetime = Field(alias="from")
    until: AwareDatetime
    events: EventFilter | None = None
    users: list[Identifier] | None = Field(default=None, max_length=10_000)
    currencies: list[Identifier] = Field(default_factory=lambda: [XP], min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.until <= self.from_:
            raise ValueError("until must be after from")
        return self


class LevelFormula(CatalogModel):
    """XP needed to reach level n (n >= 2): linear ``base*(n-1)``, power ``base*(n-1)**exponent``,
    exponential ``base*(exponent**(n-1) - 1)``."""

    kind: Literal["linear", "power", "exponential"]
    base: int = Field(gt=0, le=10_000_000)
    exponent: float = Field(default=1.0, gt=0, le=10)
    max_level: int = Field(default=100, ge=2, le=1000)

    @model_validator(mode="after")
    def _growing(self) -> Self:
        if self.kind == "exponential" and self.exponent <= 1:
            raise ValueError("an exponential curve needs exponent > 1")
        return self

    def threshold(self, level: int) -> int:
        steps = level - 1
        if self.kind == "linear":
            return self.base * steps
        if self.kind == "power":
            return round(self.base * steps**self.exponent)
        return round(self.base * (self.exponent**steps - 1))


class LevelCurve(CatalogModel):
    """Either explicit ``thresholds`` (XP to reach level 1, 2, 3, ...; the first is 0) or a formula."""

    thresholds: list[int] | None = None
    formula: LevelFormula | None = None

    @model_validator(mode="after")
    def _one_strictly_increasing_curve(self) -> Self:
        if (self.thresholds is None) == (self.formula is None):
            raise ValueError("give exactly one of thresholds or formula")
        table = self.table()
        if table[0] != 0:
            raise ValueError("the first threshold (level 1) must be 0")
        if any(b <= a for a, b in itertools.pairwise(table)):
            raise ValueError("thresholds must be strictly increasing")
        return self

    def table(self) -> list[int]:
        """XP needed for each level, index 0 being level 1."""
        if self.thresholds is not None:
            return list(self.thresholds)
        assert self.formula is not None
        return [self.formula.threshold(n) for n in range(1, self.formula.max_level + 1)]


class RewardGrant(CatalogModel):
    currency: Identifier
    amount: int = Field(gt=0, le=1_000_000_000)


class Tier(CatalogModel):
    """A stage of a tiered achievement (1k, 2.5k, 5k steps), unlocking once with its own points."""

    id: Identifier
    threshold: float
    title: str | None = None
    points: int = Field(default=0, ge=0, le=1_000_000)
    rewards: list[RewardGrant] = Field(default_factory=list)


class Repeatable(CatalogModel):
    """Completable again (its metrics restart after each completion), up to ``max`` times, at
    least ``cooldown`` apart."""

    max: int | None = Field(default=None, ge=1)
    cooldown: Duration | None = None


class Achievement(CatalogModel):
    """One achievement: ``criteria`` (one-off or repeatable), or ``metric`` with ``tiers``."""

    id: Identifier
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    type: AchievementType = AchievementType.MILESTONE
    category: str | None = Field(default=None, max_length=64)
    journey: Journey | None = None
    points: int = Field(default=0, ge=0, le=1_000_000)
    rewards: list[RewardGrant] = Field(default_factory=list)
    criteria: Condition | None = None
    metric: Metric | None = None
    tiers: list[Tier] | None = Field(default=None, min_length=1, max_length=50)
    repeatable: Repeatable | None = None
    available_from: AwareDatetime | None = None
    available_until: AwareDatetime | None = None
    secret: bool | None = None

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.tiers is None:
            if self.criteria is None or self.metric is not None:
                raise ValueError("give criteria, or metric with tiers")
        else:
            if self.metric is None or self.criteria is not None:
                raise ValueError("a tiered achievement gives metric and tiers, not criteria")
            thresholds = [t.threshold for t in self.tiers]
            if any(b <= a for a, b in itertools.pairwise(thresholds)):
                raise ValueError("tier thresholds must be strictly increasing")
            _reject_duplicates([t.id for t in self.tiers], "tier id")
            if self.repeatable is not None:
                raise ValueError("a tiered achievement cannot be repeatable")
        if self.available_from and self.available_until and self.available_until <= self.available_from:
            raise ValueError("availableUntil must be after availableFrom")
        return self

    @property
    def hidden(self) -> bool:
        """Secret achievements are masked in listings until unlocked."""
        return self.secret if self.secret is not None else self.type is AchievementType.SECRET


class Catalog(CatalogModel):
    """One versioned bundle. ``version`` defaults to a hash of the content."""

    version: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")] | None = None
    default_time_zone: str = "UTC"
    week_start: Literal[WEEKDAYS] = "monday"  # type: ignore[valid-type]
    currencies: list[Currency] = Field(default_factory=list)
    xp: list[XpRule] = Field(default_factory=list)
    boosts: list[Boost] = Field(default_factory=list)
    levels: LevelCurve
    achievements: list[Achievement] = Field(default_factory=list)
    streaks: list[Streak] = Field(default_factory=list)
    quests: list[Quest] = Field(default_factory=list)
    quest_pools: list[QuestPool] = Field(default_factory=list)
    boards: list[Board] = Field(default_factory=list, max_length=MAX_BOARDS)

    @field_validator("default_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not is_valid_zone(value):
            raise ValueError(f"unknown time zone {value!r}")
        return value

    @field_validator("achievements", "xp", "boosts", "currencies", "streaks", "quests", "quest_pools")
    @classmethod
    def _unique_ids(cls, value: list[Any]) -> list[Any]:
        _reject_duplicates([item.id for item in value], "id")
        return value

    @model_validator(mode="after")
    def _default_version(self) -> Self:
        if self.version is None:
            object.__setattr__(self, "version", f"sha-{self.content_hash()}")
        return self

    def content_hash(self) -> str:
        """A hash of everything but the version: the same bundle always hashes the same."""
        canonical = json.dumps(
            self.model_dump(mode="json", by_alias=True, exclude={"version"}), sort_keys=True
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    @property
    def week_start_index(self) -> int:
        return WEEKDAYS.index(self.week_start)

    def currency_ids(self) -> set[str]:
        return {XP, POINTS} | {c.id for c in self.currencies}


def _reject_duplicates(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ValueError(f"duplicate {what} {value!r} at [{index}]")
        seen.add(value)
