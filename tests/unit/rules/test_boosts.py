"""Boosts: time-boxed multipliers, by user, events filter and currency."""

from datetime import UTC, datetime, timedelta

import pytest

from questline.domain.decide import decide
from questline.domain.state import UserState
from tests.factories import event
from tests.unit.rules_support import compiled, run


@pytest.fixture(scope="module")
def boosts():
    return compiled(
        """
        currencies: [{id: coins}]
        xp:
          - {id: metric-xp, events: {type: health.metric.recorded}, amount: 10}
          - {id: claim-xp, events: {type: plan.claim.submitted}, amount: 10}
          - {id: metric-coins, events: {type: health.metric.recorded}, currency: coins, amount: 10}
        boosts:
          - {id: double-weekend, factor: 2, from: "2026-12-05T00:00:00Z", until: "2026-12-07T00:00:00Z"}
          - id: vip-week
            factor: 1.5
            from: "2026-12-06T00:00:00Z"
            until: "2026-12-13T00:00:00Z"
            users: [u1]
          - id: claims-month
            factor: 3
            from: "2026-12-01T00:00:00Z"
            until: "2027-01-01T00:00:00Z"
            events: {type: "plan.*"}
          - id: coin-rush
            factor: 4
            from: "2026-12-02T00:00:00Z"
            until: "2026-12-03T00:00:00Z"
            currencies: [coins]
        levels: {thresholds: [0, 1000000]}
        """
    )


WEEKEND = datetime(2026, 12, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("when", "xp"),
    [
        (WEEKEND - timedelta(seconds=1), 10),
        (WEEKEND, 20),
        (WEEKEND + timedelta(days=1) - timedelta(seconds=1), 20),
        (WEEKEND + timedelta(days=2), 15),  # the double weekend is over, the VIP week is not
    ],
)
def test_a_boost_multiplies_only_from_its_start_until_its_end_by_event_time(when, xp, boosts):
    decision = run(boosts, [event(at=when)])

    assert decision.state.xp == xp


def test_a_boost_applies_to_a_late_event_from_its_time_box(boosts):
    late = decide(
        UserState("u1"), [event(at=WEEKEND + timedelta(hours=1))], boosts, WEEKEND + timedelta(days=20)
    )

    assert late.state.xp == 20


def test_a_user_boost_applies_only_to_its_users(boosts):
    when = datetime(2026, 12, 9, tzinfo=UTC)

    listed = run(boosts, [event("u1", at=when)], UserState("u1"))
    other = run(boosts, [event("u2", at=when)], UserState("u2"))

    assert listed.state.xp == 15
    assert other.state.xp == 10


def test_boosts_that_overlap_multiply(boosts):
    decision = run(boosts, [event(at=datetime(2026, 12, 6, 12, tzinfo=UTC))])

    assert decision.state.xp == 30  # 10 x 2 x 1.5


def test_a_boost_with_an_events_filter_applies_only_to_matching_events(boosts):
    when = datetime(2026, 12, 2, 12, tzinfo=UTC)

    decision = run(boosts, [event(type="plan.claim.submitted", at=when), event(at=when)])

    assert decision.state.xp == 30 + 10


def test_a_boost_applies_only_to_its_currencies(boosts):
    when = datetime(2026, 12, 2, 12, tzinfo=UTC)

    decision = run(boosts, [event(at=when)])

    assert decision.state.xp == 10
    assert decision.state.balance("coins") == 40
