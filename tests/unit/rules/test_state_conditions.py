"""Level, XP and currency conditions."""

import pytest

from tests.factories import event
from tests.unit.rules_support import at, compiled, run, unlocked


@pytest.fixture(scope="module")
def state_conditions():
    return compiled(
        """
        currencies: [{id: coins}]
        xp:
          - {id: metric-xp, events: {type: health.metric.recorded}, amount: 50}
          - {id: claim-coins, events: {type: plan.claim.submitted}, currency: coins, amount: 30}
        levels: {thresholds: [0, 100, 250, 500]}
        achievements:
          - {id: level-three, title: Level three, criteria: {level: {operator: gte, threshold: 3}}}
          - {id: xp-400, title: 400 XP, criteria: {xp: {operator: gte, threshold: 400}}}
          - {id: saver, title: Saver, criteria: {currency: {id: coins, operator: gte, threshold: 100}}}
          - id: low-level-claimer
            title: A claim before level two
            criteria:
              all:
                - {level: {operator: lt, threshold: 2}}
                - {metric: {events: {type: plan.claim.submitted}}, threshold: 1}
        """
    )


def test_a_level_condition_unlocks_when_xp_reaches_the_level(state_conditions):
    four = run(state_conditions, [event(at=at(hours=h)) for h in range(4)])
    five = run(state_conditions, [event(at=at(hours=4))], four.state)

    assert four.state.level == 2
    assert "level-three" not in four.state.unlocked
    assert five.state.level == 3
    assert "level-three" in five.state.unlocked


def test_an_xp_condition_compares_total_xp(state_conditions):
    seven = run(state_conditions, [event(at=at(hours=h)) for h in range(7)])
    eight = run(state_conditions, [event(at=at(hours=7))], seven.state)

    assert "xp-400" not in seven.state.unlocked
    assert "xp-400" in eight.state.unlocked


def test_a_currency_condition_compares_the_balance(state_conditions):
    three = run(state_conditions, [event(type="plan.claim.submitted", at=at(hours=h)) for h in range(3)])
    four = run(state_conditions, [event(type="plan.claim.submitted", at=at(hours=3))], three.state)

    assert three.state.balance("coins") == 90
    assert "saver" not in three.state.unlocked
    assert "saver" in four.state.unlocked


def test_a_level_condition_is_judged_at_the_time_of_the_event(state_conditions):
    early = run(state_conditions, [event(type="plan.claim.submitted", at=at(hours=1))])
    late = run(
        state_conditions,
        [*(event(at=at(hours=h)) for h in range(2)), event(type="plan.claim.submitted", at=at(hours=3))],
    )

    assert "low-level-claimer" in early.state.unlocked
    assert "low-level-claimer" not in late.state.unlocked


def test_a_level_condition_met_by_an_achievement_reward_unlocks_in_the_same_call():
    catalog = compiled(
        """
        xp: [{id: metric-xp, events: {type: health.metric.recorded}, amount: 10}]
        levels: {thresholds: [0, 100, 250]}
        achievements:
          - id: welcome
            title: Welcome
            rewards: [{currency: xp, amount: 100}]
            criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 1}
          - {id: level-two, title: Level two, criteria: {level: {operator: gte, threshold: 2}}}
        """
    )

    decision = run(catalog, [event(at=at(hours=1))])

    assert decision.state.level == 2
    assert unlocked(decision.state) == {"welcome", "level-two"}
