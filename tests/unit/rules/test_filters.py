"""Events filters: type patterns, the journey and payload tests."""

import pytest

from tests.factories import event
from tests.unit.rules_support import at, compiled, run


def counts(events_filter, ev):
    """Whether ``ev`` counts toward ``count >= 1`` of the metric with this events filter."""
    catalog = compiled(
        f"""
        levels: {{thresholds: [0, 100]}}
        achievements:
          - {{id: hit, title: Hit, criteria: {{metric: {{events: {events_filter}}}, threshold: 1}}}}
        """
    )
    return "hit" in run(catalog, [ev]).state.unlocked


@pytest.mark.parametrize(
    ("events_filter", "event_type", "expected"),
    [
        ("{type: health.metric.recorded}", "health.metric.recorded", True),
        ("{type: health.metric.recorded}", "health.metric.recorded_daily", False),
        ("{type: health.metric}", "health.metric.recorded", False),
        ("{type: 'care.*'}", "care.appointment.scheduled", True),
        ("{type: 'care.*'}", "care.medication.tracked", True),
        ("{type: 'care.*'}", "careplan.visit.booked", False),
        ("{type: 'care.*'}", "health.care.noted", False),
        ("{type: 'care.appointment.*'}", "care.appointment.scheduled", True),
        ("{type: 'care.appointment.*'}", "care.medication.tracked", False),
        ("{type: '*'}", "plan.claim.submitted", True),
        ("{}", "plan.claim.submitted", True),
    ],
)
def test_the_type_pattern_is_exact_a_dotted_prefix_or_anything(events_filter, event_type, expected):
    assert counts(events_filter, event(type=event_type, at=at(hours=1))) is expected


@pytest.mark.parametrize(("journey", "expected"), [("care", True), ("health", False), (None, False)])
def test_the_journey_filter_matches_the_event_journey(journey, expected):
    ev = event(type="care.appointment.scheduled", at=at(hours=1), journey=journey)

    assert counts("{type: 'care.*', journey: care}", ev) is expected


@pytest.mark.parametrize(
    ("test", "payload", "expected"),
    [
        ("{field: status, equals: APPROVED}", {"status": "APPROVED"}, True),
        ("{field: status, equals: APPROVED}", {"status": "approved"}, False),
        ("{field: status, equals: APPROVED}", {}, False),
        ("{field: visits, equals: 1}", {"visits": 1}, True),
        ("{field: visits, equals: 1}", {"visits": 1.0}, True),
        ("{field: visits, equals: 1}", {"visits": "1"}, False),
        ("{field: visits, equals: 1}", {"visits": True}, False),
        ("{field: accepted, equals: true}", {"accepted": True}, True),
        ("{field: accepted, equals: true}", {"accepted": 1}, False),
        ("{field: accepted, equals: false}", {"accepted": False}, True),
        ("{field: accepted, equals: false}", {"accepted": 0}, False),
        ("{field: metricType, in: [STEPS, HEART_RATE]}", {"metricType": "HEART_RATE"}, True),
        ("{field: metricType, in: [STEPS, HEART_RATE]}", {"metricType": "WEIGHT"}, False),
        ("{field: metricType, in: [STEPS, HEART_RATE]}", {}, False),
        ("{field: tier, in: [1, 2]}", {"tier": 2}, True),
        ("{field: tier, in: [1, 2]}", {"tier": True}, False),
        ("{field: tier, in: [1, 2]}", {"tier": "2"}, False),
        ("{field: value, gt: 10}", {"value": 10}, False),
        ("{field: value, gt: 10}", {"value": 10.5}, True),
        ("{field: value, gte: 10}", {"value": 10}, True),
        ("{field: value, gte: 10}", {"value": 9.99}, False),
        ("{field: value, lt: 10}", {"value": 9.99}, True),
        ("{field: value, lt: 10}", {"value": 10}, False),
        ("{field: value, lte: 10}", {"value": 10}, True),
        ("{field: value, lte: 10}", {"value": 11}, False),
        ("{field: value, gte: 1}", {"value": True}, False),
        ("{field: value, lte: 1}", {"value": False}, False),
        ("{field: value, gt: 10}", {"value": "11"}, False),
        ("{field: value, gt: 10}", {}, False),
        ("{field: deviceId, exists: true}", {"deviceId": "w1"}, True),
        ("{field: deviceId, exists: true}", {"deviceId": None}, True),
        ("{field: deviceId, exists: true}", {}, False),
        ("{field: deviceId, exists: false}", {}, True),
        ("{field: deviceId, exists: false}", {"deviceId": "w1"}, False),
        ("{field: deviceId, exists: false}", {"deviceId": None}, False),
        ("{field: device.kind, equals: watch}", {"device": {"kind": "watch"}}, True),
        ("{field: device.kind, equals: watch}", {"device": "watch"}, False),
        ("{field: device.kind, exists: false}", {"device": {"model": "x"}}, True),
    ],
)
def test_a_payload_test_decides_whether_an_event_counts(test, payload, expected):
    ev = event(type="health.metric.recorded", at=at(hours=1), payload=payload)

    assert counts(f"{{type: health.metric.recorded, payload: [{test}]}}", ev) is expected


def test_every_payload_test_of_a_filter_must_hold():
    events_filter = "{payload: [{field: metricType, equals: STEPS}, {field: value, gte: 1000}]}"

    assert counts(events_filter, event(at=at(hours=1), payload={"metricType": "STEPS", "value": 1000}))
    assert not counts(events_filter, event(at=at(hours=1), payload={"metricType": "STEPS", "value": 999}))
    assert not counts(events_filter, event(at=at(hours=1), payload={"metricType": "SLEEP", "value": 1000}))
