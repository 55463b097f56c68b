"""The seed's achievement types and requirement operators, written as catalog bundles."""

import pytest

from questline.models.catalog import AchievementType
from tests.factories import event
from tests.unit.rules_support import at, compiled, run, run_batches, run_one_by_one

SEED_CATALOG = compiled(
    """
    version: seed-types
    currencies: [{id: coins}]
    levels: {thresholds: [0, 100, 250]}
    achievements:
      - id: first-measurement
        title: First measurement
        type: MILESTONE
        journey: health
        points: 10
        criteria: {metric: {events: {type: health.metric.recorded}}, operator: gte, threshold: 1}
      - id: device-collector
        title: Device collector
        type: COLLECTION
        journey: health
        points: 30
        criteria:
          metric: {events: {type: health.device.connected}, aggregate: distinct, field: deviceId}
          operator: gte
          threshold: 3
      - id: steps
        title: Steps
        type: PROGRESSION
        journey: health
        metric: {events: {type: health.metric.recorded}, aggregate: sum, field: steps}
        tiers:
          - {id: 1k, threshold: 1000, points: 10}
          - {id: 2.5k, threshold: 2500, points: 25, rewards: [{currency: coins, amount: 5}]}
          - {id: 5k, threshold: 5000, points: 50, rewards: [{currency: coins, amount: 20}]}
      - id: care-explorer
        title: Care explorer
        type: DISCOVERY
        journey: care
        points: 15
        criteria: {metric: {events: {type: "care.*"}}, threshold: 1}
      - id: calm-heart
        title: Calm heart
        type: SKILL
        journey: health
        points: 40
        criteria:
          metric:
            events:
              type: health.metric.recorded
              payload: [{field: metricType, equals: RESTING_HEART_RATE}]
            aggregate: last
            field: value
          operator: lte
          threshold: 60
      - id: connector
        title: Connector
        type: SOCIAL
        points: 20
        criteria:
          metric: {events: {type: social.friend.invited, payload: [{field: accepted, equals: true}]}}
          operator: gte
          threshold: 3
      - id: ten-thousand-a-day
        title: Ten thousand in a day
        type: CHALLENGE
        journey: health
        points: 100
        criteria:
          metric:
            events: {type: health.metric.recorded}
            aggregate: sum
            field: steps
            window: {rolling: {duration: 24, unit: hours}}
          operator: gte
          threshold: 10000
      - id: night-owl
        title: Night owl
        type: SECRET
        points: 60
        criteria: {metric: {events: {type: health.sleep.recorded}}, threshold: 3}
    """
)


def steps(n, when, **kwargs):
    return event(
        type="health.metric.recorded", at=when, payload={"metricType": "STEPS", "steps": n}, **kwargs
    )


def heart_rate(bpm, when):
    return event(
        type="health.metric.recorded", at=when, payload={"metricType": "RESTING_HEART_RATE", "value": bpm}
    )


# --- achievement types -------------------------------------------------------------------------


def test_milestone_unlocks_on_the_first_health_metric_with_its_points():
    decision = run(SEED_CATALOG, [heart_rate(70, at(hours=8))])

    assert "first-measurement" in decision.state.unlocked
    assert decision.state.points == 10
    assert [u.achievement_id for u in decision.new_unlocks] == ["first-measurement"]


def test_milestone_does_not_unlock_without_a_health_metric():
    decision = run(SEED_CATALOG, [event(type="care.appointment.scheduled", at=at(hours=8))])

    assert "first-measurement" not in decision.state.unlocked


def test_collection_counts_distinct_devices_not_connections():
    connections = [
        event(type="health.device.connected", at=at(hours=h), payload={"deviceId": device})
        for h, device in enumerate(["watch-1", "scale-7", "watch-1", "scale-7", "watch-1"])
    ]

    two_devices = run(SEED_CATALOG, connections)
    three_devices = run(
        SEED_CATALOG,
        [event(type="health.device.connected", at=at(hours=9), payload={"deviceId": "cuff-3"})],
        two_devices.state,
    )

    assert "device-collector" not in two_devices.state.unlocked
    assert "device-collector" in three_devices.state.unlocked


def test_progression_unlocks_each_tier_with_its_own_points_and_rewards():
    first = run(SEED_CATALOG, [steps(1200, at(hours=1))])
    second = run(SEED_CATALOG, [steps(1300, at(hours=2))], first.state)
    third = run(SEED_CATALOG, [steps(2500, at(hours=3))], second.state)

    assert [u.tier for u in first.new_unlocks if u.achievement_id == "steps"] == ["1k"]
    assert [u.tier for u in second.new_unlocks if u.achievement_id == "steps"] == ["2.5k"]
    assert [u.tier for u in third.new_unlocks if u.achievement_id == "steps"] == ["5k"]
    assert third.state.achievements["steps"].tiers == ("1k", "2.5k", "5k")
    assert third.state.points == 10 + 10 + 25 + 50  # first-measurement, then the three tiers
    assert third.state.balance("coins") == 5 + 20


def test_progression_tiers_unlock_once_however_many_more_steps():
    outcome = run_one_by_one(SEED_CATALOG, [steps(1500, at(hours=h)) for h in range(8)])

    tiers = [u.tier for u in outcome.unlocks if u.achievement_id == "steps"]
    assert tiers == ["1k", "2.5k", "5k"]
    steps_unlocked = [e for e in outcome.named("AchievementUnlocked") if e.detail["achievementId"] == "steps"]
    assert len(steps_unlocked) == 3


def test_progression_unlocks_several_tiers_when_one_event_crosses_them():
    decision = run(SEED_CATALOG, [steps(6000, at(hours=1))])

    assert [u.tier for u in decision.new_unlocks if u.achievement_id == "steps"] == ["1k", "2.5k", "5k"]
    assert decision.state.points == 10 + 10 + 25 + 50
    assert decision.state.balance("coins") == 25
    tier_events = [
        e.detail["tier"]
        for e in decision.domain_events
        if e.name == "AchievementUnlocked" and e.detail["achievementId"] == "steps"
    ]
    assert tier_events == ["1k", "2.5k", "5k"]


def test_discovery_unlocks_on_the_first_event_of_the_journey_prefix():
    before = run(
        SEED_CATALOG, [heart_rate(70, at(hours=1)), event(type="plan.claim.submitted", at=at(hours=2))]
    )
    after = run(SEED_CATALOG, [event(type="care.telemedicine.completed", at=at(hours=3))], before.state)

    assert "care-explorer" not in before.state.unlocked
    assert [u.achievement_id for u in after.new_unlocks] == ["care-explorer"]


def test_skill_is_judged_on_the_latest_reading_against_the_threshold():
    above = run(SEED_CATALOG, [heart_rate(72, at(days=0)), heart_rate(64, at(days=1))])
    at_threshold = run(SEED_CATALOG, [heart_rate(60, at(days=2))], above.state)

    assert "calm-heart" not in above.state.unlocked
    assert "calm-heart" in at_threshold.state.unlocked


def test_skill_ignores_an_older_good_reading_that_arrives_after_a_newer_one():
    newest = run(SEED_CATALOG, [heart_rate(75, at(days=2))])
    late_old = run(SEED_CATALOG, [heart_rate(55, at(days=1))], newest.state)

    assert "calm-heart" not in late_old.state.unlocked


def test_skill_ignores_readings_of_another_metric_type():
    decision = run(SEED_CATALOG, [steps(40, at(hours=1))])

    assert "calm-heart" not in decision.state.unlocked


def test_social_counts_only_invitations_matching_the_payload_filter():
    invites = [
        event(type="social.friend.invited", at=at(hours=1), payload={"accepted": True}),
        event(type="social.friend.invited", at=at(hours=2), payload={"accepted": False}),
        event(type="social.friend.invited", at=at(hours=3), payload={"accepted": "true"}),
        event(type="social.friend.invited", at=at(hours=4), payload={}),
        event(type="social.friend.invited", at=at(hours=5), payload={"accepted": True}),
    ]

    two_accepted = run(SEED_CATALOG, invites)
    three_accepted = run(
        SEED_CATALOG,
        [event(type="social.friend.invited", at=at(hours=6), payload={"accepted": True})],
        two_accepted.state,
    )

    assert "connector" not in two_accepted.state.unlocked
    assert "connector" in three_accepted.state.unlocked


def test_challenge_is_met_when_the_steps_fall_within_its_rolling_window():
    decision = run(SEED_CATALOG, [steps(4000, at(hours=8)), steps(6000, at(hours=20))])

    assert "ten-thousand-a-day" in decision.state.unlocked
    assert decision.state.unlocked["ten-thousand-a-day"] == at(hours=20)


def test_challenge_is_not_met_when_the_same_steps_are_spread_over_three_days():
    spread = [
        steps(3400, at(days=0, hours=10)),
        steps(3300, at(days=1, hours=11)),
        steps(3300, at(days=2, hours=12)),
    ]

    decision = run(SEED_CATALOG, spread)

    assert "ten-thousand-a-day" not in decision.state.unlocked
    assert "5k" in decision.state.achievements["steps"].tiers  # the all-time sum did reach 10,000


def test_challenge_is_met_whatever_the_arrival_order_of_the_window_events():
    late_first = run_batches(SEED_CATALOG, [[steps(6000, at(hours=20))], [steps(4000, at(hours=8))]])

    assert "ten-thousand-a-day" in late_first.state.unlocked


def test_secret_is_hidden_until_unlocked_and_unlocks_like_any_other():
    secret = SEED_CATALOG.achievements_by_id["night-owl"]
    nights = [event(type="health.sleep.recorded", at=at(days=d, hours=3)) for d in range(3)]

    two = run(SEED_CATALOG, nights[:2])
    three = run(SEED_CATALOG, nights[2:], two.state)

    assert secret.type is AchievementType.SECRET
    assert secret.hidden
    assert not SEED_CATALOG.achievements_by_id["first-measurement"].hidden
    assert "night-owl" not in two.state.unlocked
    assert [u.achievement_id for u in three.new_unlocks] == ["night-owl"]
    assert three.state.points == 60


def test_secret_flag_overrides_the_type():
    catalog = compiled(
        """
        levels: {thresholds: [0, 100]}
        achievements:
          - {id: shown, title: S, type: SECRET, secret: false, criteria: {metric: {}, threshold: 1}}
          - {id: masked, title: M, type: MILESTONE, secret: true, criteria: {metric: {}, threshold: 1}}
        """
    )

    assert not catalog.achievements_by_id["shown"].hidden
    assert catalog.achievements_by_id["masked"].hidden


# --- operators at their boundary ---------------------------------------------------------------


def unlocks_with_reading(operator, value, threshold=60):
    """Whether a single reading ``value`` unlocks ``last value <operator> threshold``."""
    catalog = compiled(
        f"""
        levels: {{thresholds: [0, 100]}}
        achievements:
          - id: reading
            title: Reading
            criteria:
              metric: {{events: {{type: health.metric.recorded}}, aggregate: last, field: value}}
              operator: {operator}
              threshold: {threshold}
        """
    )
    decision = run(catalog, [event(type="health.metric.recorded", at=at(hours=1), payload={"value": value})])
    return "reading" in decision.state.unlocked


@pytest.mark.parametrize(("value", "expected"), [(59, False), (60, False), (61, True)])
def test_gt_holds_only_above_the_threshold(value, expected):
    assert unlocks_with_reading("gt", value) is expected


@pytest.mark.parametrize(("value", "expected"), [(59, False), (60, True), (61, True)])
def test_gte_holds_at_and_above_the_threshold(value, expected):
    assert unlocks_with_reading("gte", value) is expected


@pytest.mark.parametrize(("value", "expected"), [(59, True), (60, False), (61, False)])
def test_lt_holds_only_below_the_threshold(value, expected):
    assert unlocks_with_reading("lt", value) is expected


@pytest.mark.parametrize(("value", "expected"), [(59, True), (60, True), (61, False)])
def test_lte_holds_at_and_below_the_threshold(value, expected):
    assert unlocks_with_reading("lte", value) is expected


@pytest.mark.parametrize(("value", "expected"), [(59, False), (60, True), (61, False)])
def test_eq_holds_only_at_the_threshold(value, expected):
    assert unlocks_with_reading("eq", value) is expected


def test_operators_compare_fractional_thresholds_exactly():
    assert unlocks_with_reading("gte", 37.5, threshold=37.5)
    assert not unlocks_with_reading("gt", 37.5, threshold=37.5)


COUNT_OPERATORS = compiled(
    """
    levels: {thresholds: [0, 100]}
    achievements:
      - id: fewer-than-three
        title: Fewer than three missed
        criteria: {metric: {events: {type: care.appointment.missed}}, operator: lt, threshold: 3}
      - id: exactly-three
        title: Exactly three missed
        criteria: {metric: {events: {type: care.appointment.missed}}, operator: eq, threshold: 3}
      - id: more-than-three
        title: More than three missed
        criteria: {metric: {events: {type: care.appointment.missed}}, operator: gt, threshold: 3}
    """
)


def missed(n, start=0):
    return [event(type="care.appointment.missed", at=at(hours=start + i)) for i in range(n)]


def test_lt_on_a_count_is_not_judged_before_an_event_touches_its_metric():
    decision = run(COUNT_OPERATORS, [event(type="care.appointment.scheduled", at=at(hours=1))])

    assert "fewer-than-three" not in decision.state.unlocked


def test_lt_on_a_count_holds_at_the_first_touching_event():
    decision = run(COUNT_OPERATORS, missed(1))

    assert [u.achievement_id for u in decision.new_unlocks] == ["fewer-than-three"]


def test_eq_on_a_count_unlocks_as_the_count_passes_the_threshold():
    two = run(COUNT_OPERATORS, missed(2))
    four = run(COUNT_OPERATORS, missed(2, start=2), two.state)

    assert "exactly-three" not in two.state.unlocked
    assert "exactly-three" in four.state.unlocked
    assert four.state.unlocked["exactly-three"] == at(hours=2)  # the third one


def test_gt_on_a_count_needs_one_more_than_the_threshold():
    three = run(COUNT_OPERATORS, missed(3))
    four = run(COUNT_OPERATORS, missed(1, start=3), three.state)

    assert "more-than-three" not in three.state.unlocked
    assert "more-than-three" in four.state.unlocked
