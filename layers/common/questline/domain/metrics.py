"""Metric state: aggregations kept as compact partials, bucketed for windows (pure).

A partial is a small dict: ``c`` count, ``s`` sum, ``lo``/``hi`` min/max, ``l``/``lt`` last value
and its event time, ``d`` distinct values (at most MAX_DISTINCT). An all-time metric keeps one
partial; a rolling window keeps one partial per bucket (about ROLLING_BUCKETS per window, so the
window's edge is exact to 1/48 of its length); a calendar window keeps one partial per period
(day, week or month in the user's zone). Old buckets are pruned, so the state stays small
however many events a user sends.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from questline.domain.events import field_value, numeric
from questline.domain.periods import period_index
from questline.models.criteria import CalendarWindow, Metric, RollingWindow
from questline.models.envelope import EventEnvelope

MAX_DISTINCT = 1000
ROLLING_BUCKETS = 48
CALENDAR_PERIODS_KEPT = 3

Partial = dict[str, Any]
MetricState = dict[str, Any]  # all-time: a partial; windowed: {"b": {bucket: partial}}


class TimeContext:
    """Where calendar windows are cut: the user's zone and the week's first day."""

    __slots__ = ("tz", "week_start")

    def __init__(self, tz: str, week_start: int) -> None:
        self.tz = tz
        self.week_start = week_start


def bucket_width(window: RollingWindow) -> int:
    return max(60, window.rolling.seconds // ROLLING_BUCKETS)


def window_buckets(window: RollingWindow) -> int:
    return -(-window.rolling.seconds // bucket_width(window))  # ceiling division


def bucket_of(metric: Metric, at: datetime, ctx: TimeContext) -> int | None:
    """The bucket an instant falls in (None for all-time metrics)."""
    window = metric.window
    if isinstance(window, RollingWindow):
        return int(at.timestamp()) // bucket_width(window)
    if isinstance(window, CalendarWindow):
        return period_index(at, ctx.tz, window.calendar, ctx.week_start)
    return None


def contribution(metric: Metric, event: EventEnvelope) -> Any:
    """What one matching event adds, or None when it adds nothing (missing or unusable field)."""
    if metric.aggregate == "count":
        return 1
    raw = field_value(event.payload, metric.field or "")
    if metric.aggregate == "distinct":
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # 1 and 1.0 are one value, as equality tests see them
        if isinstance(raw, str | int | float | bool):
            return json.dumps(raw)
        return None
    return numeric(raw)


def add_to_partial(partial: Partial, metric: Metric, value: Any, at: datetime) -> None:
    aggregate = metric.aggregate
    partial["c"] = partial.get("c", 0) + 1
    if aggregate == "sum":
        partial["s"] = partial.get("s", 0) + value
    elif aggregate == "min":
        partial["lo"] = value if "lo" not in partial else min(partial["lo"], value)
    elif aggregate == "max":
        partial["hi"] = value if "hi" not in partial else max(partial["hi"], value)
    elif aggregate == "last":
        stamp = at.timestamp()
        if stamp >= partial.get("lt", float("-inf")):
            partial["l"], partial["lt"] = value, stamp
    elif aggregate == "distinct":
        seen = partial.setdefault("d", [])
        if value not in seen and len(seen) < MAX_DISTINCT:
            seen.append(value)


def record(
    state: MetricState | None, metric: Metric, event: EventEnvelope, ctx: TimeContext
) -> MetricState | None:
    """The metric's state after ``event`` (already known to match the metric's filter); None
    when the event does not contribute."""
    value = contribution(metric, event)
    if value is None:
        return state
    new: MetricState = _copy(state)
    bucket = bucket_of(metric, event.timestamp, ctx)
    if bucket is None:
        add_to_partial(new, metric, value, event.timestamp)
        return new
    buckets = new.setdefault("b", {})
    add_to_partial(buckets.setdefault(str(bucket), {}), metric, value, event.timestamp)
    _prune(buckets, metric)
    return new


def _copy(state: MetricState | None) -> MetricState:
    if not state:
        return {}
    copied = {k: (list(v) if isinstance(v, list) else v) for k, v in state.items() if k != "b"}
    if "b" in state:
        copied["b"] = {k: {**p, **({"d": list(p["d"])} if "d" in p else {})} for k, p in state["b"].items()}
    return copied


def _prune(buckets: dict[str, Partial], metric: Metric) -> None:
    newest = max(int(k) for k in buckets)
    if isinstance(metric.window, RollingWindow):
        # Keep two window lengths: late events within a window of the newest still land.
        oldest = newest - 2 * window_buckets(metric.window)
    else:
        oldest = newest - CALENDAR_PERIODS_KEPT + 1
    for key in [k for k in buckets if int(k) < oldest]:
        del buckets[key]


def partials_at(state: MetricState | None, metric: Metric, at: datetime, ctx: TimeContext) -> list[Partial]:
    """The partials inside the metric's window as seen at instant ``at``."""
    if not state:
        return []
    bucket = bucket_of(metric, at, ctx)
    if bucket is None:
        return [state]
    buckets = state.get("b", {})
    if isinstance(metric.window, RollingWindow):
        first = bucket - window_buckets(metric.window) + 1
        return [p for k, p in buckets.items() if first <= int(k) <= bucket]
    return [buckets[str(bucket)]] if str(bucket) in buckets else []


def value_of(partials: Iterable[Partial], metric: Metric) -> float | None:
    """The aggregate over some partials; None when no event contributed (for min, max, last)."""
    parts = list(partials)
    aggregate = metric.aggregate
    if aggregate == "count":
        return sum(p.get("c", 0) for p in parts)
    if aggregate == "sum":
        return sum(p.get("s", 0) for p in parts)
    if aggregate == "distinct":
        return len({v for p in parts for v in p.get("d", ())})
    if aggregate == "min":
        values = [p["lo"] for p in parts if "lo" in p]
        return min(values) if values else None
    if aggregate == "max":
        values = [p["hi"] for p in parts if "hi" in p]
        return max(values) if values else None
    latest = max((p for p in parts if "lt" in p), key=lambda p: p["lt"], default=None)
    return None if latest is None else latest["l"]


def metric_value(state: MetricState | None, metric: Metric, at: datetime, ctx: TimeContext) -> float | None:
    return value_of(partials_at(state, metric, at, ctx), metric)


def later_bucket_times(
    state: MetricState | None, metric: Metric, at: datetime, ctx: TimeContext
) -> list[datetime]:
    """For a rolling window: instants (bucket ends) of later, non-empty buckets whose window also
    covers ``at``. A late event must be judged in those windows too, or the outcome would depend
    on arrival order."""
    if not state or not isinstance(metric.window, RollingWindow):
        return []
    width = bucket_width(metric.window)
    bucket = int(at.timestamp()) // width
    last = bucket + window_buckets(metric.window) - 1
    later = sorted(int(k) for k in state.get("b", {}) if bucket < int(k) <= last)
    return [datetime.fromtimestamp((k + 1) * width - 1, tz=at.tzinfo) for k in later]
