"""Prerequisites and the cascades they unlock in one call."""

import pytest

from tests.factories import event
from tests.unit.rules_support import at, compiled, run, unlocked


@pytest.fixture(scope="module")
def cascade():
    return compiled(
        """
        levels: {thresholds: [0, 1000]}
        achievements:
          - id: first-steps
            title: First steps
            criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 1}
          - id: steps
            title: Steps
            metric: {events: {type: health.metric.recorded}, aggregate: sum, field: steps}
            tiers: [{id: 1k, threshold: 1000}, {id: 5k, threshold: 5000}]
          - id: walker
            title: Walker
            points: 20
            criteria: {all: [{achievement: first-steps}, {achievement: steps, tier: 5k}]}
          - {id: ultra, title: Ultra, points: 30, criteria: {achievement: walker}}
        """
    )


def test_a_meta_achievement_unlocks_in_the_same_call_as_its_prerequisites(cascade):
    decision = run(cascade, [event(at=at(hours=1), payload={"steps": 6000})])

    assert [u.record_id for u in decision.new_unlocks] == [
        "first-steps",
        "steps#1k",
        "steps#5k",
        "walker",
        "ultra",
    ]
    assert decision.state.points == 50


def test_a_tier_prerequisite_waits_for_that_tier(cascade):
    short = run(cascade, [event(at=at(hours=1), payload={"steps": 4000})])
    enough = run(cascade, [event(at=at(hours=2), payload={"steps": 1000})], short.state)

    assert unlocked(short.state) == {"first-steps", "steps"}
    assert {"walker", "ultra"} <= unlocked(enough.state)


def test_a_prerequisite_met_later_unlocks_the_meta_achievement_then(cascade):
    first = run(cascade, [event(at=at(hours=1), payload={})])
    later = run(cascade, [event(at=at(hours=2), payload={"steps": 5000})], first.state)

    assert "walker" not in first.state.unlocked
    assert [u.record_id for u in later.new_unlocks] == ["steps#1k", "steps#5k", "walker", "ultra"]


def test_a_meta_achievement_unlocks_with_its_prerequisite_when_the_event_also_earns_xp():
    catalog = compiled(
        """
        levels: {thresholds: [0, 1000]}
        xp: [{id: metric-xp, events: {type: health.metric.recorded}, amount: 10}]
        achievements:
          - id: first-metric
            title: First metric
            criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 1}
          - {id: collector, title: Collector, criteria: {achievement: first-metric}}
        """
    )

    decision = run(catalog, [event(at=at(hours=1))])

    assert unlocked(decision.state) == {"first-metric", "collector"}
