"""The catalog bundle: what events are worth, how levels grow, which achievements exist.

Bundles are YAML or JSON with camelCase keys. Validation errors name the path inside the
bundle (``achievements[3].threshold``) and the problem.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from questline.models.envelope import EventType, Identifier, Journey


class CatalogModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class AchievementType(StrEnum):
    MILESTONE = "MILESTONE"
    COLLECTION = "COLLECTION"
    PROGRESSION = "PROGRESSION"
    DISCOVERY = "DISCOVERY"
    SKILL = "SKILL"
    SOCIAL = "SOCIAL"
    CHALLENGE = "CHALLENGE"
    SECRET = "SECRET"


class XpRule(CatalogModel):
    """A fixed amount of XP for every event of one type."""

    event_type: EventType
    xp: int = Field(ge=0, le=1_000_000)


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


class Counter(CatalogModel):
    """What an achievement counts: events of a type, or the sum of a numeric payload field."""

    event_type: EventType
    aggregate: Literal["count", "sum"] = "count"
    field: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")] | None = None

    @model_validator(mode="after")
    def _sum_needs_field(self) -> Self:
        if self.aggregate == "sum" and self.field is None:
            raise ValueError("a sum counter needs a payload field")
        if self.aggregate == "count" and self.field is not None:
            raise ValueError("a count counter takes no field")
        return self

    @property
    def key(self) -> str:
        """Stable name of the counter in a user's state."""
        if self.aggregate == "count":
            return f"count:{self.event_type}"
        return f"sum:{self.event_type}:{self.field}"


class Achievement(CatalogModel):
    """Unlocked once, when its counter reaches ``threshold``."""

    id: Identifier
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    type: AchievementType = AchievementType.MILESTONE
    category: str | None = Field(default=None, max_length=64)
    journey: Journey | None = None
    points: int = Field(default=0, ge=0, le=1_000_000)
    counter: Counter
    threshold: float = Field(gt=0)


class Catalog(CatalogModel):
    """One versioned bundle. ``version`` defaults to a hash of the content."""

    version: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    xp: list[XpRule] = Field(default_factory=list)
    levels: LevelCurve
    achievements: list[Achievement] = Field(default_factory=list)

    @field_validator("achievements")
    @classmethod
    def _unique_achievement_ids(cls, value: list[Achievement]) -> list[Achievement]:
        _reject_duplicates([a.id for a in value], "achievement id")
        return value

    @field_validator("xp")
    @classmethod
    def _one_rule_per_event_type(cls, value: list[XpRule]) -> list[XpRule]:
        _reject_duplicates([r.event_type for r in value], "xp rule for event type")
        return value

    @model_validator(mode="after")
    def _default_version(self) -> Self:
        if self.version is None:
            canonical = json.dumps(self.model_dump(mode="json", exclude={"version"}), sort_keys=True)
            digest = hashlib.sha256(canonical.encode()).hexdigest()[:12]
            object.__setattr__(self, "version", f"sha-{digest}")
        return self


def _reject_duplicates(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ValueError(f"duplicate {what} {value!r} at [{index}]")
        seen.add(value)


def parse_catalog(text: str) -> Catalog:
    """Parse a YAML or JSON bundle, raising CatalogError with the path of every problem."""
    import yaml  # only catalog loading needs it; keep it off the import path of hot handlers

    from questline.errors import CatalogError
    from questline.models.envelope import field_path

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError([("", f"not valid YAML or JSON: {exc}")]) from exc
    if not isinstance(data, dict):
        raise CatalogError([("", "a catalog bundle is a mapping")])
    try:
        return Catalog.model_validate(data)
    except ValidationError as exc:
        raise CatalogError([(field_path(e["loc"], root=""), e["msg"]) for e in exc.errors()]) from exc
