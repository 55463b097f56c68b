"""Matching events against filters (pure)."""

from __future__ import annotations

from typing import Any

from questline.models.criteria import EventFilter, FieldTest
from questline.models.envelope import EventEnvelope

_MISSING = object()


def field_value(payload: dict[str, Any], path: str) -> Any:
    """The value at a dotted path in a payload, or _MISSING."""
    value: Any = payload
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def numeric(value: Any) -> float | None:
    """A number usable in aggregates and comparisons (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def type_matches(pattern: str, event_type: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return event_type == pattern


def _same(value: Any, expected: Any) -> bool:
    """Equality where true is not 1 (JSON booleans and numbers are different things)."""
    if isinstance(value, bool) or isinstance(expected, bool):
        return isinstance(value, bool) and isinstance(expected, bool) and value == expected
    return bool(value == expected)


def _test_holds(test: FieldTest, payload: dict[str, Any]) -> bool:
    value = field_value(payload, test.field)
    if test.exists is not None:
        return (value is not _MISSING) == test.exists
    if value is _MISSING:
        return False
    if test.equals is not None:
        return _same(value, test.equals)
    if test.in_ is not None:
        return any(_same(value, option) for option in test.in_)
    number = numeric(value)
    if number is None:
        return False
    if test.gt is not None:
        return number > test.gt
    if test.gte is not None:
        return number >= test.gte
    if test.lt is not None:
        return number < test.lt
    assert test.lte is not None
    return number <= test.lte


def matches(event_filter: EventFilter, event: EventEnvelope) -> bool:
    """Whether ``event`` passes the filter: type pattern, journey and every payload test."""
    if not type_matches(event_filter.type, event.type):
        return False
    if event_filter.journey is not None and event.journey != event_filter.journey:
        return False
    return all(_test_holds(test, event.payload) for test in event_filter.payload)
