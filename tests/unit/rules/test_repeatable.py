"""Repeatable achievements: at most max completions, cooldowns in event time."""

import pytest

from questline.domain.awards import AWARD_EVENT_TYPE as AWARD
from tests.factories import event
from tests.unit.rules_support import at, compiled, run, run_batches, run_one_by_one


@pytest.fixture(scope="module")
def repeatable():
    return compiled(
        """
        levels: {thresholds: [0, 100]}
        achievements:
          - id: daily-walk
            title: Daily walk
            points: 2
            repeatable: {max: 3, cooldown: {duration: 20, unit: hours}}
            criteria: {metric: {events: {type: health.walk.recorded}}, threshold: 1}
          - id: double-log
            title: Two logs
            repeatable: {}
            criteria: {metric: {events: {type: health.log.recorded}}, threshold: 2}
        """
    )


def walks(*hours):
    return [event(type="health.walk.recorded", at=at(hours=h)) for h in hours]


def test_a_repeatable_achievement_completes_at_most_max_times(repeatable):
    outcome = run_one_by_one(repeatable, walks(*(24 * d for d in range(6))))

    assert outcome.state.achievements["daily-walk"].completions == 3
    assert outcome.unlocked_records() == ["daily-walk", "daily-walk#2", "daily-walk#3"]
    assert [e.detail["completion"] for e in outcome.named("AchievementUnlocked")] == [1, 2, 3]
    assert outcome.state.points == 6


def test_a_repeatable_achievement_waits_for_its_cooldown_in_event_time(repeatable):
    decision = run(repeatable, walks(0, 10, 19.99, 20))

    assert [u.unlocked_at for u in decision.new_unlocks] == [at(hours=0), at(hours=20)]


def test_the_cooldown_ignores_when_the_events_are_processed(repeatable):
    outcome = run_batches(repeatable, [walks(0), walks(10), walks(19.99)])

    assert outcome.state.achievements["daily-walk"].completions == 1


def test_a_repeatable_achievement_counts_afresh_after_each_completion(repeatable):
    logs = [event(type="health.log.recorded", at=at(hours=h)) for h in range(5)]

    outcome = run_one_by_one(repeatable, logs)

    assert [u.unlocked_at for u in outcome.unlocks] == [at(hours=1), at(hours=3)]
    assert outcome.state.achievements["double-log"].completions == 2


def test_awarding_a_repeatable_achievement_does_not_exceed_its_max(repeatable):
    capped = run(repeatable, walks(0, 24, 48))
    award = event(type=AWARD, at=at(hours=60), payload={"grants": [], "achievementId": "daily-walk"})

    decision = run(repeatable, [award], capped.state)

    assert decision.state.achievements["daily-walk"].completions == 3
    assert decision.new_unlocks == []
