"""The criteria language and the catalog's rules, each behaviour through a catalog bundle in YAML."""

from datetime import UTC, datetime, timedelta

import pytest

from questline.domain.decide import decide
from questline.domain.state import UserState
from tests.factories import NOW, event
from tests.unit.rules_support import at, compiled, run, run_batches, run_one_by_one, unlocked

AWARD = "questline.award.granted"


def counts(events_filter, ev):
    """Whether ``ev`` counts toward ``count >= 1`` of the metric with this events filter."""
    catalog = compiled(
        f"""
        levels: {{thresholds: [0, 100]}}
        achievements:
          - {{id: hit, title: Hit, criteria: {{metric: {{events: {events_filter}}}, threshold: 1}}}}
        """
    )
    return "hit" in run(catalog, [ev]).state.unlocked


# --- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events_filter", "event_type", "expected"),
    [
        ("{type: health.metric.recorded}", "health.metric.recorded", True),
        ("{type: health.metric.recorded}", "health.metric.recorded_daily", False),
        ("{type: health.metric}", "health.metric.recorded", False),
        ("{type: 'care.*'}", "care.appointment.scheduled", True),
        ("{type: 'care.*'}", "care.medication.tracked", True),
        ("{type: 'care.*'}", "careplan.visit.booked", False),
        ("{type: 'care.*'}", "health.care.noted", False),
        ("{type: 'care.appointment.*'}", "care.appointment.scheduled", True),
        ("{type: 'care.appointment.*'}", "care.medication.tracked", False),
        ("{type: '*'}", "plan.claim.submitted", True),
        ("{}", "plan.claim.submitted", True),
    ],
)
def test_the_type_pattern_is_exact_a_dotted_prefix_or_anything(events_filter, event_type, expected):
    assert counts(events_filter, event(type=event_type, at=at(hours=1))) is expected


@pytest.mark.parametrize(("journey", "expected"), [("care", True), ("health", False), (None, False)])
def test_the_journey_filter_matches_the_event_journey(journey, expected):
    ev = event(type="care.appointment.scheduled", at=at(hours=1), journey=journey)

    assert counts("{type: 'care.*', journey: care}", ev) is expected


@pytest.mark.parametrize(
    ("test", "payload", "expected"),
    [
        ("{field: status, equals: APPROVED}", {"status": "APPROVED"}, True),
        ("{field: status, equals: APPROVED}", {"status": "approved"}, False),
        ("{field: status, equals: APPROVED}", {}, False),
        ("{field: visits, equals: 1}", {"visits": 1}, True),
        ("{field: visits, equals: 1}", {"visits": 1.0}, True),
        ("{field: visits, equals: 1}", {"visits": "1"}, False),
        ("{field: visits, equals: 1}", {"visits": True}, False),
        ("{field: accepted, equals: true}", {"accepted": True}, True),
        ("{field: accepted, equals: true}", {"accepted": 1}, False),
        ("{field: accepted, equals: false}", {"accepted": False}, True),
        ("{field: accepted, equals: false}", {"accepted": 0}, False),
        ("{field: metricType, in: [STEPS, HEART_RATE]}", {"metricType": "HEART_RATE"}, True),
        ("{field: metricType, in: [STEPS, HEART_RATE]}", {"metricType": "WEIGHT"}, False),
        ("{field: metricType, in: [STEPS, HEART_RATE]}", {}, False),
        ("{field: tier, in: [1, 2]}", {"tier": 2}, True),
        ("{field: tier, in: [1, 2]}", {"tier": True}, False),
        ("{field: tier, in: [1, 2]}", {"tier": "2"}, False),
        ("{field: value, gt: 10}", {"value": 10}, False),
        ("{field: value, gt: 10}", {"value": 10.5}, True),
        ("{field: value, gte: 10}", {"value": 10}, True),
        ("{field: value, gte: 10}", {"value": 9.99}, False),
        ("{field: value, lt: 10}", {"value": 9.99}, True),
        ("{field: value, lt: 10}", {"value": 10}, False),
        ("{field: value, lte: 10}", {"value": 10}, True),
        ("{field: value, lte: 10}", {"value": 11}, False),
        ("{field: value, gte: 1}", {"value": True}, False),
        ("{field: value, lte: 1}", {"value": False}, False),
        ("{field: value, gt: 10}", {"value": "11"}, False),
        ("{field: value, gt: 10}", {}, False),
        ("{field: deviceId, exists: true}", {"deviceId": "w1"}, True),
        ("{field: deviceId, exists: true}", {"deviceId": None}, True),
        ("{field: deviceId, exists: true}", {}, False),
        ("{field: deviceId, exists: false}", {}, True),
        ("{field: deviceId, exists: false}", {"deviceId": "w1"}, False),
        ("{field: deviceId, exists: false}", {"deviceId": None}, False),
        ("{field: device.kind, equals: watch}", {"device": {"kind": "watch"}}, True),
        ("{field: device.kind, equals: watch}", {"device": "watch"}, False),
        ("{field: device.kind, exists: false}", {"device": {"model": "x"}}, True),
    ],
)
def test_a_payload_test_decides_whether_an_event_counts(test, payload, expected):
    ev = event(type="health.metric.recorded", at=at(hours=1), payload=payload)

    assert counts(f"{{type: health.metric.recorded, payload: [{test}]}}", ev) is expected


def test_every_payload_test_of_a_filter_must_hold():
    events_filter = "{payload: [{field: metricType, equals: STEPS}, {field: value, gte: 1000}]}"

    assert counts(events_filter, event(at=at(hours=1), payload={"metricType": "STEPS", "value": 1000}))
    assert not counts(events_filter, event(at=at(hours=1), payload={"metricType": "STEPS", "value": 999}))
    assert not counts(events_filter, event(at=at(hours=1), payload={"metricType": "SLEEP", "value": 1000}))


# --- aggregations ------------------------------------------------------------------------------

AGGREGATES = compiled(
    """
    levels: {thresholds: [0, 100]}
    achievements:
      - id: three-readings
        title: Three readings
        criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 3}
      - id: marathon
        title: Marathon distance
        criteria:
          metric: {events: {type: health.run.recorded}, aggregate: sum, field: km}
          threshold: 42.5
      - id: steady-oxygen
        title: Three readings, none under 95
        criteria:
          all:
            - {metric: {events: {type: health.oxygen.recorded}}, threshold: 3}
            - {metric: {events: {type: health.oxygen.recorded}, aggregate: min, field: spo2}, threshold: 95}
      - id: no-spikes
        title: Three readings, none over 120
        criteria:
          all:
            - {metric: {events: {type: health.pressure.recorded}}, threshold: 3}
            - metric: {events: {type: health.pressure.recorded}, aggregate: max, field: systolic}
              operator: lte
              threshold: 120
      - id: calm-now
        title: Two readings, the latest at most 60
        criteria:
          all:
            - {metric: {events: {type: health.pulse.recorded}}, threshold: 2}
            - metric: {events: {type: health.pulse.recorded}, aggregate: last, field: bpm}
              operator: lte
              threshold: 60
      - id: clinic-hopper
        title: Three clinics
        criteria:
          metric: {events: {type: care.appointment.completed}, aggregate: distinct, field: clinicId}
          threshold: 3
    """
)


def readings(type, field, values, start=0):
    return [event(type=type, at=at(hours=start + i), payload={field: v}) for i, v in enumerate(values)]


def test_count_counts_every_matching_event():
    two = run(AGGREGATES, readings("health.metric.recorded", "x", [1, 2]))
    three = run(AGGREGATES, readings("health.metric.recorded", "x", [3], start=2), two.state)

    assert "three-readings" not in two.state.unlocked
    assert "three-readings" in three.state.unlocked


def test_sum_adds_numeric_fields_including_fractions():
    short = run(AGGREGATES, readings("health.run.recorded", "km", [20.25, 21.75, 0.25]))
    done = run(AGGREGATES, readings("health.run.recorded", "km", [0.25], start=3), short.state)

    assert "marathon" not in short.state.unlocked
    assert "marathon" in done.state.unlocked


def test_sum_ignores_booleans_strings_and_missing_fields():
    decision = run(AGGREGATES, readings("health.run.recorded", "km", [40, True, "5", None, {"km": 5}]))

    assert "marathon" not in decision.state.unlocked


def test_min_is_the_lowest_value_seen():
    one_low = run(AGGREGATES, readings("health.oxygen.recorded", "spo2", [97, 93, 99]))
    all_high = run(AGGREGATES, readings("health.oxygen.recorded", "spo2", [97, 95, 99]))

    assert "steady-oxygen" not in one_low.state.unlocked
    assert "steady-oxygen" in all_high.state.unlocked


def test_max_is_the_highest_value_seen():
    one_spike = run(AGGREGATES, readings("health.pressure.recorded", "systolic", [110, 125, 100]))
    no_spike = run(AGGREGATES, readings("health.pressure.recorded", "systolic", [110, 120, 100]))

    assert "no-spikes" not in one_spike.state.unlocked
    assert "no-spikes" in no_spike.state.unlocked


def test_last_is_the_value_of_the_latest_event_by_event_time_not_arrival():
    newest = event(type="health.pulse.recorded", at=at(hours=2), payload={"bpm": 55})
    older_arriving_late = event(type="health.pulse.recorded", at=at(hours=1), payload={"bpm": 70})

    outcome = run_batches(AGGREGATES, [[newest], [older_arriving_late]])

    assert "calm-now" in outcome.state.unlocked


def test_last_is_not_replaced_by_an_older_event_arriving_late():
    newest = event(type="health.pulse.recorded", at=at(hours=2), payload={"bpm": 70})
    older_arriving_late = event(type="health.pulse.recorded", at=at(hours=1), payload={"bpm": 55})

    outcome = run_batches(AGGREGATES, [[newest], [older_arriving_late]])

    assert "calm-now" not in outcome.state.unlocked


def test_distinct_counts_each_value_once():
    repeats = run(AGGREGATES, readings("care.appointment.completed", "clinicId", ["c1", "c2", "c1", "c2"]))
    third = run(
        AGGREGATES, readings("care.appointment.completed", "clinicId", ["c3"], start=4), repeats.state
    )

    assert "clinic-hopper" not in repeats.state.unlocked
    assert "clinic-hopper" in third.state.unlocked


def test_distinct_ignores_values_that_are_not_scalars():
    decision = run(
        AGGREGATES, readings("care.appointment.completed", "clinicId", ["c1", {"id": "c2"}, ["c3"], None])
    )

    assert "clinic-hopper" not in decision.state.unlocked


# --- calendar windows --------------------------------------------------------------------------

NEW_YORK = {"timeZone": "America/New_York"}
LATE_EVENING_NY = datetime(2026, 11, 21, 4, 30, tzinfo=UTC)  # 23:30 on Nov 20 in New York
EARLY_MORNING_NY = datetime(2026, 11, 21, 5, 30, tzinfo=UTC)  # 00:30 on Nov 21 in New York


def calendar_catalog(period, extra=""):
    return compiled(
        f"""
        levels: {{thresholds: [0, 100]}}
        {extra}
        achievements:
          - id: twice
            title: Twice in one {period}
            criteria:
              metric: {{events: {{type: health.metric.recorded}}, window: {{calendar: {period}}}}}
              threshold: 2
        """
    )


def test_a_calendar_day_is_the_users_local_day_from_the_event_time_zone():
    events = [
        event(at=LATE_EVENING_NY, metadata=NEW_YORK),
        event(at=EARLY_MORNING_NY, metadata=NEW_YORK),
    ]

    decision = run(calendar_catalog("day"), events)

    assert "twice" not in decision.state.unlocked


def test_a_calendar_day_defaults_to_utc():
    decision = run(calendar_catalog("day"), [event(at=LATE_EVENING_NY), event(at=EARLY_MORNING_NY)])

    assert "twice" in decision.state.unlocked


def test_a_calendar_day_uses_the_catalog_default_time_zone():
    catalog = calendar_catalog("day", extra="defaultTimeZone: America/New_York")

    apart = run(catalog, [event(at=LATE_EVENING_NY), event(at=EARLY_MORNING_NY)])
    same_local_day = run(
        catalog, [event(at=EARLY_MORNING_NY), event(at=EARLY_MORNING_NY + timedelta(hours=18))]
    )

    assert "twice" not in apart.state.unlocked
    assert "twice" in same_local_day.state.unlocked


def test_the_users_time_zone_is_remembered_from_an_earlier_event():
    first = run(calendar_catalog("day"), [event(at=LATE_EVENING_NY, metadata=NEW_YORK)])
    second = run(calendar_catalog("day"), [event(at=EARLY_MORNING_NY)], first.state)

    assert second.state.time_zone == "America/New_York"
    assert "twice" not in second.state.unlocked


SATURDAY = datetime(2026, 11, 21, 12, tzinfo=UTC)
SUNDAY = SATURDAY + timedelta(days=1)
MONDAY = SATURDAY + timedelta(days=2)


@pytest.mark.parametrize(
    ("week_start", "days", "expected"),
    [
        ("monday", [SATURDAY, SUNDAY], True),
        ("monday", [SUNDAY, MONDAY], False),
        ("sunday", [SATURDAY, SUNDAY], False),
        ("sunday", [SUNDAY, MONDAY], True),
    ],
)
def test_a_calendar_week_begins_on_the_catalog_week_start(week_start, days, expected):
    catalog = calendar_catalog("week", extra=f"weekStart: {week_start}")

    decision = run(catalog, [event(at=d) for d in days])

    assert ("twice" in decision.state.unlocked) is expected


def test_a_calendar_month_ends_at_the_local_month_end():
    last_evening_of_october_ny = datetime(2026, 11, 1, 2, tzinfo=UTC)  # 22:00 on Oct 31, EDT
    events = [event(at=datetime(2026, 10, 20, 12, tzinfo=UTC)), event(at=last_evening_of_october_ny)]

    in_new_york = run(calendar_catalog("month", extra="defaultTimeZone: America/New_York"), events)
    in_utc = run(calendar_catalog("month"), events)

    assert "twice" in in_new_york.state.unlocked
    assert "twice" not in in_utc.state.unlocked


# --- all / any / not ---------------------------------------------------------------------------

COMBINATORS = compiled(
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


def test_all_needs_every_condition():
    two = run(
        COMBINATORS,
        [event(type="health.metric.recorded", at=at(hours=1)), event(type="care.x.y", at=at(hours=2))],
    )
    three = run(COMBINATORS, [event(type="plan.claim.submitted", at=at(hours=3))], two.state)

    assert "all-journeys" not in two.state.unlocked
    assert "all-journeys" in three.state.unlocked


def test_any_needs_one_condition():
    one_claim = run(COMBINATORS, [event(type="plan.claim.submitted", at=at(hours=1))])
    benefit = run(COMBINATORS, [event(type="plan.benefit.used", at=at(hours=2))], one_claim.state)

    assert "plan-user" not in one_claim.state.unlocked
    assert "plan-user" in benefit.state.unlocked


def test_not_blocks_when_its_condition_holds():
    with_a_miss = run(
        COMBINATORS,
        [
            event(type="care.appointment.missed", at=at(hours=1)),
            event(type="care.appointment.scheduled", at=at(hours=2)),
            event(type="care.appointment.scheduled", at=at(hours=3)),
        ],
    )
    without = run(
        COMBINATORS,
        [event(type="care.appointment.scheduled", at=at(hours=h)) for h in (2, 3)],
    )

    assert "reliable" not in with_a_miss.state.unlocked
    assert "reliable" in without.state.unlocked


def test_a_lone_not_is_only_judged_by_the_events_it_watches_so_never_holds_then():
    decision = run(
        COMBINATORS,
        [
            event(type="care.appointment.scheduled", at=at(hours=1)),
            event(type="care.appointment.missed", at=at(hours=2)),
        ],
    )

    assert "never-missed" not in decision.state.unlocked


# --- prerequisites and cascades ----------------------------------------------------------------

CASCADE = compiled(
    """
    levels: {thresholds: [0, 1000]}
    achievements:
      - id: first-steps
        title: First steps
        criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 1}
      - id: steps
        title: Steps
        metric: {events: {type: health.metric.recorded}, aggregate: sum, field: steps}
        tiers: [{id: 1k, threshold: 1000}, {id: 5k, threshold: 5000}]
      - id: walker
        title: Walker
        points: 20
        criteria: {all: [{achievement: first-steps}, {achievement: steps, tier: 5k}]}
      - {id: ultra, title: Ultra, points: 30, criteria: {achievement: walker}}
    """
)


def test_a_meta_achievement_unlocks_in_the_same_call_as_its_prerequisites():
    decision = run(CASCADE, [event(at=at(hours=1), payload={"steps": 6000})])

    assert [u.record_id for u in decision.new_unlocks] == [
        "first-steps",
        "steps#1k",
        "steps#5k",
        "walker",
        "ultra",
    ]
    assert decision.state.points == 50


def test_a_tier_prerequisite_waits_for_that_tier():
    short = run(CASCADE, [event(at=at(hours=1), payload={"steps": 4000})])
    enough = run(CASCADE, [event(at=at(hours=2), payload={"steps": 1000})], short.state)

    assert unlocked(short.state) == {"first-steps", "steps"}
    assert {"walker", "ultra"} <= unlocked(enough.state)


def test_a_prerequisite_met_later_unlocks_the_meta_achievement_then():
    first = run(CASCADE, [event(at=at(hours=1), payload={})])
    later = run(CASCADE, [event(at=at(hours=2), payload={"steps": 5000})], first.state)

    assert "walker" not in first.state.unlocked
    assert [u.record_id for u in later.new_unlocks] == ["steps#1k", "steps#5k", "walker", "ultra"]


def test_a_meta_achievement_unlocks_with_its_prerequisite_when_the_event_also_earns_xp():
    catalog = compiled(
        """
        levels: {thresholds: [0, 1000]}
        xp: [{id: metric-xp, events: {type: health.metric.recorded}, amount: 10}]
        achievements:
          - id: first-metric
            title: First metric
            criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 1}
          - {id: collector, title: Collector, criteria: {achievement: first-metric}}
        """
    )

    decision = run(catalog, [event(at=at(hours=1))])

    assert unlocked(decision.state) == {"first-metric", "collector"}


# --- level, xp and currency conditions ---------------------------------------------------------

STATE_CONDITIONS = compiled(
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


def test_a_level_condition_unlocks_when_xp_reaches_the_level():
    four = run(STATE_CONDITIONS, [event(at=at(hours=h)) for h in range(4)])
    five = run(STATE_CONDITIONS, [event(at=at(hours=4))], four.state)

    assert four.state.level == 2
    assert "level-three" not in four.state.unlocked
    assert five.state.level == 3
    assert "level-three" in five.state.unlocked


def test_an_xp_condition_compares_total_xp():
    seven = run(STATE_CONDITIONS, [event(at=at(hours=h)) for h in range(7)])
    eight = run(STATE_CONDITIONS, [event(at=at(hours=7))], seven.state)

    assert "xp-400" not in seven.state.unlocked
    assert "xp-400" in eight.state.unlocked


def test_a_currency_condition_compares_the_balance():
    three = run(STATE_CONDITIONS, [event(type="plan.claim.submitted", at=at(hours=h)) for h in range(3)])
    four = run(STATE_CONDITIONS, [event(type="plan.claim.submitted", at=at(hours=3))], three.state)

    assert three.state.balance("coins") == 90
    assert "saver" not in three.state.unlocked
    assert "saver" in four.state.unlocked


def test_a_level_condition_is_judged_at_the_time_of_the_event():
    early = run(STATE_CONDITIONS, [event(type="plan.claim.submitted", at=at(hours=1))])
    late = run(
        STATE_CONDITIONS,
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


# --- repeatable --------------------------------------------------------------------------------

REPEATABLE = compiled(
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


def test_a_repeatable_achievement_completes_at_most_max_times():
    outcome = run_one_by_one(REPEATABLE, walks(*(24 * d for d in range(6))))

    assert outcome.state.achievements["daily-walk"].completions == 3
    assert outcome.unlocked_records() == ["daily-walk", "daily-walk#2", "daily-walk#3"]
    assert [e.detail["completion"] for e in outcome.named("AchievementUnlocked")] == [1, 2, 3]
    assert outcome.state.points == 6


def test_a_repeatable_achievement_waits_for_its_cooldown_in_event_time():
    decision = run(REPEATABLE, walks(0, 10, 19.99, 20))

    assert [u.unlocked_at for u in decision.new_unlocks] == [at(hours=0), at(hours=20)]


def test_the_cooldown_ignores_when_the_events_are_processed():
    outcome = run_batches(REPEATABLE, [walks(0), walks(10), walks(19.99)])

    assert outcome.state.achievements["daily-walk"].completions == 1


def test_a_repeatable_achievement_counts_afresh_after_each_completion():
    logs = [event(type="health.log.recorded", at=at(hours=h)) for h in range(5)]

    outcome = run_one_by_one(REPEATABLE, logs)

    assert [u.unlocked_at for u in outcome.unlocks] == [at(hours=1), at(hours=3)]
    assert outcome.state.achievements["double-log"].completions == 2


def test_awarding_a_repeatable_achievement_does_not_exceed_its_max():
    capped = run(REPEATABLE, walks(0, 24, 48))
    award = event(type=AWARD, at=at(hours=60), payload={"grants": [], "achievementId": "daily-walk"})

    decision = run(REPEATABLE, [award], capped.state)

    assert decision.state.achievements["daily-walk"].completions == 3
    assert decision.new_unlocks == []


# --- time-limited ------------------------------------------------------------------------------

WINTER = compiled(
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


def test_a_time_limited_achievement_unlocks_inside_its_availability():
    decision = run(
        WINTER, [event(at=DEC_1), event(at=DEC_1 + timedelta(days=3)), event(at=DEC_8 - timedelta(seconds=1))]
    )

    assert "winter-challenge" in decision.state.unlocked


def test_a_time_limited_achievement_does_not_unlock_from_availableuntil_on():
    inside = [event(at=DEC_1 + timedelta(days=d)) for d in (1, 2)]

    decision = run(WINTER, [*inside, event(at=DEC_8), event(at=DEC_8 + timedelta(days=1))])

    assert "winter-challenge" not in decision.state.unlocked


def test_a_time_limited_achievement_goes_by_event_time_not_processing_time():
    state = UserState("u1")
    for day in (1, 2, 6):
        processed_after_the_end = DEC_8 + timedelta(days=10 + day)
        state = decide(state, [event(at=DEC_1 + timedelta(days=day))], WINTER, processed_after_the_end).state

    assert "winter-challenge" in state.unlocked


def test_events_before_availablefrom_do_not_count_toward_unlocking():
    before = [event(at=DEC_1 - timedelta(days=d)) for d in (1, 2)]

    decision = run(WINTER, [*before, event(at=DEC_1 + timedelta(hours=1))])

    assert "winter-challenge" not in decision.state.unlocked


# --- XP rules ----------------------------------------------------------------------------------

XP_RULES = compiled(
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


def test_a_fixed_rule_earns_its_amount_per_event():
    decision = run(XP_RULES, [event(type="care.appointment.scheduled", at=at(hours=h)) for h in range(3)])

    assert decision.state.xp == 120


@pytest.mark.parametrize(("steps", "earned"), [(1234, 12), (199, 1), (99, 0), (100, 1), (12.99 * 100, 12)])
def test_a_from_field_rule_earns_the_field_times_the_factor_rounded_down(steps, earned):
    decision = run(XP_RULES, [event(at=at(hours=1), payload={"steps": steps})])

    assert decision.state.balance("health-points") == earned


def test_a_from_field_rule_reads_a_nested_field():
    decision = run(
        XP_RULES,
        [event(type="health.workout.completed", at=at(hours=1), payload={"duration": {"minutes": 25}})],
    )

    assert decision.state.xp == 37


@pytest.mark.parametrize("value", ["900", True, None, {"n": 900}, [900], -500])
def test_a_from_field_rule_earns_nothing_from_a_non_numeric_or_negative_field(value):
    decision = run(XP_RULES, [event(at=at(hours=1), payload={"steps": value})])

    assert decision.state.balance("health-points") == 0
    assert decision.domain_events == []


def test_a_from_field_rule_earns_nothing_when_the_field_is_missing():
    decision = run(XP_RULES, [event(at=at(hours=1), payload={"distance": 900})])

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


BOOSTS = compiled(
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
def test_a_boost_multiplies_only_from_its_start_until_its_end_by_event_time(when, xp):
    decision = run(BOOSTS, [event(at=when)])

    assert decision.state.xp == xp


def test_a_boost_applies_to_a_late_event_from_its_time_box():
    late = decide(
        UserState("u1"), [event(at=WEEKEND + timedelta(hours=1))], BOOSTS, WEEKEND + timedelta(days=20)
    )

    assert late.state.xp == 20


def test_a_user_boost_applies_only_to_its_users():
    when = datetime(2026, 12, 9, tzinfo=UTC)

    listed = run(BOOSTS, [event("u1", at=when)], UserState("u1"))
    other = run(BOOSTS, [event("u2", at=when)], UserState("u2"))

    assert listed.state.xp == 15
    assert other.state.xp == 10


def test_boosts_that_overlap_multiply():
    decision = run(BOOSTS, [event(at=datetime(2026, 12, 6, 12, tzinfo=UTC))])

    assert decision.state.xp == 30  # 10 x 2 x 1.5


def test_a_boost_with_an_events_filter_applies_only_to_matching_events():
    when = datetime(2026, 12, 2, 12, tzinfo=UTC)

    decision = run(BOOSTS, [event(type="plan.claim.submitted", at=when), event(at=when)])

    assert decision.state.xp == 30 + 10


def test_a_boost_applies_only_to_its_currencies():
    when = datetime(2026, 12, 2, 12, tzinfo=UTC)

    decision = run(BOOSTS, [event(at=when)])

    assert decision.state.xp == 10
    assert decision.state.balance("coins") == 40


CAPPED = compiled(
    """
    defaultTimeZone: America/New_York
    xp:
      - {id: metric-xp, events: {type: health.metric.recorded}, amount: 20, dailyCap: 50}
      - {id: claim-xp, events: {type: plan.claim.submitted}, amount: 20, dailyCap: 30}
    boosts:
      - {id: double-weekend, factor: 2, from: "2026-12-05T05:00:00Z", until: "2026-12-07T05:00:00Z"}
    levels: {thresholds: [0, 1000000]}
    """
)
NY_NOON = datetime(2026, 11, 17, 17, tzinfo=UTC)  # noon in New York


def test_a_daily_cap_is_never_exceeded_across_decide_calls():
    outcome = run_one_by_one(CAPPED, [event(at=NY_NOON + timedelta(minutes=m)) for m in range(5)])

    assert outcome.state.xp == 50


def test_a_daily_cap_grants_what_is_left_of_it():
    first = run(CAPPED, [event(at=NY_NOON), event(at=NY_NOON + timedelta(minutes=1))])
    second = run(CAPPED, [event(at=NY_NOON + timedelta(minutes=2))], first.state)

    assert (first.state.xp, second.state.xp) == (40, 50)


def test_a_daily_cap_is_per_rule():
    events = [event(at=NY_NOON + timedelta(minutes=m)) for m in range(3)]
    claims = [event(type="plan.claim.submitted", at=NY_NOON + timedelta(minutes=m)) for m in range(3)]

    decision = run(CAPPED, [*events, *claims])

    assert decision.state.xp == 50 + 30


def test_a_daily_cap_resets_at_the_users_local_midnight():
    before_midnight = datetime(2026, 11, 18, 4, 0, tzinfo=UTC)  # 23:00 on Nov 17 in New York
    after_midnight = datetime(2026, 11, 18, 6, 0, tzinfo=UTC)  # 01:00 on Nov 18, same UTC day

    decision = run(
        CAPPED,
        [
            *(event(at=before_midnight - timedelta(minutes=m)) for m in range(3)),
            *(event(at=after_midnight + timedelta(minutes=m)) for m in range(3)),
        ],
    )

    assert decision.state.xp == 100


def test_a_daily_cap_also_caps_boosted_amounts():
    weekend_noon = datetime(2026, 12, 5, 17, tzinfo=UTC)

    decision = run(CAPPED, [event(at=weekend_noon), event(at=weekend_noon + timedelta(minutes=1))])

    assert decision.state.xp == 50


def test_a_daily_cap_holds_for_an_event_arriving_days_late():
    days = [event(at=NY_NOON + timedelta(days=d)) for d in range(5)]
    first_day_again = [event(at=NY_NOON + timedelta(minutes=m)) for m in range(1, 4)]

    outcome = run_batches(CAPPED, [days, first_day_again])

    assert outcome.state.xp == 5 * 20 + 30  # the first day reaches its cap of 50, no more


# --- currencies, rewards and points ------------------------------------------------------------

REWARDS = compiled(
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


def test_an_achievement_credits_its_rewards_and_points_once():
    first = run(REWARDS, claims(1))
    second = run(REWARDS, claims(1, start=1), first.state)

    assert first.state.balances == {"coins": 50, "gems": 1}
    assert first.state.points == 15
    assert second.state.balances == {"coins": 50, "gems": 1}
    assert second.state.points == 15


def test_each_tier_credits_its_own_rewards():
    decision = run(REWARDS, claims(3))

    assert decision.state.balance("coins") == 60
    assert decision.state.points == 20


def test_points_are_a_score_apart_from_xp():
    decision = run(REWARDS, claims(3))

    assert decision.state.xp == 0
    assert decision.state.level == 1


def test_an_xp_reward_raises_the_level():
    decision = run(REWARDS, claims(5))

    assert decision.state.xp == 160
    assert decision.state.level == 3
    assert [e.detail["level"] for e in decision.domain_events if e.name == "LevelUp"] == [2, 3]


def test_the_unlocked_event_names_the_rewards():
    decision = run(REWARDS, claims(1))

    (unlocked_event,) = [e for e in decision.domain_events if e.name == "AchievementUnlocked"]
    assert unlocked_event.detail["rewards"] == [
        {"currency": "coins", "amount": 50},
        {"currency": "gems", "amount": 1},
    ]
    assert unlocked_event.detail["points"] == 15


# --- levels ------------------------------------------------------------------------------------

LEVELS = compiled(
    """
    xp: [{id: workout-xp, events: {type: health.workout.completed}, fromField: {field: xp}}]
    levels: {thresholds: [0, 100, 250, 500, 1000]}
    """
)


def workout(xp, hours=1):
    return event(type="health.workout.completed", at=at(hours=hours), payload={"xp": xp})


def test_every_level_crossed_at_once_has_its_level_up():
    decision = run(LEVELS, [workout(600)])

    assert decision.state.level == 4
    level_ups = [e for e in decision.domain_events if e.name == "LevelUp"]
    assert [e.detail["level"] for e in level_ups] == [2, 3, 4]
    assert all(e.caused_by == (decision.applied_event_ids[0],) for e in level_ups)


def test_reaching_a_threshold_exactly_reaches_its_level():
    below = run(LEVELS, [workout(99)])
    exactly = run(LEVELS, [workout(1)], below.state)

    assert below.state.level == 1
    assert exactly.state.level == 2


def test_the_top_level_is_not_passed():
    decision = run(LEVELS, [workout(5000)])
    more = run(LEVELS, [workout(5000, hours=2)], decision.state)

    assert decision.state.level == 5
    assert more.state.level == 5
    assert [e for e in more.domain_events if e.name == "LevelUp"] == []


def test_a_level_formula_gives_the_thresholds():
    catalog = compiled(
        """
        xp: [{id: workout-xp, events: {type: health.workout.completed}, fromField: {field: xp}}]
        levels: {formula: {kind: linear, base: 100, maxLevel: 10}}
        """
    )

    decision = run(catalog, [workout(350)])

    assert decision.state.level == 4
    assert [e.detail["level"] for e in decision.domain_events] == [2, 3, 4]


# --- domain event ids --------------------------------------------------------------------------


def test_domain_event_ids_are_stable_across_re_decisions():
    events = [*claims(5), event(type="plan.claim.submitted", at=at(hours=6))]

    first = decide(UserState("u1"), events, REWARDS, NOW)
    again = decide(UserState("u1"), list(reversed(events)), REWARDS, NOW + timedelta(minutes=5))

    assert [e.id for e in first.domain_events] == [e.id for e in again.domain_events]


def test_domain_event_ids_do_not_depend_on_batching():
    events = claims(6)

    whole = run(REWARDS, events)
    piecewise = run_one_by_one(REWARDS, events)

    assert sorted(e.id for e in whole.domain_events) == sorted(e.id for e in piecewise.domain_events)


def test_domain_event_ids_differ_between_users():
    mine = run(REWARDS, [event("u1", "plan.claim.submitted", at=at(hours=1))], UserState("u1"))
    theirs = run(REWARDS, [event("u2", "plan.claim.submitted", at=at(hours=1))], UserState("u2"))

    assert {e.id for e in mine.domain_events}.isdisjoint(e.id for e in theirs.domain_events)


# --- awards ------------------------------------------------------------------------------------

AWARDS = compiled(
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


def test_an_award_grants_xp_and_levels_up():
    decision = run(AWARDS, [award([{"currency": "xp", "amount": 150}])])

    assert decision.state.xp == 150
    assert decision.state.level == 2
    assert [e.detail["level"] for e in decision.domain_events if e.name == "LevelUp"] == [2]


def test_an_award_grants_a_currency():
    decision = run(AWARDS, [award([{"currency": "coins", "amount": 25}])])

    assert decision.state.balance("coins") == 25


def test_awarding_an_achievement_unlocks_it_and_cascades_to_its_dependents():
    decision = run(AWARDS, [award(achievement_id="founder")])

    assert [u.record_id for u in decision.new_unlocks] == ["founder", "founders-circle"]
    assert decision.state.points == 17
    assert decision.state.balance("coins") == 5


def test_awarding_a_held_achievement_unlocks_nothing_more():
    first = run(AWARDS, [award(achievement_id="founder")])
    again = run(AWARDS, [award(achievement_id="founder", hours=2)], first.state)

    assert again.new_unlocks == []
    assert again.state.points == 17


def test_an_award_of_an_unknown_achievement_unlocks_nothing():
    decision = run(AWARDS, [award(achievement_id="no-such-thing")])

    assert decision.new_unlocks == []
