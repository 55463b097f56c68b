from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from questline.domain.awards import AWARD_EVENT_TYPE, award_payload
from questline.domain.decide import decide, order_events
from questline.domain.levels import level_for_xp
from questline.domain.state import LedgerEntry, UserState
from tests.factories import NOW, event, make_catalog

CATALOG = make_catalog()
XP_BY_TYPE = {"health.metric.recorded": 10, "care.appointment.scheduled": 40}
TYPES = ["health.metric.recorded", "care.appointment.scheduled", "plan.unknown.event"]

events_strategy = st.lists(
    st.builds(
        lambda i, t, steps, minute: event(
            "u1", t, id=f"e{i}", at=NOW - timedelta(minutes=minute), payload={"steps": steps}
        ),
        st.integers(0, 10_000),
        st.sampled_from(TYPES),
        st.one_of(st.integers(0, 600), st.just("not a number"), st.booleans()),
        st.integers(1, 1000),
    ),
    max_size=40,
    unique_by=lambda e: e.id,
)


def oracle(events):
    """What the state must be, computed independently from the distinct events."""
    xp = sum(XP_BY_TYPE.get(e.type, 0) for e in events)
    metrics = [e for e in events if e.type == "health.metric.recorded"]
    steps = sum(
        e.payload["steps"]
        for e in metrics
        if isinstance(e.payload["steps"], int) and not isinstance(e.payload["steps"], bool)
    )
    unlocked = {
        a
        for a, reached in [
            ("first-metric", len(metrics) >= 1),
            ("five-metrics", len(metrics) >= 5),
            ("steps-1000", steps >= 1000),
        ]
        if reached
    }
    return xp, level_for_xp(CATALOG.level_thresholds, xp), unlocked


def run_in_batches(events, sizes):
    """Decide consecutive batches of ``events``, each in event-time order (as the write path
    orders what it decides): the events arrive in any order across batches."""
    state = UserState("u1")
    emitted = []
    start = 0
    for size in [*sizes, len(events)]:
        chunk = events[start : start + size]
        start += size
        decision = decide(state, order_events(chunk), CATALOG, NOW)
        state = decision.state
        emitted += decision.domain_events
    return state, emitted


def test_an_event_earns_its_catalog_xp():
    decision = decide(UserState("u1"), [event(type="care.appointment.scheduled")], CATALOG, NOW)
    assert decision.state.xp == 40
    assert decision.state.level == 2


def test_an_unknown_event_type_changes_nothing_but_is_applied():
    decision = decide(UserState("u1"), [event(type="plan.unknown.event", id="x")], CATALOG, NOW)
    assert decision.state.xp == 0
    assert decision.applied_event_ids == ["x"]


def test_crossing_several_levels_at_once_emits_each_level_up():
    events = [event(type="care.appointment.scheduled", id=f"a{i}") for i in range(5)]  # 200 XP
    decision = decide(UserState("u1"), events, CATALOG, NOW)
    levels = [e.detail["level"] for e in decision.domain_events if e.name == "LevelUp"]
    assert levels == [2, 3, 4]


def test_an_achievement_unlocks_once_and_records_the_event_and_catalog_version():
    first = decide(UserState("u1"), [event(id="m1")], CATALOG, NOW)
    again = decide(first.state, [event(id="m2")], CATALOG, NOW)
    [unlock] = [u for u in first.new_unlocks if u.achievement_id == "first-metric"]
    assert (unlock.event_id, unlock.catalog_version) == ("m1", "test-1")
    assert [u.achievement_id for u in again.new_unlocks] == []
    assert first.state.points == 5


def test_a_sum_counter_ignores_non_numeric_fields():
    events = [
        event(id="a", payload={"steps": "900"}),
        event(id="b", payload={"steps": True}),
        event(id="c", payload={"steps": 999}),
    ]
    decision = decide(UserState("u1"), events, CATALOG, NOW)
    assert "steps-1000" not in decision.state.unlocked
    more = decide(decision.state, [event(id="d", payload={"steps": 1})], CATALOG, NOW)
    assert "steps-1000" in more.state.unlocked


def test_the_decision_carries_what_its_commit_writes():
    grant = award_payload([{"currency": "xp", "amount": 5}], None, None, "admin:ops", "a fix")
    award = event(type=AWARD_EVENT_TYPE, id="g1", at=NOW - timedelta(minutes=2), payload=grant)
    metric = event(id="m1")

    decision = decide(UserState("u1", version=4), [award, metric], CATALOG, NOW)

    assert decision.version == 5  # the decided-on version plus one
    assert decision.applied_event_ids == ["g1", "m1"]
    assert decision.event_types == {"g1": AWARD_EVENT_TYPE, "m1": "health.metric.recorded"}
    assert decision.ledger == [LedgerEntry("g1", award.timestamp, grant)]  # awards only
    assert decision.catalog_version == CATALOG.version
    assert decision.score_items == []  # this catalog has no boards


def test_the_decide_step_does_not_mutate_its_input_state():
    state = UserState("u1")
    decide(state, [event()], CATALOG, NOW)
    assert state.xp == 0
    assert state.metrics == {}
    assert state.unlocked == {}


def test_domain_event_ids_are_the_same_when_deciding_again():
    events = [event(id="m1", type="care.appointment.scheduled")]
    first = decide(UserState("u1"), events, CATALOG, NOW)
    second = decide(UserState("u1"), events, CATALOG, NOW + timedelta(seconds=5))
    assert [e.id for e in first.domain_events] == [e.id for e in second.domain_events]


@settings(max_examples=150)
@given(events_strategy, st.lists(st.integers(0, 10), max_size=6), st.randoms())
def test_any_order_and_any_batching_reaches_the_oracle_state(events, sizes, rnd):
    shuffled = list(events)
    rnd.shuffle(shuffled)
    state, emitted = run_in_batches(shuffled, sizes)
    xp, level, unlocked = oracle(events)
    assert (state.xp, state.level, set(state.unlocked)) == (xp, level, unlocked)
    assert state.points == sum(CATALOG.achievements_by_id[a].points for a in unlocked)
    unlocked_events = [e.detail["achievementId"] for e in emitted if e.name == "AchievementUnlocked"]
    assert sorted(unlocked_events) == sorted(unlocked)
    level_ups = [e.detail["level"] for e in emitted if e.name == "LevelUp"]
    assert level_ups == list(range(2, level + 1))
