"""Time-limited achievements: availability judged by event time."""

from datetime import UTC, datetime, timedelta

import pytest

from questline.domain.decide import decide
from questline.domain.state import UserState
from tests.factories import event
from tests.unit.rules_support import compiled, run


@pytest.fixture(scope="module")
def winter():
    return compiled(
        """
        levels: {thresholds: [0, 100]}
        achievements:
          - id: winter-challenge
            title: Winter challenge
            availableFrom: "2026-12-01T00:00:00Z"
            availableUntil: "2026-12-08T00:00:00Z"
            criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 3}
        """
    )


DEC_1 = datetime(2026, 12, 1, tzinfo=UTC)
DEC_8 = datetime(2026, 12, 8, tzinfo=UTC)


def test_a_time_limited_achievement_unlocks_inside_its_availability(winter):
    decision = run(
        winter, [event(at=DEC_1), event(at=DEC_1 + timedelta(days=3)), event(at=DEC_8 - timedelta(seconds=1))]
    )

    assert "winter-challenge" in decision.state.unlocked


def test_a_time_limited_achievement_does_not_unlock_from_availableuntil_on(winter):
    inside = [event(at=DEC_1 + timedelta(days=d)) for d in (1, 2)]

    decision = run(winter, [*inside, event(at=DEC_8), event(at=DEC_8 + timedelta(days=1))])

    assert "winter-challenge" not in decision.state.unlocked


def test_a_time_limited_achievement_goes_by_event_time_not_processing_time(winter):
    state = UserState("u1")
    for day in (1, 2, 6):
        processed_after_the_end = DEC_8 + timedelta(days=10 + day)
        state = decide(state, [event(at=DEC_1 + timedelta(days=day))], winter, processed_after_the_end).state

    assert "winter-challenge" in state.unlocked


def test_events_before_availablefrom_do_not_count_toward_unlocking(winter):
    before = [event(at=DEC_1 - timedelta(days=d)) for d in (1, 2)]

    decision = run(winter, [*before, event(at=DEC_1 + timedelta(hours=1))])

    assert "winter-challenge" not in decision.state.unlocked
