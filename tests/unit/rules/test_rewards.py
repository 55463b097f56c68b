"""Rewards and points of achievements and tiers, and the ids of the domain events they raise."""

from datetime import timedelta

import pytest

from questline.domain.decide import decide, order_events
from questline.domain.state import UserState
from tests.factories import NOW, event
from tests.unit.rules_support import at, compiled, run, run_one_by_one

# --- currencies, rewards and points ------------------------------------------------------------


@pytest.fixture(scope="module")
def rewards():
    return compiled(
        """
        currencies: [{id: coins}, {id: gems}]
        levels: {thresholds: [0, 100, 150, 400]}
        achievements:
          - id: first-claim
            title: First claim
            points: 15
            rewards: [{currency: coins, amount: 50}, {currency: gems, amount: 1}]
            criteria: {metric: {events: {type: plan.claim.submitted}}, threshold: 1}
          - id: claims
            title: Claims
            metric: {events: {type: plan.claim.submitted}}
            tiers:
              - {id: three, threshold: 3, points: 5, rewards: [{currency: coins, amount: 10}]}
              - {id: five, threshold: 5, points: 10, rewards: [{currency: xp, amount: 160}]}
        """
    )


def claims(n, start=0):
    return [event(type="plan.claim.submitted", at=at(hours=start + i)) for i in range(n)]


def test_an_achievement_credits_its_rewards_and_points_once(rewards):
    first = run(rewards, claims(1))
    second = run(rewards, claims(1, start=1), first.state)

    assert first.state.balances == {"coins": 50, "gems": 1}
    assert first.state.points == 15
    assert second.state.balances == {"coins": 50, "gems": 1}
    assert second.state.points == 15


def test_each_tier_credits_its_own_rewards(rewards):
    decision = run(rewards, claims(3))

    assert decision.state.balance("coins") == 60
    assert decision.state.points == 20


def test_points_are_a_score_apart_from_xp(rewards):
    decision = run(rewards, claims(3))

    assert decision.state.xp == 0
    assert decision.state.level == 1


def test_an_xp_reward_raises_the_level(rewards):
    decision = run(rewards, claims(5))

    assert decision.state.xp == 160
    assert decision.state.level == 3
    assert [e.detail["level"] for e in decision.domain_events if e.name == "LevelUp"] == [2, 3]


def test_the_unlocked_event_names_the_rewards(rewards):
    decision = run(rewards, claims(1))

    (unlocked_event,) = [e for e in decision.domain_events if e.name == "AchievementUnlocked"]
    assert unlocked_event.detail["rewards"] == [
        {"currency": "coins", "amount": 50},
        {"currency": "gems", "amount": 1},
    ]
    assert unlocked_event.detail["points"] == 15


# --- domain event ids --------------------------------------------------------------------------


def test_domain_event_ids_are_stable_across_re_decisions(rewards):
    events = [*claims(5), event(type="plan.claim.submitted", at=at(hours=6))]

    first = decide(UserState("u1"), events, rewards, NOW)
    # Delivered again in another order: the write path orders them, and the ids are the same.
    again = decide(UserState("u1"), order_events(reversed(events)), rewards, NOW + timedelta(minutes=5))

    assert [e.id for e in first.domain_events] == [e.id for e in again.domain_events]


def test_domain_event_ids_do_not_depend_on_batching(rewards):
    events = claims(6)

    whole = run(rewards, events)
    piecewise = run_one_by_one(rewards, events)

    assert sorted(e.id for e in whole.domain_events) == sorted(e.id for e in piecewise.domain_events)


def test_domain_event_ids_differ_between_users(rewards):
    mine = run(rewards, [event("u1", "plan.claim.submitted", at=at(hours=1))], UserState("u1"))
    theirs = run(rewards, [event("u2", "plan.claim.submitted", at=at(hours=1))], UserState("u2"))

    assert {e.id for e in mine.domain_events}.isdisjoint(e.id for e in theirs.domain_events)
