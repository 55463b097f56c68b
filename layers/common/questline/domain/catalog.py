"""The catalog compiled for evaluation.

Rules are indexed by event type (exact, dotted prefix, or any), so an event meets only the
metrics and XP rules it can affect: the decide step's cost per event does not grow with the
number of unrelated rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from questline.models.catalog import Achievement, Boost, Catalog, XpRule
from questline.models.catalog_refs import prerequisites
from questline.models.criteria import (
    AchievementCondition,
    CurrencyCondition,
    LevelCondition,
    Metric,
    MetricCondition,
    QuestCondition,
    RollingWindow,
    StreakCondition,
    XpCondition,
    iter_conditions,
)
from questline.models.quests import Quest
from questline.models.streaks import Streak

T = TypeVar("T")


@dataclass
class TypeIndex(Generic[T]):
    """Items filed under the event-type pattern they listen to."""

    exact: dict[str, list[T]] = field(default_factory=lambda: defaultdict(list))
    prefix: dict[str, list[T]] = field(default_factory=lambda: defaultdict(list))  # "health." -> items
    anything: list[T] = field(default_factory=list)

    def add(self, pattern: str, item: T) -> None:
        if pattern == "*":
            self.anything.append(item)
        elif pattern.endswith(".*"):
            self.prefix[pattern[:-1]].append(item)
        else:
            self.exact[pattern].append(item)

    def lookup(self, event_type: str) -> list[T]:
        found = list(self.exact.get(event_type, ()))
        if self.prefix:
            # Every dotted prefix of the type: "a.b.c" -> "a.", "a.b.". Cost: the type's depth.
            dot = event_type.find(".")
            while dot != -1:
                found += self.prefix.get(event_type[: dot + 1], ())
                dot = event_type.find(".", dot + 1)
        return found + self.anything


@dataclass(frozen=True)
class TrackedMetric:
    """A metric as tracked in user state. Achievements that restart (repeatable) or only count
    events inside a span (time-limited) get metrics of their own, recording only that span."""

    key: str
    metric: Metric
    owner: Achievement | None = None

    def records(self, at: datetime) -> bool:
        owner = self.owner
        if owner is None:
            return True
        if owner.available_from is not None and at < owner.available_from:
            return False
        return owner.available_until is None or at < owner.available_until


def owns_metrics(achievement: Achievement) -> bool:
    return bool(achievement.repeatable or achievement.available_from or achievement.available_until)


def metric_key(metric: Metric, achievement: Achievement) -> str:
    return f"{achievement.id}/{metric.key}" if owns_metrics(achievement) else metric.key


def achievement_metrics(achievement: Achievement) -> list[Metric]:
    if achievement.metric is not None:
        return [achievement.metric]
    assert achievement.criteria is not None
    return [n.metric for n in iter_conditions(achievement.criteria) if isinstance(n, MetricCondition)]


def _depends_on_state(achievement: Achievement) -> bool:
    """Whether levels, balances or other achievements can change the outcome."""
    if achievement.criteria is None:
        return False
    kinds = (
        LevelCondition,
        XpCondition,
        CurrencyCondition,
        AchievementCondition,
        StreakCondition,
        QuestCondition,
    )
    return any(isinstance(n, kinds) for n in iter_conditions(achievement.criteria))


@dataclass(frozen=True)
class CompiledCatalog:
    catalog: Catalog
    version: str
    level_thresholds: tuple[int, ...]
    default_time_zone: str
    week_start: int
    metrics: TypeIndex[TrackedMetric]
    xp_rules: TypeIndex[XpRule]
    boosts: tuple[Boost, ...]
    achievements_by_id: dict[str, Achievement]
    achievements_by_metric: dict[str, tuple[str, ...]]
    state_dependent: tuple[str, ...]
    dependents: dict[str, tuple[str, ...]]  # achievement -> achievements requiring it
    streaks_by_id: dict[str, Streak]
    rolling_metrics: dict[str, tuple[TrackedMetric, ...]]  # achievement -> its rolling-window metrics
    streak_index: TypeIndex[Streak]  # by the event types each streak counts
    quest_index: TypeIndex[Quest]  # by the event types any step of each quest counts
    quests_by_id: dict[str, Quest]

    def quests_for(self, event_type: str, targeted: object) -> list[Quest]:
        """The quests an event can move: those whose steps count its type, and the quest a
        start or step request names."""
        found = {q.id: q for q in self.quest_index.lookup(event_type)}
        if isinstance(targeted, str) and targeted in self.quests_by_id:
            found[targeted] = self.quests_by_id[targeted]
        return list(found.values())

    def achievements_for(self, metric_keys: Iterable[str]) -> set[str]:
        return {a for key in metric_keys for a in self.achievements_by_metric.get(key, ())}


def compile_catalog(catalog: Catalog) -> CompiledCatalog:
    """Index a validated catalog for the decide step."""
    metrics: TypeIndex[TrackedMetric] = TypeIndex()
    seen: set[str] = set()
    by_metric: dict[str, list[str]] = defaultdict(list)
    dependents: dict[str, list[str]] = defaultdict(list)
    for achievement in catalog.achievements:
        for metric in achievement_metrics(achievement):
            key = metric_key(metric, achievement)
            by_metric[key].append(achievement.id)
            if key not in seen:
                seen.add(key)
                owner = achievement if owns_metrics(achievement) else None
                metrics.add(metric.events.type, TrackedMetric(key, metric, owner))
        for required in prerequisites(achievement):
            dependents[required].append(achievement.id)
    xp_rules: TypeIndex[XpRule] = TypeIndex()
    for rule in catalog.xp:
        xp_rules.add(rule.events.type, rule)
    return CompiledCatalog(
        catalog=catalog,
        version=catalog.version or "",
        level_thresholds=tuple(catalog.levels.table()),
        default_time_zone=catalog.default_time_zone,
        week_start=catalog.week_start_index,
        metrics=metrics,
        xp_rules=xp_rules,
        boosts=tuple(catalog.boosts),
        achievements_by_id={a.id: a for a in catalog.achievements},
        achievements_by_metric={k: tuple(dict.fromkeys(v)) for k, v in by_metric.items()},
        state_dependent=tuple(a.id for a in catalog.achievements if _depends_on_state(a)),
        dependents={k: tuple(v) for k, v in dependents.items()},
        streaks_by_id={s.id: s for s in catalog.streaks},
        rolling_metrics={
            a.id: tuple(
                TrackedMetric(metric_key(m, a), m)
                for m in achievement_metrics(a)
                if isinstance(m.window, RollingWindow)
            )
            for a in catalog.achievements
        },
        streak_index=_index((s.events.type, s) for s in catalog.streaks),
        quest_index=_index((t, q) for q in catalog.quests for t in _quest_types(q)),
        quests_by_id={q.id: q for q in catalog.quests},
    )


def _index(entries: Iterable[tuple[str, T]]) -> TypeIndex[T]:
    index: TypeIndex[T] = TypeIndex()
    for pattern, item in entries:
        index.add(pattern, item)
    return index


def _quest_types(quest: Quest) -> set[str]:
    return {
        node.metric.events.type
        for step in quest.steps
        if step.criteria is not None
        for node in iter_conditions(step.criteria)
        if isinstance(node, MetricCondition)
    }
