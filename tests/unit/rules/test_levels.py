"""Levels: thresholds crossed, the top level, level formulas."""

import pytest

from tests.factories import event
from tests.unit.rules_support import at, compiled, run


@pytest.fixture(scope="module")
def levels():
    return compiled(
        """
        xp: [{id: workout-xp, events: {type: health.workout.completed}, fromField: {field: xp}}]
        levels: {thresholds: [0, 100, 250, 500, 1000]}
        """
    )


def workout(xp, hours=1):
    return event(type="health.workout.completed", at=at(hours=hours), payload={"xp": xp})


def test_every_level_crossed_at_once_has_its_level_up(levels):
    decision = run(levels, [workout(600)])

    assert decision.state.level == 4
    level_ups = [e for e in decision.domain_events if e.name == "LevelUp"]
    assert [e.detail["level"] for e in level_ups] == [2, 3, 4]
    assert all(e.caused_by == (decision.applied_event_ids[0],) for e in level_ups)


def test_reaching_a_threshold_exactly_reaches_its_level(levels):
    below = run(levels, [workout(99)])
    exactly = run(levels, [workout(1)], below.state)

    assert below.state.level == 1
    assert exactly.state.level == 2


def test_the_top_level_is_not_passed(levels):
    decision = run(levels, [workout(5000)])
    more = run(levels, [workout(5000, hours=2)], decision.state)

    assert decision.state.level == 5
    assert more.state.level == 5
    assert [e for e in more.domain_events if e.name == "LevelUp"] == []


def test_a_level_formula_gives_the_thresholds():
    catalog = compiled(
        """
        xp: [{id: workout-xp, events: {type: health.workout.completed}, fromField: {field: xp}}]
        levels: {formula: {kind: linear, base: 100, maxLevel: 10}}
        """
    )

    decision = run(catalog, [workout(350)])

    assert decision.state.level == 4
    assert [e.detail["level"] for e in decision.domain_events] == [2, 3, 4]
