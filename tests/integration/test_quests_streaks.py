"""Quests and streaks end to end in-process: HTTP routes, the commit path, the expiry job
visiting deadlines through the due index (moto), exactly-once domain events."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from questline.services.expiry import run_expiry
from questline.services.ingest_batch import InboundRecord, process_batch
from tests.factories import NOW, event_dict
from tests.integration.bus import BusTap
from tests.support.auth import auth

CATALOG = """
version: quests-it-1
defaultTimeZone: America/New_York
levels: {thresholds: [0, 1000]}
streaks:
  - {id: daily-steps, title: Daily steps, events: {type: health.metric.recorded}, freezes: {max: 2}}
quests:
  - id: sprint
    title: Sprint
    start: explicit
    timeLimit: {duration: 24, unit: hours}
    steps:
      - {id: warmup, title: Warm up, clientCompletable: true}
      - {id: run, title: Run, criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 3}}
"""


@pytest.fixture
def catalog_text():
    return CATALOG


def send(runtime, *events):
    process_batch([InboundRecord(f"m{i}", json.dumps(e)) for i, e in enumerate(events)], runtime)


def test_a_user_starts_a_quest_completes_a_step_and_sees_progress(client, runtime):
    started = client.post("/v1/users/me/quests/sprint/start", headers=auth(runtime))
    assert (started.status_code, started.json()["status"]) == (200, "IN_PROGRESS")
    assert started.json()["deadline"] == (NOW + timedelta(hours=24)).isoformat().replace("+00:00", "Z")
    done = client.post("/v1/users/me/quests/sprint/steps/warmup/complete", headers=auth(runtime))
    assert [s["completed"] for s in done.json()["steps"]] == [True, False]
    send(runtime, event_dict("u1", id="r1"))
    listing = client.get("/v1/users/me/quests", headers=auth(runtime)).json()["quests"]
    assert listing[0]["steps"][1]["percent"] == pytest.approx(33.33)


def test_starting_twice_changes_nothing(client, runtime):
    client.post("/v1/users/me/quests/sprint/start", headers=auth(runtime))
    again = client.post("/v1/users/me/quests/sprint/start", headers=auth(runtime))
    assert again.status_code == 200
    assert runtime.users.load("u1").version == 1


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/users/me/quests/ghost/start", 404),
        ("/v1/users/me/quests/sprint/steps/ghost/complete", 404),
        ("/v1/users/me/quests/sprint/steps/run/complete", 422),
        ("/v1/users/me/quests/sprint/steps/warmup/complete", 409),
        ("/v1/users/u2/quests/sprint/start", 403),
    ],
)
def test_requests_that_cannot_be_honoured_get_a_clear_4xx(client, runtime, path, status):
    response = client.post(path, headers=auth(runtime))
    assert response.status_code == status
    assert response.json()["message"]


def test_the_expiry_job_expires_a_quest_at_its_deadline_exactly_once(client, runtime, clock):
    tap = BusTap(runtime.settings.event_bus_name)
    client.post("/v1/users/me/quests/sprint/start", headers=auth(runtime))
    tap.drain()
    clock.advance(timedelta(hours=23, minutes=59))
    assert run_expiry(runtime).ticks == 0
    clock.advance(timedelta(minutes=1))

    first, second = run_expiry(runtime), run_expiry(runtime)

    assert (first.ticks, second.ticks) == (1, 0)
    expired = [e for e in tap.drain() if e["detail-type"] == "QuestExpired"]
    assert len(expired) == 1
    assert expired[0]["detail"]["occurredAt"] == (NOW + timedelta(hours=24)).isoformat()
    assert runtime.users.load("u1").quests["sprint"].status == "EXPIRED"


def test_overlapping_expiry_runs_apply_each_deadline_once(client, runtime, clock, atomic_dynamodb):
    tap = BusTap(runtime.settings.event_bus_name)
    for user in ("u1", "u2", "u3"):
        client.post(f"/v1/users/{user}/quests/sprint/start", headers=auth(runtime, user))
    clock.advance(timedelta(days=1))
    tap.drain()
    runs = [threading.Thread(target=run_expiry, args=(runtime,)) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    expired = sorted(e["detail"]["userId"] for e in tap.drain() if e["detail-type"] == "QuestExpired")
    assert expired == ["u1", "u2", "u3"]


def test_a_streak_is_broken_by_the_expiry_job_once_freezes_run_out(client, runtime, clock):
    tap = BusTap(runtime.settings.event_bus_name)
    send(runtime, event_dict("u1", id="d0", at=NOW - timedelta(hours=1)))
    client.post(
        "/v1/users/u1/awards",
        json={
            "idempotencyKey": "f1",
            "streakFreezes": [{"streakId": "daily-steps", "count": 1}],
            "reason": "support",
        },
        headers=auth(runtime, "agent", "admin"),
    )
    tap.drain()
    for _ in range(4):
        clock.advance(timedelta(days=1))
        run_expiry(runtime)
    names = [e["detail-type"] for e in tap.drain()]
    assert names == ["StreakFrozen", "StreakBroken"]
    streak = client.get("/v1/users/me/streaks", headers=auth(runtime)).json()["streaks"][0]
    assert (streak["current"], streak["longest"], streak["atRiskAt"]) == (0, 1, None)


def test_streaks_report_current_longest_freezes_and_the_next_risk(client, runtime):
    send(runtime, *(event_dict("u1", id=f"d{i}", at=NOW - timedelta(days=i)) for i in range(3)))
    streak = client.get("/v1/users/me/streaks", headers=auth(runtime)).json()["streaks"][0]
    assert (streak["current"], streak["longest"], streak["freezes"]) == (3, 3, 0)
    assert streak["atRiskAt"] == "2026-11-23T05:00:00Z"
    assert len(streak["recent"]) == 3
