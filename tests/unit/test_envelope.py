from datetime import timedelta

import pytest

from questline.errors import PermanentEventError
from questline.models.envelope import TimeBounds, parse_event
from tests.factories import NOW, event_dict

BOUNDS = TimeBounds(now=NOW, max_age=timedelta(days=30), max_future_skew=timedelta(minutes=5))


def test_a_valid_event_parses_with_camel_case_fields():
    parsed = parse_event(event_dict(user_id="alice", journey="health", metadata={"source": "app"}), BOUNDS)
    assert parsed.user_id == "alice"
    assert parsed.journey == "health"


def test_json_text_round_trips_through_to_json():
    parsed = parse_event(event_dict(payload={"steps": 12}), BOUNDS)
    assert parse_event(parsed.to_json(), BOUNDS) == parsed


@pytest.mark.parametrize(
    ("raw", "reason", "field"),
    [
        ("not json at all", "not-json", "body"),
        ("[1, 2]", "schema-violation", "body"),
        (event_dict(user_id="has space"), "schema-violation", "userId"),
        (event_dict(user_id="x" * 129), "schema-violation", "userId"),
        (event_dict(user_id="me"), "schema-violation", "userId"),  # reserved: it names the caller
        (event_dict(id=""), "schema-violation", "id"),
        (event_dict(type="NoDots"), "schema-violation", "type"),
        (event_dict(version="2.0"), "unsupported-version", "version"),
        (event_dict(at=NOW - timedelta(days=31)), "too-old", "timestamp"),
        (event_dict(at=NOW + timedelta(hours=1)), "too-far-in-future", "timestamp"),
        (event_dict(payload={"blob": "x" * 17_000}), "schema-violation", "payload"),
        (event_dict(points=100), "schema-violation", "points"),
        ({k: v for k, v in event_dict().items() if k != "userId"}, "schema-violation", "userId"),
    ],
)
def test_an_event_that_can_never_succeed_is_permanent_with_reason_and_field(raw, reason, field):
    with pytest.raises(PermanentEventError) as caught:
        parse_event(raw, BOUNDS)
    assert caught.value.reason == reason
    assert caught.value.field == field


def test_a_timestamp_without_zone_is_rejected():
    raw = event_dict()
    raw["timestamp"] = "2026-11-21T11:00:00"
    with pytest.raises(PermanentEventError) as caught:
        parse_event(raw, BOUNDS)
    assert caught.value.field == "timestamp"
