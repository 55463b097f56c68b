"""Exactly-once under duplicated, reordered, concurrent delivery.

1,000 events over 50 users are each delivered one to three times, shuffled, cut into batches
(sometimes holding the same event twice) and processed by four concurrent workers that put
failed records back, as SQS would. The final state must equal an oracle computed from the
distinct events: XP, levels, points, achievements, the Redis mirror and the published events.
"""

from __future__ import annotations

import json
import queue
import random
import threading
from collections import defaultdict
from datetime import timedelta

import pytest

from questline.domain.levels import level_for_xp
from questline.services.leaderboards.maintenance import rebuild
from questline.services.leaderboards.reads import read_top
from tests.factories import TEST_CATALOG_YAML, LambdaContext, event_dict, make_catalog, sqs_event
from tests.integration.bus import BusTap
from tests.support.functions import load_function

USERS = 50
EVENTS = 1000
WORKERS = 4
TYPES = [
    "health.metric.recorded",
    "health.metric.recorded",
    "care.appointment.scheduled",
    "plan.claim.submitted",
]


def make_events(rng: random.Random, clock_now):
    events = []
    for i in range(EVENTS):
        event_type = rng.choice(TYPES)
        payload = {"steps": rng.randint(0, 400)} if event_type == "health.metric.recorded" else {}
        at = clock_now - timedelta(minutes=rng.randint(1, 60 * 24))
        events.append(
            event_dict(f"user-{rng.randrange(USERS)}", event_type, id=f"evt-{i}", at=at, payload=payload)
        )
    return events


def deliveries(rng: random.Random, events):
    """Each event one to three times, shuffled, in batches of 1-25; some batches repeat a record."""
    copies = [e for e in events for _ in range(rng.randint(1, 3))]
    rng.shuffle(copies)
    batches, start = [], 0
    while start < len(copies):
        size = rng.randint(1, 25)
        batch = copies[start : start + size]
        start += size
        if rng.random() < 0.2:
            batch.append(rng.choice(batch))
        batches.append([json.dumps(e) for e in batch])
    return batches


def oracle(events):
    catalog = make_catalog()
    expected = {}
    for user, mine in _by_user(events).items():
        xp = sum(
            {"health.metric.recorded": 10, "care.appointment.scheduled": 40}.get(e["type"], 0) for e in mine
        )
        metrics = [e for e in mine if e["type"] == "health.metric.recorded"]
        steps = sum(e["payload"]["steps"] for e in metrics)
        unlocked = {
            a
            for a, ok in [
                ("first-metric", len(metrics) >= 1),
                ("five-metrics", len(metrics) >= 5),
                ("steps-1000", steps >= 1000),
            ]
            if ok
        }
        expected[user] = (xp, level_for_xp(catalog.level_thresholds, xp), unlocked)
    return expected


def _by_user(events):
    grouped = defaultdict(list)
    for e in events:
        grouped[e["userId"]].append(e)
    return grouped


def run_workers(handler, batches):
    """Workers pull batches; records reported as failures go back on the queue, like SQS."""
    pending: queue.Queue = queue.Queue()
    for batch in batches:
        pending.put(batch)
    errors = []

    def work():
        while True:
            try:
                batch = pending.get(timeout=0.5)
            except queue.Empty:
                return
            ids = [f"m{i}" for i in range(len(batch))]
            try:
                result = handler(sqs_event(batch, message_ids=ids), LambdaContext())
            except Exception as exc:  # a crashed invocation: SQS would redeliver everything
                errors.append(exc)
                pending.put(batch)
                continue
            failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
            retry = [body for mid, body in zip(ids, batch, strict=False) if mid in failed]
            if retry:
                pending.put(retry)

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.parametrize(
    "catalog_text", [TEST_CATALOG_YAML + "boards: [{id: all-time-xp, title: All-time XP}]\n"]
)
def test_duplicated_shuffled_concurrent_deliveries_equal_the_oracle(
    runtime, fast_moto, atomic_dynamodb, monkeypatch
):
    rng = random.Random(20261121)
    progress = load_function("progress")
    monkeypatch.setattr(progress, "get_runtime", lambda: runtime)
    tap = BusTap(runtime.settings.event_bus_name)
    events = make_events(rng, runtime.clock())
    assert rebuild(runtime).ready  # Redis serves reads once rebuilt; afterwards commits keep it current

    errors = run_workers(progress.handler, deliveries(rng, events))

    assert errors == []
    expected = oracle(events)
    for user, (xp, level, unlocked) in expected.items():
        state = runtime.users.load(user)
        assert (state.xp, state.level, set(state.unlocked)) == (xp, level, unlocked), user
    page, _ = read_top(runtime, "all-time-xp", None, 100, None)
    assert page.source == "redis"
    assert {e.user_id: e.score for e in page.entries} == {u: xp for u, (xp, _, _) in expected.items()}
    published = tap.drain()
    unlocks = sorted(
        (e["detail"]["userId"], e["detail"]["detail"]["achievementId"])
        for e in published
        if e["detail-type"] == "AchievementUnlocked"
    )
    assert unlocks == sorted((u, a) for u, (_, _, got) in expected.items() for a in got)
    level_ups = sorted(
        (e["detail"]["userId"], e["detail"]["detail"]["level"])
        for e in published
        if e["detail-type"] == "LevelUp"
    )
    assert level_ups == sorted(
        (u, lvl) for u, (_, level, _) in expected.items() for lvl in range(2, level + 1)
    )


def test_replaying_everything_a_week_later_changes_nothing(
    runtime, clock, fast_moto, atomic_dynamodb, monkeypatch
):
    rng = random.Random(7)
    progress = load_function("progress")
    monkeypatch.setattr(progress, "get_runtime", lambda: runtime)
    events = make_events(rng, clock())[:200]
    run_workers(progress.handler, deliveries(rng, events))
    before = {u: runtime.users.load(u) for u in _by_user(events)}

    clock.advance(timedelta(days=7))
    run_workers(progress.handler, deliveries(rng, events))

    after = {u: runtime.users.load(u) for u in _by_user(events)}
    assert {u: (s.xp, s.level, s.points, set(s.unlocked)) for u, s in after.items()} == {
        u: (s.xp, s.level, s.points, set(s.unlocked)) for u, s in before.items()
    }
