"""XP rules: fixed amounts and amounts from a payload field."""

import pytest

from tests.factories import event
from tests.unit.rules_support import at, compiled, run


@pytest.fixture(scope="module")
def xp_rules():
    return compiled(
        """
        currencies: [{id: health-points, spendable: false, journey: health}]
        xp:
          - {id: appointment-xp, events: {type: care.appointment.scheduled}, amount: 40}
          - id: steps-points
            events: {type: health.metric.recorded}
            currency: health-points
            fromField: {field: steps, factor: 0.01}
          - id: minutes-xp
            events: {type: health.workout.completed}
            fromField: {field: duration.minutes, factor: 1.5}
        levels: {thresholds: [0, 1000000]}
        """
    )


def test_a_fixed_rule_earns_its_amount_per_event(xp_rules):
    decision = run(xp_rules, [event(type="care.appointment.scheduled", at=at(hours=h)) for h in range(3)])

    assert decision.state.xp == 120


@pytest.mark.parametrize(("steps", "earned"), [(1234, 12), (199, 1), (99, 0), (100, 1), (12.99 * 100, 12)])
def test_a_from_field_rule_earns_the_field_times_the_factor_rounded_down(steps, earned, xp_rules):
    decision = run(xp_rules, [event(at=at(hours=1), payload={"steps": steps})])

    assert decision.state.balance("health-points") == earned


def test_a_from_field_rule_reads_a_nested_field(xp_rules):
    decision = run(
        xp_rules,
        [event(type="health.workout.completed", at=at(hours=1), payload={"duration": {"minutes": 25}})],
    )

    assert decision.state.xp == 37


@pytest.mark.parametrize("value", ["900", True, None, {"n": 900}, [900], -500])
def test_a_from_field_rule_earns_nothing_from_a_non_numeric_or_negative_field(value, xp_rules):
    decision = run(xp_rules, [event(at=at(hours=1), payload={"steps": value})])

    assert decision.state.balance("health-points") == 0
    assert decision.domain_events == []


def test_a_from_field_rule_earns_nothing_when_the_field_is_missing(xp_rules):
    decision = run(xp_rules, [event(at=at(hours=1), payload={"distance": 900})])

    assert decision.state.balance("health-points") == 0


def test_a_from_field_rule_rounds_down_the_exact_product():
    catalog = compiled(
        """
        xp:
          - id: workout-xp
            events: {type: health.workout.completed}
            fromField: {field: minutes, factor: 0.7}
        levels: {thresholds: [0, 1000000]}
        """
    )

    decision = run(catalog, [event(type="health.workout.completed", at=at(hours=1), payload={"minutes": 90})])

    assert decision.state.xp == 63
