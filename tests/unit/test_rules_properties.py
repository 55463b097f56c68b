"""Properties of the rules engine that must hold for any events, arrival order and batching."""

import math
from collections import Counter, defaultdict
from datetime import timedelta
from functools import cache
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from questline.domain.decide import decide, order_events
from questline.domain.periods import local_date
from questline.domain.state import UserState
from tests.factories import NOW, event
from tests.unit.rules_support import T0, USER, compiled, run, run_batches, split, summary

SPAN_HOURS = 71  # events fall within three days (daily caps keep three days of counters)

ALL_TIME = compiled(
    """
    version: all-time
    currencies: [{id: coins}, {id: health-points}]
    xp:
      - {id: metric-xp, events: {type: health.metric.recorded}, amount: 10, dailyCap: 60}
      - id: steps-points
        events: {type: health.metric.recorded}
        currency: health-points
        fromField: {field: steps, factor: 0.01}
      - {id: appointment-xp, events: {type: care.appointment.scheduled}, amount: 40}
      - {id: plan-coins, events: {type: "plan.*"}, currency: coins, amount: 5, dailyCap: 12}
    boosts:
      - {id: double-day, factor: 2, from: "2026-11-17T00:00:00Z", until: "2026-11-18T00:00:00Z"}
    levels: {thresholds: [0, 50, 120, 250, 400, 700]}
    achievements:
      - id: first-measurement
        title: First measurement
        points: 5
        criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 1}
      - id: steps
        title: Steps
        metric: {events: {type: health.metric.recorded}, aggregate: sum, field: steps}
        tiers:
          - {id: 1k, threshold: 1000, points: 10}
          - {id: 5k, threshold: 5000, points: 20, rewards: [{currency: coins, amount: 3}]}
          - {id: 20k, threshold: 20000, points: 50, rewards: [{currency: coins, amount: 7}]}
      - id: device-collector
        title: Device collector
        type: COLLECTION
        points: 15
        criteria:
          metric: {events: {type: health.device.connected}, aggregate: distinct, field: deviceId}
          threshold: 2
      - id: care-regular
        title: Care regular
        points: 30
        rewards: [{currency: coins, amount: 10}]
        criteria: {metric: {events: {type: care.appointment.scheduled}}, threshold: 3}
      - id: all-journeys
        title: All journeys
        type: SECRET
        points: 25
        criteria:
          all:
            - {metric: {events: {type: "health.*"}}, threshold: 1}
            - {metric: {events: {type: "care.*"}}, threshold: 1}
            - {metric: {events: {type: "plan.*"}}, threshold: 1}
      - id: big-walk
        title: A big walk
        criteria:
          metric: {events: {type: health.metric.recorded}, aggregate: max, field: steps}
          threshold: 3000
      - id: veteran
        title: Veteran
        points: 40
        criteria: {all: [{achievement: steps, tier: 1k}, {level: {operator: gte, threshold: 3}}]}
    """
)

KINDS = {
    "metric": "health.metric.recorded",
    "device": "health.device.connected",
    "appointment": "care.appointment.scheduled",
    "claim": "plan.claim.submitted",
    "benefit": "plan.benefit.used",
    "other": "social.friend.invited",
}
numbers = st.integers(0, 6000)
step_values = st.one_of(numbers, numbers, numbers, st.sampled_from(["n/a", True, False, None]))


@st.composite
def event_lists(draw, min_size=0, max_size=30, span_hours=SPAN_HOURS, kinds=tuple(KINDS)):
    """Distinct events at second resolution within ``span_hours`` from T0, gathered around a few
    busy hours so that windows, tiers and caps are often at stake."""
    busy_hours = draw(st.lists(st.integers(0, span_hours), min_size=1, max_size=4))
    specs = draw(
        st.lists(
            st.tuples(
                st.sampled_from(kinds),
                st.sampled_from(busy_hours),
                st.integers(-2, 2),
                st.integers(0, 3599),
                step_values,
                st.sampled_from(["watch", "scale", "cuff"]),
            ),
            min_size=min_size,
            max_size=max_size,
        )
    )
    events = []
    for i, (kind, busy_hour, shift, second, steps, device) in enumerate(specs):
        payload = {"steps": steps} if kind == "metric" else {"deviceId": device} if kind == "device" else {}
        hour = min(span_hours, max(0, busy_hour + shift))
        when = T0 + timedelta(hours=hour, seconds=second)
        events.append(event(USER, KINDS[kind], id=f"e{i:03d}", at=when, payload=payload))
    return events


batch_sizes = st.lists(st.integers(0, 8), max_size=8)


def in_event_time_order(catalog, events):
    return run(catalog, sorted(events, key=lambda e: (e.timestamp, e.id)))


def shuffled(events, rnd):
    copy = list(events)
    rnd.shuffle(copy)
    return copy


# --- order and batching ------------------------------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(event_lists(min_size=5), batch_sizes, st.randoms(use_true_random=False))
def test_arrival_order_and_batching_do_not_change_an_all_time_outcome(events, sizes, rnd):
    reference = in_event_time_order(ALL_TIME, events)

    outcome = run_batches(ALL_TIME, split(shuffled(events, rnd), sizes))

    assert summary(outcome.state) == summary(reference.state)
    assert sorted(outcome.unlocked_records()) == sorted(u.record_id for u in reference.new_unlocks)
    levels = [e.detail["level"] for e in outcome.named("LevelUp")]
    assert sorted(levels) == list(range(2, reference.state.level + 1))


ROLLING = compiled(
    """
    version: rolling
    currencies: [{id: coins}]
    xp: [{id: metric-xp, events: {type: health.metric.recorded}, amount: 10}]
    levels: {thresholds: [0, 100, 300]}
    achievements:
      - id: busy-two-hours
        title: Three metrics within two hours
        points: 5
        criteria:
          metric: {events: {type: health.metric.recorded}, window: {rolling: {duration: 2, unit: hours}}}
          threshold: 3
      - id: ten-k-half-day
        title: 10,000 steps within 12 hours
        points: 20
        rewards: [{currency: coins, amount: 10}]
        criteria:
          metric:
            events: {type: health.metric.recorded}
            aggregate: sum
            field: steps
            window: {rolling: {duration: 12, unit: hours}}
          threshold: 10000
      - id: daily-steps
        title: Steps within a day
        metric:
          events: {type: health.metric.recorded}
          aggregate: sum
          field: steps
          window: {rolling: {duration: 1, unit: days}}
        tiers:
          - {id: 5k, threshold: 5000, points: 5}
          - {id: 8k, threshold: 8000, points: 10}
          - {id: 12k, threshold: 12000, points: 20, rewards: [{currency: coins, amount: 5}]}
      - id: gadget-day
        title: Two devices within 100 minutes
        criteria:
          metric:
            events: {type: health.device.connected}
            aggregate: distinct
            field: deviceId
            window: {rolling: {duration: 100, unit: minutes}}
          threshold: 2
      - id: steady-week
        title: Three kinds of activity within four days
        criteria:
          all:
            - metric: {events: {type: "health.*"}, window: {rolling: {duration: 4, unit: days}}}
              threshold: 4
            - metric: {events: {type: "care.*"}, window: {rolling: {duration: 4, unit: days}}}
              threshold: 1
    """
)
WIDE = compiled(
    """
    version: wide
    levels: {thresholds: [0, 100]}
    achievements:
      - id: steps-in-four-days
        title: 20,000 steps within four days
        criteria:
          metric:
            events: {type: health.metric.recorded}
            aggregate: sum
            field: steps
            window: {rolling: {duration: 4, unit: days}}
          threshold: 20000
      - id: three-devices-in-four-days
        title: Three devices within four days
        criteria:
          metric:
            events: {type: health.device.connected}
            aggregate: distinct
            field: deviceId
            window: {rolling: {duration: 4, unit: days}}
          threshold: 3
    """
)
MAX_LATENESS = timedelta(minutes=95)  # less than the shortest window (100 minutes)


@settings(max_examples=120, deadline=None)
@given(
    event_lists(min_size=8, max_size=35, kinds=("metric", "metric", "device", "appointment")),
    st.lists(st.integers(0, int(MAX_LATENESS.total_seconds())), min_size=35, max_size=35),
    batch_sizes,
)
def test_arrival_order_does_not_change_a_rolling_window_outcome_for_events_up_to_a_window_late(
    events, delays, sizes
):
    # Each event arrives up to MAX_LATENESS after its time: a late event is never more than that
    # behind the newest event already seen, well within the two windows kept.
    arrival = sorted(events, key=lambda e: e.timestamp + timedelta(seconds=delays[int(e.id[1:])]))
    reference = in_event_time_order(ROLLING, events)

    outcome = run_batches(ROLLING, split(arrival, sizes))

    assert summary(outcome.state) == summary(reference.state)


@settings(max_examples=80, deadline=None)
@given(event_lists(min_size=3, kinds=("metric", "device")), batch_sizes, st.randoms(use_true_random=False))
def test_any_arrival_order_gives_the_same_outcome_when_the_window_spans_every_event(events, sizes, rnd):
    reference = in_event_time_order(WIDE, events)

    outcome = run_batches(WIDE, split(shuffled(events, rnd), sizes))

    assert summary(outcome.state) == summary(reference.state)


# --- rolling window boundaries -----------------------------------------------------------------


@cache
def pair_catalog(duration, unit):
    return compiled(
        f"""
        levels: {{thresholds: [0, 100]}}
        achievements:
          - id: pair
            title: Two events within the window
            criteria:
              metric:
                events: {{type: health.metric.recorded}}
                window: {{rolling: {{duration: {duration}, unit: {unit}}}}}
              threshold: 2
        """
    )


def buckets_of(duration, unit):
    """Bucket width w and window length in buckets n, as metrics.py derives them: the window
    seen at instant t holds the buckets floor(t/w) - n + 1 .. floor(t/w)."""
    seconds = duration * {"minutes": 60, "hours": 3600, "days": 86400}[unit]
    width = max(60, seconds // 48)
    return width, math.ceil(seconds / width)


def pair_counted(duration, unit, earlier, later):
    """Whether two events are seen in one window: in one call, and with the later one first."""
    catalog = pair_catalog(duration, unit)
    first, second = event(at=earlier), event(at=later)
    together = "pair" in run(catalog, [first, second]).state.unlocked
    reversed_arrival = "pair" in run_batches(catalog, [[second], [first]]).state.unlocked
    assert together == reversed_arrival
    return together


windows = st.one_of(
    st.tuples(st.integers(1, 600), st.just("minutes")),
    st.tuples(st.integers(1, 72), st.just("hours")),
    st.tuples(st.integers(1, 7), st.just("days")),
)


@settings(max_examples=150, deadline=None)
@given(windows, st.integers(0, 2_000_000), st.integers(-3, 3), st.floats(0, 1, exclude_max=True))
def test_a_rolling_window_counts_an_earlier_event_while_its_bucket_is_within_the_window(
    window, start, bucket_offset, fraction
):
    duration, unit = window
    width, n = buckets_of(duration, unit)
    earlier = T0 + timedelta(seconds=start)
    gap = max(0, (n + bucket_offset) * width + int(fraction * width) - width // 2)
    later = earlier + timedelta(seconds=gap)

    apart = int(later.timestamp()) // width - int(earlier.timestamp()) // width

    assert pair_counted(duration, unit, earlier, later) is (apart < n)


@settings(max_examples=60, deadline=None)
@given(windows, st.integers(0, 2_000_000))
def test_an_event_one_window_length_earlier_is_never_counted_and_one_bucket_less_always_is(window, start):
    duration, unit = window
    width, n = buckets_of(duration, unit)
    earlier = T0 + timedelta(seconds=start)

    assert not pair_counted(duration, unit, earlier, earlier + timedelta(seconds=n * width))
    assert pair_counted(duration, unit, earlier, earlier + timedelta(seconds=(n - 1) * width))


def test_a_day_window_holds_48_half_hour_buckets():
    width, n = buckets_of(24, "hours")
    midnight = T0

    assert (width, n) == (1800, 48)
    assert not pair_counted(24, "hours", midnight, midnight + timedelta(hours=24))
    assert pair_counted(24, "hours", midnight, midnight + timedelta(hours=24, seconds=-1))
    assert not pair_counted(
        24, "hours", midnight - timedelta(seconds=1), midnight + timedelta(hours=23, minutes=30)
    )
    assert pair_counted(
        24, "hours", midnight - timedelta(seconds=1), midnight + timedelta(hours=23, minutes=29)
    )


def test_a_short_window_has_one_minute_buckets():
    width, n = buckets_of(10, "minutes")
    start = T0 + timedelta(seconds=30)

    assert (width, n) == (60, 10)
    assert pair_counted(10, "minutes", start, start + timedelta(minutes=9, seconds=29))
    assert not pair_counted(10, "minutes", start, start + timedelta(minutes=9, seconds=30))


# --- tiers, caps, repeatables ------------------------------------------------------------------


def numeric_steps(events):
    return sum(
        e.payload["steps"]
        for e in events
        if e.type == "health.metric.recorded"
        and isinstance(e.payload.get("steps"), int)
        and not isinstance(e.payload["steps"], bool)
    )


@settings(max_examples=100, deadline=None)
@given(
    event_lists(min_size=3, kinds=("metric", "metric", "other")),
    st.lists(st.integers(0, 4), max_size=12),
    st.randoms(use_true_random=False),
)
def test_tiers_never_unlock_twice_whatever_the_batching(events, sizes, rnd):
    outcome = run_batches(ALL_TIME, split(shuffled(events, rnd), sizes))

    tier_unlocks = Counter(
        e.detail["tier"] for e in outcome.named("AchievementUnlocked") if e.detail["achievementId"] == "steps"
    )
    assert all(n == 1 for n in tier_unlocks.values())
    held = outcome.state.achievements.get("steps")
    held_tiers = held.tiers if held else ()
    assert len(held_tiers) == len(set(held_tiers))
    total = numeric_steps(events)
    assert set(held_tiers) == {
        t for t, threshold in [("1k", 1000), ("5k", 5000), ("20k", 20000)] if total >= threshold
    }


CAPPED = compiled(
    """
    version: capped
    defaultTimeZone: America/New_York
    xp:
      - {id: workout-xp, events: {type: health.workout.completed}, fromField: {field: xp}, dailyCap: 100}
      - {id: metric-xp, events: {type: health.metric.recorded}, amount: 15, dailyCap: 40}
    boosts:
      - {id: double-evening, factor: 2, from: "2026-11-17T22:00:00Z", until: "2026-11-18T03:00:00Z"}
    levels: {thresholds: [0, 1000000]}
    """
)
NY_MIDNIGHT = T0 + timedelta(hours=5)  # Nov 16, 00:00 in New York
CAPS = {"workout-xp": 100, "metric-xp": 40}


@st.composite
def capped_events(draw):
    specs = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["health.workout.completed", "health.metric.recorded"]),
                st.integers(0, 3 * 86400 - 1),  # three local days in New York
                st.integers(0, 80),
            ),
            max_size=30,
        )
    )
    return [
        event(USER, kind, id=f"c{i:03d}", at=NY_MIDNIGHT + timedelta(seconds=s), payload={"xp": xp})
        for i, (kind, s, xp) in enumerate(specs)
    ]


def capped_oracle(events):
    """XP expected: per rule and local day, the boosted amounts summed, up to the cap."""
    earned = defaultdict(int)
    boost_from, boost_until = CAPPED.boosts[0].from_, CAPPED.boosts[0].until
    for e in events:
        rule = "workout-xp" if e.type == "health.workout.completed" else "metric-xp"
        base = e.payload["xp"] if rule == "workout-xp" else 15
        factor = 2 if boost_from <= e.timestamp < boost_until else 1
        earned[rule, local_date(e.timestamp, "America/New_York")] += base * factor
    return sum(min(CAPS[rule], amount) for (rule, _), amount in earned.items())


@settings(max_examples=100, deadline=None)
@given(capped_events(), batch_sizes, st.randoms(use_true_random=False))
def test_daily_caps_are_never_exceeded_whatever_the_order_and_batching(events, sizes, rnd):
    outcome = run_batches(CAPPED, split(shuffled(events, rnd), sizes))

    assert outcome.state.xp == capped_oracle(events)
    for rule, days in outcome.state.caps.items():
        assert all(earned <= CAPS[rule] for earned in days.values())


REPEATABLE = compiled(
    """
    version: repeatable
    levels: {thresholds: [0, 100]}
    achievements:
      - id: check-in
        title: Check in
        points: 1
        repeatable: {max: 3, cooldown: {duration: 6, unit: hours}}
        criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 2}
      - id: any-care
        title: Any care
        repeatable: {max: 2}
        criteria: {metric: {events: {type: "care.*"}}, threshold: 1}
    """
)


@settings(max_examples=100, deadline=None)
@given(
    event_lists(min_size=5, kinds=("metric", "metric", "appointment")),
    batch_sizes,
    st.randoms(use_true_random=False),
)
def test_repeatable_completions_never_exceed_max_and_respect_the_cooldown(events, sizes, rnd):
    outcome = run_batches(REPEATABLE, split(shuffled(events, rnd), sizes))

    for achievement_id, most in [("check-in", 3), ("any-care", 2)]:
        unlocks = [u for u in outcome.unlocks if u.achievement_id == achievement_id]
        held = outcome.state.achievements.get(achievement_id)
        assert len(unlocks) <= most
        assert [u.completion for u in unlocks] == list(range(1, len(unlocks) + 1))
        assert (held.completions if held else 0) == len(unlocks)
    check_ins = [u.unlocked_at for u in outcome.unlocks if u.achievement_id == "check-in"]
    assert all(b - a >= timedelta(hours=6) for a, b in pairwise(check_ins))
    assert outcome.state.points == len(check_ins)


# --- duplicate delivery ------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    event_lists(),
    st.lists(st.integers(0, 29), max_size=20),
    batch_sizes,
    st.randoms(use_true_random=False),
)
def test_duplicate_deliveries_dropped_by_id_leave_the_state_as_one_delivery_would(
    events, repeats, sizes, rnd
):
    deliveries = shuffled(events + [events[i % len(events)] for i in repeats if events], rnd)
    state, applied = UserState(USER), set()

    for batch in split(deliveries, sizes):
        fresh = list({e.id: e for e in batch if e.id not in applied}.values())
        decision = decide(state, order_events(fresh), ALL_TIME, NOW)
        state = decision.state
        applied.update(decision.applied_event_ids)

    assert applied == {e.id for e in events}
    assert summary(state) == summary(in_event_time_order(ALL_TIME, events).state)
