"""Streaks through the decide step: extensions, minimum per period, freezes, grace, breaks,
milestones, time zones and late events."""

from datetime import UTC, datetime, timedelta

import pytest

from questline.domain.catalog import compile_catalog
from questline.domain.clock import STREAK, DueKey, tick_event
from questline.domain.decide import decide
from questline.domain.state import UserState
from questline.domain.streaks import open_period, period_of, status
from questline.models.catalog_bundle import parse_catalog
from tests.factories import event

DAILY_STEPS = DueKey(STREAK, "daily-steps")
CATALOG = compile_catalog(
    parse_catalog(
        """
version: streaks-1
defaultTimeZone: America/New_York
levels: {thresholds: [0, 1000]}
streaks:
  - id: daily-steps
    title: Daily steps
    events: {type: health.metric.recorded}
    minimum: {aggregate: sum, field: steps, threshold: 5000}
    grace: {duration: 2, unit: hours}
    freezes: {earnEvery: 3, max: 1}
    milestones: [3, 7]
  - id: weekly-care
    title: Weekly care
    period: week
    events: {type: "care.*"}
achievements:
  - id: week-warrior
    title: Week warrior
    criteria: {streak: {id: daily-steps, operator: gte, threshold: 7}}
"""
    )
)
STREAK = CATALOG.streaks_by_id["daily-steps"]
NY_NOON = datetime(2026, 11, 10, 17, tzinfo=UTC)  # 12:00 in New York


def steps(day: int, amount: int = 6000, hour: float = 0, **kwargs):
    at = NY_NOON + timedelta(days=day, hours=hour)
    return event("u1", id=f"s{day}-{hour}-{amount}", at=at, payload={"steps": amount}, **kwargs)


def run(*events, state=None, now=None):
    decision = decide(state or UserState("u1"), list(events), CATALOG, now or NY_NOON)
    return decision


def current(state, at):
    return status(STREAK, state.streaks["daily-steps"], open_period(STREAK, at, "America/New_York", 0))


def test_a_day_counts_once_its_minimum_is_reached():
    decision = run(steps(0, 3000), steps(0, 1999, hour=1))
    assert "daily-steps" not in decision.state.streaks or not decision.state.streaks["daily-steps"].runs
    more = run(steps(0, 1, hour=2), state=decision.state)
    assert [e.name for e in more.domain_events] == ["StreakExtended"]


def test_consecutive_days_extend_and_emit_milestones():
    decision = run(*(steps(d) for d in range(3)))
    names = [e.name for e in decision.domain_events]
    assert names.count("StreakExtended") == 3
    assert [e.detail["milestone"] for e in decision.domain_events if e.name == "StreakMilestone"] == [3]
    assert current(decision.state, NY_NOON + timedelta(days=2)).current == 3


def test_out_of_order_days_give_the_same_streak():
    forward = run(*(steps(d) for d in range(5)))
    backward = UserState("u1")
    for d in reversed(range(5)):
        backward = run(steps(d), state=backward).state
    at = NY_NOON + timedelta(days=4)
    assert current(forward.state, at) == current(backward, at)


def test_a_missed_day_consumes_an_earned_freeze_and_is_not_an_extension():
    state = run(*(steps(d) for d in (0, 1, 2, 4))).state
    now = current(state, NY_NOON + timedelta(days=4))
    day_3 = period_of(STREAK, NY_NOON + timedelta(days=3), "America/New_York", 0)
    assert (now.current, now.frozen, now.freezes) == (4, (day_3,), 0)


def test_two_missed_days_with_one_freeze_break_the_streak():
    state = run(*(steps(d) for d in (0, 1, 2, 5))).state
    assert current(state, NY_NOON + timedelta(days=5)).current == 1


def test_the_grace_period_keeps_yesterday_open_after_midnight():
    state = run(steps(0)).state
    midnight = datetime(2026, 11, 11, 5, tzinfo=UTC)  # 00:00 in New York
    assert open_period(STREAK, midnight + timedelta(hours=1), "America/New_York", 0) < open_period(
        STREAK, midnight + timedelta(hours=3), "America/New_York", 0
    )
    late = run(steps(0, hour=12.5), state=state)  # 00:30 next day local: a new day, not day 0
    assert len(late.state.streaks["daily-steps"].runs) == 1


def test_a_tick_past_the_deadline_breaks_once_and_emits_streak_broken():
    state = run(steps(0)).state
    deadline = run(steps(0)).due[DAILY_STEPS]
    tick = tick_event("u1", DAILY_STEPS, deadline + timedelta(days=2))
    broken = decide(state, [tick], CATALOG, deadline)
    again = decide(
        broken.state,
        [tick_event("u1", DAILY_STEPS, deadline + timedelta(days=3))],
        CATALOG,
        deadline,
    )
    assert [e.name for e in broken.domain_events] == ["StreakBroken"]
    assert [e.name for e in again.domain_events] == []


def test_a_tick_uses_an_earned_freeze_and_emits_streak_frozen():
    state = run(*(steps(d) for d in range(3))).state
    deadline = run(*(steps(d) for d in range(3))).due[DAILY_STEPS]
    frozen = decide(state, [tick_event("u1", DAILY_STEPS, deadline)], CATALOG, deadline)
    assert [e.name for e in frozen.domain_events] == ["StreakFrozen"]
    assert frozen.due[DAILY_STEPS] > deadline


def test_the_deadline_is_the_end_of_the_next_local_day_plus_grace():
    decision = run(steps(0))
    # Day 0 is Nov 10 in New York; the next day ends at Nov 12 00:00 EST (05:00Z), plus 2 hours.
    assert decision.due[DAILY_STEPS] == datetime(2026, 11, 12, 7, tzinfo=UTC)


def test_a_streak_milestone_unlocks_an_achievement():
    state = run(*(steps(d) for d in range(7))).state
    assert "week-warrior" in state.unlocked


@pytest.mark.parametrize("day", [0, 1, 2, 3, 4, 5, 6])
def test_a_weekly_streak_counts_any_day_of_the_week(day):
    monday = datetime(2026, 11, 9, 17, tzinfo=UTC)
    decision = decide(
        UserState("u1"),
        [event("u1", "care.medication.tracked", id="c", at=monday + timedelta(days=day))],
        CATALOG,
        monday,
    )
    assert [e.name for e in decision.domain_events] == ["StreakExtended"]
    assert decision.domain_events[0].detail["period"] == "2026-11-09/w"
