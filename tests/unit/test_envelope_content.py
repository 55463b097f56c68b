"""The envelope's content bounds: what Python's json accepts but no decision could use is a
permanent failure at parse time, with its reason and the field at fault, on every path in."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from questline.errors import PermanentEventError
from questline.models.envelope import (
    MAX_NESTING,
    MAX_NUMBER,
    EventEnvelope,
    TimeBounds,
    content_problem,
    exceeds_nesting,
    parse_event,
    parse_queued_event,
)
from tests.factories import NOW, event_dict

BOUNDS = TimeBounds(now=NOW, max_age=timedelta(days=30), max_future_skew=timedelta(minutes=5))


def nested(depth: int, leaf: Any = 1) -> Any:
    """``leaf`` inside ``depth`` levels of arrays (the outermost one is level 1)."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def text_with(literal: str, field: str = "steps") -> str:
    return json.dumps(event_dict(payload={field: "@@"})).replace('"@@"', literal)


def eventbridge(envelope: str) -> str:
    return f'{{"version": "0", "detail-type": "Questline Event", "source": "up", "detail": {envelope}}}'


def refused(parse: Any, raw: Any) -> PermanentEventError:
    with pytest.raises(PermanentEventError) as caught:
        parse(raw, BOUNDS)
    return caught.value


@pytest.mark.parametrize(
    ("literal", "reason"),
    [
        ("1e400", "non-finite-number"),
        ("-1e400", "non-finite-number"),
        ("NaN", "non-finite-number"),
        ("Infinity", "non-finite-number"),
        ("-Infinity", "non-finite-number"),
        ("1e16", "number-out-of-range"),
        ("-1000000000000001", "number-out-of-range"),
        ("123456789012345678901234567890", "number-out-of-range"),
        ('"\\udc00"', "invalid-string"),
        ('"\\ud800 alone"', "invalid-string"),
        ('"nul \\u0000 inside"', "invalid-string"),
        ('"bell \\u0007"', "invalid-string"),
    ],
)
@pytest.mark.parametrize("shape", ["envelope", "eventbridge", "decoded"])
def test_a_value_outside_the_content_bounds_is_permanent_and_names_its_field(literal, reason, shape):
    text = text_with(literal)
    if shape == "decoded":  # as the HTTP path hands it over: already decoded by Python's json
        error = refused(parse_event, json.loads(text))
    else:
        error = refused(parse_queued_event, eventbridge(text) if shape == "eventbridge" else text)
    assert (error.reason, error.field) == (reason, "payload.steps")


def test_the_field_of_a_nested_value_is_its_full_path():
    raw = event_dict(payload={"laps": [{"time": 1}, {"time": float("nan")}]})
    assert refused(parse_event, raw).field == "payload.laps[1].time"


def test_metadata_has_the_same_bounds():
    raw = event_dict(metadata={"source": "app", "battery": float("inf")})
    error = refused(parse_event, raw)
    assert (error.reason, error.field) == ("non-finite-number", "metadata.battery")


def test_a_key_that_cannot_be_written_is_named_by_its_parent():
    error = refused(parse_queued_event, json.dumps(event_dict(payload={"device": {"\udc00": 1}})))
    assert (error.reason, error.field) == ("invalid-string", "payload.device")


@pytest.mark.parametrize(
    "value",
    [MAX_NUMBER, -MAX_NUMBER, 1e15, 0.1, -2.5e-300, "tab\tline\nfeed\r", "\U0001f600 caf\u00e9", True, None],
)
def test_values_within_the_bounds_are_kept(value):
    parsed = parse_queued_event(json.dumps(event_dict(payload={"v": value})), BOUNDS)
    assert parsed.payload == {"v": value}


def test_a_payload_may_nest_as_deep_as_the_bound_and_no_deeper():
    # The payload object is level 1: its value may nest MAX_NESTING - 1 more levels.
    deepest = json.dumps(event_dict(payload={"v": nested(MAX_NESTING - 1)}))
    assert parse_queued_event(deepest, BOUNDS).payload["v"] == nested(MAX_NESTING - 1)
    assert parse_queued_event(eventbridge(deepest), BOUNDS).payload["v"] == nested(MAX_NESTING - 1)
    too_deep = event_dict(payload={"v": nested(MAX_NESTING)})
    for error in (
        refused(parse_event, too_deep),
        refused(parse_queued_event, json.dumps(too_deep)),
        refused(parse_queued_event, eventbridge(json.dumps(too_deep))),
    ):
        assert error.reason == "too-deep"


@pytest.mark.parametrize("shape", ["envelope", "eventbridge"])
def test_a_body_nested_100000_deep_is_too_deep_not_a_crash(shape):
    text = text_with("[" * 100_000 + "]" * 100_000)
    error = refused(parse_queued_event, eventbridge(text) if shape == "eventbridge" else text)
    assert (error.reason, error.field) == ("too-deep", "body")


def test_an_object_nested_deeper_than_any_parser_recurses_is_too_deep():
    raw = event_dict(payload={"v": nested(50_000)})  # built without recursion; json could not
    assert refused(parse_event, raw).reason == "too-deep"


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = json.dumps(event_dict(payload={"art": "[{" * 500, "quote": 'say "[[[["'}))
    assert not exceeds_nesting(text, 3)
    assert parse_queued_event(text, BOUNDS).payload["art"] == "[{" * 500


def test_the_raw_scan_finds_the_first_level_too_deep():
    assert exceeds_nesting("[" * 4 + "]" * 4, 3)
    assert not exceeds_nesting("[[[]]]" * 20, 3)


def test_the_model_itself_refuses_content_out_of_bounds_however_it_is_built():
    with pytest.raises(ValidationError) as caught:
        EventEnvelope.model_validate(event_dict(payload={"steps": float("nan")}))
    [error] = caught.value.errors()
    assert (error["type"], error["ctx"]["at"]) == ("non_finite_number", ".steps")


def test_the_reason_names_the_field_that_gave_it():
    raw = event_dict(user_id="has space", payload={"steps": float("inf")})
    error = refused(parse_event, raw)
    assert (error.reason, error.field) == ("non-finite-number", "payload.steps")
    assert {e["field"] for e in error.errors} == {"payload.steps", "userId"}


json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**18), max_value=10**18)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(codec=None, exclude_categories=()), max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(json_like)
def test_the_quick_check_and_the_locating_walk_agree(value):
    # The hot path checks level by level without paths; the locating walk names the value. Both
    # must draw the same line, or a value would pass one and be refused (or missed) by the other.
    from questline.models.envelope import _locate_problem, _plainly_within_bounds

    located = _locate_problem(value)
    assert (content_problem(value) is None) == (located is None)
    if _plainly_within_bounds(value):
        assert located is None


def test_deep_nesting_agrees_at_the_bound():
    for depth in (MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1):
        for leaf in (1, [], {}, "x"):
            value = {"v": nested(depth - 1, leaf)}  # containers to level ``depth``, then the leaf
            expected_too_deep = depth > MAX_NESTING or (depth == MAX_NESTING and leaf in ([], {}))
            problem = content_problem(value)
            assert (problem is not None and problem.type == "too_deep") == expected_too_deep
