"""Evaluating a criteria tree against a user's state at an instant, and explaining it (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from questline.domain.catalog import metric_key
from questline.domain.metrics import TimeContext, metric_value
from questline.domain.state import UserState
from questline.domain.streaks import open_period, status
from questline.models.catalog import Achievement
from questline.models.criteria import (
    AchievementCondition,
    AllCondition,
    AnyCondition,
    Condition,
    CurrencyCondition,
    LevelCondition,
    Metric,
    MetricCondition,
    NotCondition,
    Operator,
    QuestCondition,
    RollingWindow,
    StreakComparison,
    StreakCondition,
    XpCondition,
)
from questline.models.streaks import Streak


@dataclass(frozen=True)
class Evaluation:
    """What a condition is judged against: a user's state, an instant, and a metric scope."""

    state: UserState
    at: datetime
    time: TimeContext
    achievement: Achievement | None = None  # whose own metrics to read (repeatable, time-limited)
    streaks: Mapping[str, Streak] = field(default_factory=dict)
    scope: str | None = None  # a quest attempt's own metrics: "q:<quest id>"

    def streak(self, comparison: StreakComparison) -> int:
        """The current (or longest) streak at this instant; 0 for an unknown streak."""
        streak = self.streaks.get(comparison.id)
        held = self.state.streaks.get(comparison.id)
        if streak is None or held is None:
            return 0
        now = status(streak, held, open_period(streak, self.at, self.time.tz, self.time.week_start))
        return now.longest if comparison.measure == "longest" else now.current

    def key(self, metric: Metric) -> str:
        if self.scope is not None:
            return f"{self.scope}/{metric.key}"
        return metric_key(metric, self.achievement) if self.achievement else metric.key

    def value(self, metric: Metric) -> float | None:
        return metric_value(self.state.metrics.get(self.key(metric)), metric, self.at, self.time)


def _compare(value: float | None, operator: Operator, threshold: float) -> bool:
    return value is not None and operator.holds(value, threshold)


def _has(state: UserState, condition: AchievementCondition) -> bool:
    held = state.achievements.get(condition.achievement)
    if held is None:
        return False
    if condition.tier is not None:
        return condition.tier in held.tiers
    return held.unlocked_at is not None


def holds(condition: Condition, ev: Evaluation) -> bool:
    """Whether ``condition`` is satisfied."""
    if isinstance(condition, MetricCondition):
        return _compare(ev.value(condition.metric), condition.operator, condition.threshold)
    if isinstance(condition, AllCondition):
        return all(holds(c, ev) for c in condition.all)
    if isinstance(condition, AnyCondition):
        return any(holds(c, ev) for c in condition.any)
    if isinstance(condition, NotCondition):
        return not holds(condition.not_, ev)
    if isinstance(condition, LevelCondition):
        return _compare(ev.state.level, condition.level.operator, condition.level.threshold)
    if isinstance(condition, XpCondition):
        return _compare(ev.state.xp, condition.xp.operator, condition.xp.threshold)
    if isinstance(condition, CurrencyCondition):
        c = condition.currency
        return _compare(ev.state.balance(c.id), c.operator, c.threshold)
    if isinstance(condition, StreakCondition):
        return _compare(ev.streak(condition.streak), condition.streak.operator, condition.streak.threshold)
    if isinstance(condition, QuestCondition):
        held = ev.state.quests.get(condition.quest)
        return held is not None and held.completions > 0
    assert isinstance(condition, AchievementCondition)
    return _has(ev.state, condition)


def _window(metric: Metric) -> dict[str, Any] | None:
    if metric.window is None:
        return None
    if isinstance(metric.window, RollingWindow):
        r = metric.window.rolling
        return {"rolling": {"duration": r.duration, "unit": r.unit}}
    return {"calendar": metric.window.calendar}


def _leaf(
    kind: str, current: float | None, operator: Operator, target: float, **extra: Any
) -> dict[str, Any]:
    satisfied = _compare(current, operator, target)
    missing = None
    if not satisfied and operator in (Operator.GT, Operator.GTE) and current is not None:
        missing = target - current + (1 if operator is Operator.GT else 0)
    elif not satisfied and current is None:
        missing = target
    return {
        "kind": kind,
        "satisfied": satisfied,
        "current": current,
        "operator": operator.value,
        "target": target,
        "missing": missing,
        **extra,
    }


def explain(condition: Condition, ev: Evaluation) -> dict[str, Any]:
    """The condition tree with, per node, whether it holds, the current value, the target and
    what is still missing: what a support team needs to answer "why didn't I get it?"."""
    if isinstance(condition, MetricCondition):
        m = condition.metric
        return _leaf(
            "metric",
            ev.value(m),
            condition.operator,
            condition.threshold,
            aggregate=m.aggregate,
            field=m.field,
            events=m.events.model_dump(mode="json", by_alias=True, exclude_defaults=True),
            window=_window(m),
        )
    if isinstance(condition, AllCondition | AnyCondition):
        children = condition.all if isinstance(condition, AllCondition) else condition.any
        kind = "all" if isinstance(condition, AllCondition) else "any"
        return {
            "kind": kind,
            "satisfied": holds(condition, ev),
            "conditions": [explain(c, ev) for c in children],
        }
    if isinstance(condition, NotCondition):
        return {"kind": "not", "satisfied": holds(condition, ev), "condition": explain(condition.not_, ev)}
    if isinstance(condition, LevelCondition):
        return _leaf("level", ev.state.level, condition.level.operator, condition.level.threshold)
    if isinstance(condition, XpCondition):
        return _leaf("xp", ev.state.xp, condition.xp.operator, condition.xp.threshold)
    if isinstance(condition, CurrencyCondition):
        c = condition.currency
        return _leaf("currency", ev.state.balance(c.id), c.operator, c.threshold, currency=c.id)
    if isinstance(condition, StreakCondition):
        k = condition.streak
        return _leaf("streak", ev.streak(k), k.operator, k.threshold, streak=k.id, measure=k.measure)
    if isinstance(condition, QuestCondition):
        return {"kind": "quest", "satisfied": holds(condition, ev), "quest": condition.quest}
    assert isinstance(condition, AchievementCondition)
    return {
        "kind": "achievement",
        "satisfied": _has(ev.state, condition),
        "achievement": condition.achievement,
        "tier": condition.tier,
    }


def progress_ratio(condition: Condition, ev: Evaluation) -> float:
    """0..1 towards satisfying a condition: all -> mean of parts, any -> best part."""
    if holds(condition, ev):
        return 1.0
    if isinstance(condition, AllCondition):
        return sum(progress_ratio(c, ev) for c in condition.all) / len(condition.all)
    if isinstance(condition, AnyCondition):
        return max(progress_ratio(c, ev) for c in condition.any)
    if isinstance(condition, MetricCondition) and condition.operator in (Operator.GT, Operator.GTE):
        current = ev.value(condition.metric) or 0
        return max(0.0, min(1.0, current / condition.threshold)) if condition.threshold > 0 else 0.0
    return 0.0
