"""Awards: granted XP, currencies and achievements, through the award event."""

import pytest

from questline.domain.awards import AWARD_EVENT_TYPE as AWARD
from tests.factories import event
from tests.unit.rules_support import at, compiled, run


@pytest.fixture(scope="module")
def awards():
    return compiled(
        """
        currencies: [{id: coins}]
        levels: {thresholds: [0, 100, 200]}
        achievements:
          - id: founder
            title: Founder
            points: 10
            rewards: [{currency: coins, amount: 5}]
            criteria: {metric: {events: {type: plan.plan.founded}}, threshold: 1}
          - {id: founders-circle, title: Founders circle, points: 7, criteria: {achievement: founder}}
        """
    )


def award(grants=(), achievement_id=None, hours=1):
    return event(
        type=AWARD, at=at(hours=hours), payload={"grants": list(grants), "achievementId": achievement_id}
    )


def test_an_award_grants_xp_and_levels_up(awards):
    decision = run(awards, [award([{"currency": "xp", "amount": 150}])])

    assert decision.state.xp == 150
    assert decision.state.level == 2
    assert [e.detail["level"] for e in decision.domain_events if e.name == "LevelUp"] == [2]


def test_an_award_grants_a_currency(awards):
    decision = run(awards, [award([{"currency": "coins", "amount": 25}])])

    assert decision.state.balance("coins") == 25


def test_awarding_an_achievement_unlocks_it_and_cascades_to_its_dependents(awards):
    decision = run(awards, [award(achievement_id="founder")])

    assert [u.record_id for u in decision.new_unlocks] == ["founder", "founders-circle"]
    assert decision.state.points == 17
    assert decision.state.balance("coins") == 5


def test_awarding_a_held_achievement_unlocks_nothing_more(awards):
    first = run(awards, [award(achievement_id="founder")])
    again = run(awards, [award(achievement_id="founder", hours=2)], first.state)

    assert again.new_unlocks == []
    assert again.state.points == 17


def test_an_award_of_an_unknown_achievement_unlocks_nothing(awards):
    decision = run(awards, [award(achievement_id="no-such-thing")])

    assert decision.new_unlocks == []
