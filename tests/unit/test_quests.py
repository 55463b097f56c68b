"""Quests through the decide step: start modes, ordered and unordered steps, optional steps,
manual completion, time limits, step deadlines, repeats and rotating pools."""

from datetime import UTC, datetime, timedelta

from questline.domain.catalog import compile_catalog
from questline.domain.clock import QUEST, DueKey, tick_event
from questline.domain.decide import decide
from questline.domain.quest_steps import QUEST_START_TYPE, QUEST_STEP_TYPE
from questline.domain.quests import assigned
from questline.domain.state import UserState
from questline.models.catalog_bundle import parse_catalog
from questline.models.envelope import EventEnvelope
from tests.factories import event

ONBOARDING = DueKey(QUEST, "onboarding")
CATALOG = compile_catalog(
    parse_catalog(
        """
version: quests-1
defaultTimeZone: America/New_York
currencies: [{id: coins}]
levels: {thresholds: [0, 1000]}
achievements:
  - id: first-visit
    title: First visit
    criteria: {metric: {events: {type: care.appointment.scheduled}}, threshold: 1}
quests:
  - id: onboarding
    title: Onboarding
    timeLimit: {duration: 24, unit: hours}
    points: 30
    rewards: [{currency: coins, amount: 10}]
    steps:
      - {id: connect, title: Connect a device, criteria: {metric: {events: {type: health.device.connected}}, threshold: 1}}
      - {id: tip, title: Read a tip, optional: true, clientCompletable: true, rewards: [{currency: coins, amount: 1}]}
      - {id: measure, title: Measure twice, criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 2}}
  - id: checkup
    title: Check-up
    start: explicit
    ordered: false
    requires: {achievement: first-visit}
    steps:
      - {id: book, title: Book, criteria: {metric: {events: {type: care.appointment.scheduled}}, threshold: 1}}
      - {id: confirm, title: Confirm, clientCompletable: true, deadline: {duration: 2, unit: hours}}
  - id: daily-walk
    title: Daily walk
    repeat: daily
    steps:
      - {id: walk, title: Walk, criteria: {metric: {events: {type: health.metric.recorded}, aggregate: sum, field: steps}, threshold: 3000}}
  - {id: pool-a, title: A, steps: [{id: s, title: S, criteria: {metric: {events: {type: plan.claim.submitted}}, threshold: 1}}]}
  - {id: pool-b, title: B, steps: [{id: s, title: S, criteria: {metric: {events: {type: plan.claim.submitted}}, threshold: 1}}]}
  - {id: pool-c, title: C, steps: [{id: s, title: S, criteria: {metric: {events: {type: plan.claim.submitted}}, threshold: 1}}]}
questPools:
  - {id: plan-pool, quests: [pool-a, pool-b, pool-c], pick: 1, period: day}
"""
    )
)
T0 = datetime(2026, 11, 10, 17, tzinfo=UTC)  # noon in New York


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def internal(kind: str, quest: str, step: str | None = None, hours: float = 0) -> EventEnvelope:
    payload = {"questId": quest, **({"stepId": step} if step else {})}
    return EventEnvelope(
        id=f"{kind}-{quest}-{step}-{hours}",
        type=kind,
        user_id="u1",
        timestamp=at(hours),
        version="1.0",
        payload=payload,
    )


def run(*events, state=None):
    return decide(state or UserState("u1"), list(events), CATALOG, T0)


def names(decision):
    return [e.name for e in decision.domain_events if e.name.startswith("Quest")]


def test_an_auto_quest_starts_on_its_first_matching_event_and_counts_it():
    decision = run(event("u1", "health.device.connected", id="d", at=at(0)))
    assert names(decision) == ["QuestStarted", "QuestStepCompleted"]
    assert decision.state.quests["onboarding"].status == "IN_PROGRESS"


def test_an_ordered_quest_only_advances_in_order():
    measures = [event("u1", "health.metric.recorded", id=f"m{i}", at=at(i)) for i in range(2)]
    before_connect = run(*measures)
    assert before_connect.state.quests["onboarding"].steps.keys() == set()
    connected = run(event("u1", "health.device.connected", id="d", at=at(3)), state=before_connect.state)
    assert connected.state.quests["onboarding"].steps.keys() == {"connect"}


def test_optional_steps_never_block_completion_and_rewards_arrive_once():
    decision = run(
        event("u1", "health.device.connected", id="d", at=at(0)),
        event("u1", "health.metric.recorded", id="m1", at=at(1)),
        event("u1", "health.metric.recorded", id="m2", at=at(2)),
    )
    assert names(decision)[-1] == "QuestCompleted"
    assert (decision.state.points, decision.state.balances) == (30, {"coins": 10})


def test_a_client_completable_step_can_be_completed_manually_and_others_cannot():
    started = run(event("u1", "health.device.connected", id="d", at=at(0)))
    tip = run(internal(QUEST_STEP_TYPE, "onboarding", "tip", 1), state=started.state)
    measure = run(internal(QUEST_STEP_TYPE, "onboarding", "measure", 2), state=tip.state)
    assert "tip" in tip.state.quests["onboarding"].steps
    assert tip.state.balances == {"coins": 1}
    assert "measure" not in measure.state.quests["onboarding"].steps


def test_the_time_limit_expires_the_quest_at_the_right_instant_exactly_once():
    started = run(event("u1", "health.device.connected", id="d", at=at(0)))
    due = started.due[ONBOARDING]
    assert due == at(24)
    early = decide(started.state, [tick_event("u1", ONBOARDING, at(23.99))], CATALOG, T0)
    expired = decide(started.state, [tick_event("u1", ONBOARDING, due)], CATALOG, T0)
    again = decide(expired.state, [tick_event("u1", ONBOARDING, at(30))], CATALOG, T0)
    assert names(early) == []
    assert names(expired) == ["QuestExpired"]
    assert expired.state.quests["onboarding"].status == "EXPIRED"
    assert expired.due[ONBOARDING] is None
    assert names(again) == []


def test_a_late_event_from_before_the_deadline_still_counts_after_the_tick_raced_it():
    started = run(
        event("u1", "health.device.connected", id="d", at=at(0)),
        event("u1", "health.metric.recorded", id="m1", at=at(1)),
    )
    # The second measurement happened at hour 23 but arrives with the expiry; event time decides.
    late = run(
        event("u1", "health.metric.recorded", id="m2", at=at(23)),
        tick_event("u1", ONBOARDING, at(24)),
        state=started.state,
    )
    assert late.state.quests["onboarding"].status == "COMPLETED"


def test_an_explicit_quest_needs_its_start_request_and_its_prerequisite():
    visit = event("u1", "care.appointment.scheduled", id="v", at=at(0))
    not_started = run(visit)
    assert (
        "checkup" not in not_started.state.quests
        or not_started.state.quests["checkup"].status == "NOT_STARTED"
    )
    no_prereq = run(internal(QUEST_START_TYPE, "checkup", hours=0))
    assert (
        no_prereq.state.quests.get("checkup") is None
        or no_prereq.state.quests["checkup"].status == "NOT_STARTED"
    )
    started = run(internal(QUEST_START_TYPE, "checkup", hours=1), state=not_started.state)
    assert started.state.quests["checkup"].status == "IN_PROGRESS"


def test_an_unordered_quest_completes_in_any_order():
    state = run(event("u1", "care.appointment.scheduled", id="v", at=at(0))).state
    state = run(internal(QUEST_START_TYPE, "checkup", hours=1), state=state).state
    state = run(internal(QUEST_STEP_TYPE, "checkup", "confirm", 1.5), state=state).state
    done = run(event("u1", "care.appointment.scheduled", id="v2", at=at(2)), state=state)
    assert done.state.quests["checkup"].status == "COMPLETED"


def test_a_daily_quest_resets_each_local_day():
    first = run(event("u1", "health.metric.recorded", id="w1", at=at(0), payload={"steps": 3000}))
    next_day = run(
        event("u1", "health.metric.recorded", id="w2", at=at(24), payload={"steps": 1000}), state=first.state
    )
    quest = next_day.state.quests["daily-walk"]
    assert first.state.quests["daily-walk"].status == "COMPLETED"
    assert (quest.status, quest.attempt, quest.completions) == ("IN_PROGRESS", "2026-11-11", 1)


def test_an_unfinished_daily_quest_expires_at_local_midnight():
    started = run(event("u1", "health.metric.recorded", id="w1", at=at(0), payload={"steps": 100}))
    assert started.due[DueKey(QUEST, "daily-walk")] == datetime(2026, 11, 11, 5, tzinfo=UTC)


def test_a_pool_assigns_each_user_a_stable_pick_per_period():
    pool = CATALOG.catalog.quest_pools[0]
    assert assigned(pool, "u1", 100) == assigned(pool, "u1", 100)
    picks = {tuple(assigned(pool, f"user-{i}", 100)) for i in range(30)}
    assert len(picks) > 1
    decision = run(event("u1", "plan.claim.submitted", id="c", at=at(0)))
    started = {
        q
        for q in ("pool-a", "pool-b", "pool-c")
        if q in decision.state.quests and decision.state.quests[q].status != "NOT_STARTED"
    }
    assert len(started) == 1


def test_a_late_event_after_the_expiry_reopens_and_completes_the_attempt_it_belongs_to():
    started = run(
        event("u1", "health.device.connected", id="d", at=at(0)),
        event("u1", "health.metric.recorded", id="m1", at=at(1)),
    )
    expired = decide(started.state, [tick_event("u1", ONBOARDING, at(24))], CATALOG, at(24))
    late = decide(expired.state, [event("u1", "health.metric.recorded", id="m2", at=at(23))], CATALOG, at(25))
    assert [e.name for e in expired.domain_events if e.detail["questId"] == "onboarding"] == ["QuestExpired"]
    assert late.state.quests["onboarding"].status == "COMPLETED"


def test_a_late_event_that_does_not_finish_the_attempt_leaves_it_expired_with_the_same_event_id():
    started = run(event("u1", "health.device.connected", id="d", at=at(0)))
    expired = decide(started.state, [tick_event("u1", ONBOARDING, at(24))], CATALOG, at(24))
    late = decide(expired.state, [event("u1", "health.metric.recorded", id="m1", at=at(23))], CATALOG, at(25))
    assert late.state.quests["onboarding"].status == "EXPIRED"
    assert [e.id for e in late.domain_events if e.name == "QuestExpired"] == [
        e.id for e in expired.domain_events if e.name == "QuestExpired"
    ]
    assert late.due[ONBOARDING] is None
