"""The criteria language: declarative conditions over a user's events and state.

```yaml
criteria:
  all:
    - metric:
        events: {type: "health.*"}
        aggregate: sum
        field: steps
        window: {rolling: {duration: 7, unit: days}}
      operator: gte
      threshold: 50000
    - achievement: first-steps          # a prerequisite
    - level: {operator: gte, threshold: 3}
    - not: {metric: {events: {type: care.appointment.missed}}, operator: gt, threshold: 0}
```

Conditions are tagged by their single key, so validation errors point into the tree
(``achievements[3].criteria.all[1].metric.window``).
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator
from pydantic.alias_generators import to_camel

FieldPath = Annotated[
    str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$", max_length=128)
]
TypePattern = Annotated[
    str, Field(max_length=128, pattern=r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$")
]
Scalar = str | int | float | bool


class CatalogModel(BaseModel):
    # YAML's .nan and .inf are floats too: a threshold or factor that is not finite is refused.
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True, allow_inf_nan=False
    )


class Operator(StrEnum):
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    EQ = "eq"

    def holds(self, value: float, threshold: float) -> bool:
        if self is Operator.GT:
            return value > threshold
        if self is Operator.GTE:
            return value >= threshold
        if self is Operator.LT:
            return value < threshold
        if self is Operator.LTE:
            return value <= threshold
        return value == threshold


class FieldTest(CatalogModel):
    """One test on a payload field; exactly one of the comparisons is given."""

    field: FieldPath
    equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in", min_length=1, max_length=1000)
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    exists: bool | None = None

    @model_validator(mode="after")
    def _exactly_one_test(self) -> Self:
        given = [
            n for n in ("equals", "in_", "gt", "gte", "lt", "lte", "exists") if getattr(self, n) is not None
        ]
        if len(given) != 1:
            raise ValueError("give exactly one of equals, in, gt, gte, lt, lte, exists")
        return self


class EventFilter(CatalogModel):
    """Which events a metric or rule looks at: type (exact, ``health.*`` prefix, or ``*``),
    journey, and tests on payload fields (all must hold)."""

    type: TypePattern = "*"
    journey: str | None = Field(default=None, max_length=32)
    payload: list[FieldTest] = Field(default_factory=list, max_length=20)


class Duration(CatalogModel):
    """The seed's ``timeframe``: a number of minutes, hours or days."""

    duration: int = Field(gt=0, le=100_000)
    unit: Literal["minutes", "hours", "days"]

    @property
    def seconds(self) -> int:
        return self.duration * {"minutes": 60, "hours": 3600, "days": 86400}[self.unit]


class RollingWindow(CatalogModel):
    """The last N minutes, hours or days before the event being evaluated."""

    rolling: Duration


class CalendarWindow(CatalogModel):
    """This day, week or month in the user's time zone."""

    calendar: Literal["day", "week", "month"]


def _key_tag(tags: dict[str, str]) -> Any:
    """A discriminator choosing a union member by which key the mapping has."""

    def tag(value: Any) -> str | None:
        if isinstance(value, dict):
            return next((t for key, t in tags.items() if key in value), None)
        name = type(value).__name__
        return name if name in tags.values() else None

    return tag


_WINDOW_TAGS = {"rolling": "RollingWindow", "calendar": "CalendarWindow"}
Window = Annotated[
    Annotated[RollingWindow, Tag("RollingWindow")] | Annotated[CalendarWindow, Tag("CalendarWindow")],
    Discriminator(
        _key_tag(_WINDOW_TAGS),
        custom_error_type="invalid_window",
        custom_error_message="a window is {rolling: {duration, unit}} or {calendar: day|week|month}",
    ),
]
Aggregate = Literal["count", "sum", "min", "max", "last", "distinct"]


class Metric(CatalogModel):
    """An aggregation over matching events, optionally within a window."""

    events: EventFilter = Field(default_factory=EventFilter)
    aggregate: Aggregate = "count"
    field: FieldPath | None = None
    window: Window | None = None

    @model_validator(mode="after")
    def _field_when_needed(self) -> Self:
        if self.aggregate == "count" and self.field is not None:
            raise ValueError("count takes no field")
        if self.aggregate != "count" and self.field is None:
            raise ValueError(f"{self.aggregate} needs a payload field")
        return self

    @cached_property
    def key(self) -> str:
        """Stable identity of this metric's state: same definition, same state."""
        canonical = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return "m" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


class Comparison(CatalogModel):
    operator: Operator = Operator.GTE
    threshold: float


class MetricCondition(CatalogModel):
    metric: Metric
    operator: Operator = Operator.GTE
    threshold: float


class LevelCondition(CatalogModel):
    level: Comparison


class XpCondition(CatalogModel):
    xp: Comparison


class CurrencyComparison(Comparison):
    id: str


class CurrencyCondition(CatalogModel):
    currency: CurrencyComparison


class StreakComparison(Comparison):
    id: str
    measure: Literal["current", "longest"] = "current"


class StreakCondition(CatalogModel):
    """A streak milestone: the current (or longest) streak compared with a threshold."""

    streak: StreakComparison


class QuestCondition(CatalogModel):
    """A prerequisite: a quest completed (at least once)."""

    quest: str


class AchievementCondition(CatalogModel):
    """A prerequisite: another achievement (or one of its tiers) is unlocked."""

    achievement: str
    tier: str | None = None


class AllCondition(CatalogModel):
    all: list[Condition] = Field(min_length=1, max_length=50)


class AnyCondition(CatalogModel):
    any: list[Condition] = Field(min_length=1, max_length=50)


class NotCondition(CatalogModel):
    not_: Condition = Field(alias="not")


_TAGS = {
    "metric": "MetricCondition",
    "level": "LevelCondition",
    "xp": "XpCondition",
    "currency": "CurrencyCondition",
    "streak": "StreakCondition",
    "quest": "QuestCondition",
    "achievement": "AchievementCondition",
    "all": "AllCondition",
    "any": "AnyCondition",
    "not": "NotCondition",
}
# Union tags appear in validation error locations; error paths leave them out.
UNION_TAGS = frozenset(_TAGS.values()) | frozenset(_WINDOW_TAGS.values())

Condition = Annotated[
    Annotated[MetricCondition, Tag("MetricCondition")]
    | Annotated[LevelCondition, Tag("LevelCondition")]
    | Annotated[XpCondition, Tag("XpCondition")]
    | Annotated[CurrencyCondition, Tag("CurrencyCondition")]
    | Annotated[StreakCondition, Tag("StreakCondition")]
    | Annotated[QuestCondition, Tag("QuestCondition")]
    | Annotated[AchievementCondition, Tag("AchievementCondition")]
    | Annotated[AllCondition, Tag("AllCondition")]
    | Annotated[AnyCondition, Tag("AnyCondition")]
    | Annotated[NotCondition, Tag("NotCondition")],
    Discriminator(
        _key_tag(_TAGS),
        custom_error_type="invalid_condition",
        custom_error_message="a condition has one of the keys: " + ", ".join(_TAGS),
    ),
]

AllCondition.model_rebuild()
AnyCondition.model_rebuild()
NotCondition.model_rebuild()


def iter_conditions(condition: Condition) -> list[Condition]:
    """Every node of a condition tree, depth first."""
    nodes: list[Condition] = [condition]
    if isinstance(condition, AllCondition):
        for child in condition.all:
            nodes += iter_conditions(child)
    elif isinstance(condition, AnyCondition):
        for child in condition.any:
            nodes += iter_conditions(child)
    elif isinstance(condition, NotCondition):
        nodes += iter_conditions(condition.not_)
    return nodes
