"""Criteria combinators: all, any and not."""

import pytest

from tests.factories import event
from tests.unit.rules_support import at, compiled, run


@pytest.fixture(scope="module")
def combinators():
    return compiled(
        """
        levels: {thresholds: [0, 100]}
        achievements:
          - id: all-journeys
            title: All journeys
            criteria:
              all:
                - {metric: {events: {type: "health.*"}}, threshold: 1}
                - {metric: {events: {type: "care.*"}}, threshold: 1}
                - {metric: {events: {type: "plan.*"}}, threshold: 1}
          - id: plan-user
            title: Plan user
            criteria:
              any:
                - {metric: {events: {type: plan.claim.submitted}}, threshold: 2}
                - {metric: {events: {type: plan.benefit.used}}, threshold: 1}
          - id: reliable
            title: Two appointments, none missed
            criteria:
              all:
                - {metric: {events: {type: care.appointment.scheduled}}, threshold: 2}
                - not: {metric: {events: {type: care.appointment.missed}}, operator: gt, threshold: 0}
          - id: never-missed
            title: Never missed
            criteria:
              not: {metric: {events: {type: care.appointment.missed}}, operator: gt, threshold: 0}
        """
    )


def test_all_needs_every_condition(combinators):
    two = run(
        combinators,
        [event(type="health.metric.recorded", at=at(hours=1)), event(type="care.x.y", at=at(hours=2))],
    )
    three = run(combinators, [event(type="plan.claim.submitted", at=at(hours=3))], two.state)

    assert "all-journeys" not in two.state.unlocked
    assert "all-journeys" in three.state.unlocked


def test_any_needs_one_condition(combinators):
    one_claim = run(combinators, [event(type="plan.claim.submitted", at=at(hours=1))])
    benefit = run(combinators, [event(type="plan.benefit.used", at=at(hours=2))], one_claim.state)

    assert "plan-user" not in one_claim.state.unlocked
    assert "plan-user" in benefit.state.unlocked


def test_not_blocks_when_its_condition_holds(combinators):
    with_a_miss = run(
        combinators,
        [
            event(type="care.appointment.missed", at=at(hours=1)),
            event(type="care.appointment.scheduled", at=at(hours=2)),
            event(type="care.appointment.scheduled", at=at(hours=3)),
        ],
    )
    without = run(
        combinators,
        [event(type="care.appointment.scheduled", at=at(hours=h)) for h in (2, 3)],
    )

    assert "reliable" not in with_a_miss.state.unlocked
    assert "reliable" in without.state.unlocked


def test_a_lone_not_is_only_judged_by_the_events_it_watches_so_never_holds_then(combinators):
    decision = run(
        combinators,
        [
            event(type="care.appointment.scheduled", at=at(hours=1)),
            event(type="care.appointment.missed", at=at(hours=2)),
        ],
    )

    assert "never-missed" not in decision.state.unlocked
