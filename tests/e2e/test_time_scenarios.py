"""Time over the local system: a clock the test sets (PUT /_local/clock), schedules fired on
demand (POST /_local/schedules/run), events over HTTP, domain events read from the bus tap."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.catalogs import TIME_SCENARIOS
from tests.e2e.conftest import LocalSystem, eventually, running_system

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSystem]:
    workdir = tmp_path_factory.mktemp("questline-local-time")
    # Schedules fire only when a test asks: the test owns the clock.
    with running_system(workdir, "--catalog", str(TIME_SCENARIOS), "--schedule-interval", "3600") as running:
        yield running


class Scenario:
    def __init__(self, system: LocalSystem) -> None:
        self.system = system
        self.admin = system.http("e2e-admin", "admin")
        self.service = system.http("e2e-service", "service")
        self.sqs = system.aws("sqs")
        self.seen: list[dict[str, Any]] = []

    def at(self, instant: datetime) -> None:
        assert self.admin.put("/_local/clock", json={"now": instant.isoformat()}).status_code == 200

    def run_schedules(self) -> None:
        assert self.admin.post("/_local/schedules/run").status_code == 200

    def send(self, user: str, at: datetime, zone: str, key: str) -> None:
        event = {
            "id": f"{user}-{key}",
            "type": "health.metric.recorded",
            "userId": user,
            "timestamp": at.isoformat(),
            "version": "1.0",
            "payload": {"steps": 100},
            "metadata": {"timeZone": zone},
        }
        assert self.service.post("/v1/events", json={"events": [event]}).status_code == 202

    def domain_events(self, user: str, *names: str) -> list[dict[str, Any]]:
        """Everything the bus tap holds for ``user`` so far (kept across calls)."""
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=self.system.state["bus_tap_url"], MaxNumberOfMessages=10
            )
            messages = batch.get("Messages", [])
            if not messages:
                break
            for message in messages:
                self.seen.append(json.loads(message["Body"]))
                self.sqs.delete_message(
                    QueueUrl=self.system.state["bus_tap_url"], ReceiptHandle=message["ReceiptHandle"]
                )
        # Publication is at least once (the outbox sweep may republish an entry whose delete it
        # raced), so, like every consumer, read each domain event once by its stable id.
        unique = {e["detail"]["id"]: e for e in self.seen}.values()
        return [e for e in unique if e["detail"]["userId"] == user and e["detail-type"] in names]

    def streak(self, user: str) -> dict[str, Any]:
        return self.service.get(f"/v1/users/{user}/streaks").json()["streaks"][0]


@pytest.fixture
def scenario(system: LocalSystem) -> Scenario:
    return Scenario(system)


def user() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


def test_a_new_york_user_keeps_a_ten_day_streak_across_the_november_dst_change(scenario):
    ny = user()
    evening = datetime(2026, 10, 28, 3, 30, tzinfo=UTC)  # Oct 27, 23:30 EDT
    for day in range(10):
        local_evening = evening + timedelta(days=day, hours=1 if day >= 5 else 0)  # EST from Nov 1
        scenario.at(local_evening + timedelta(minutes=1))
        scenario.send(ny, local_evening, "America/New_York", f"d{day}")
        eventually(lambda day=day: scenario.streak(ny)["current"] == day + 1)
        scenario.at(local_evening + timedelta(hours=2))  # past local midnight and the grace
        scenario.run_schedules()

    assert [
        e["detail-type"] for e in scenario.domain_events(ny, "StreakExtended", "StreakFrozen", "StreakBroken")
    ] == ["StreakExtended"] * 10
    assert scenario.streak(ny)["longest"] == 10


def test_a_user_flying_tokyo_to_los_angeles_neither_loses_nor_double_counts_a_day(scenario):
    flyer = user()
    trips = [
        (datetime(2026, 11, 20, 0, tzinfo=UTC), "Asia/Tokyo"),  # Nov 20, 09:00 JST
        (datetime(2026, 11, 21, 0, tzinfo=UTC), "Asia/Tokyo"),
        (datetime(2026, 11, 22, 7, tzinfo=UTC), "Asia/Tokyo"),  # Nov 22 16:00 JST, then the flight
        (datetime(2026, 11, 22, 19, tzinfo=UTC), "America/Los_Angeles"),  # Nov 22 11:00 PST: same date
        (datetime(2026, 11, 23, 18, tzinfo=UTC), "America/Los_Angeles"),
        (datetime(2026, 11, 24, 18, tzinfo=UTC), "America/Los_Angeles"),
    ]
    for index, (at, zone) in enumerate(trips):
        scenario.at(at + timedelta(minutes=1))
        scenario.send(flyer, at, zone, f"f{index}")
        eventually(lambda: scenario.streak(flyer)["recent"] and True)
        scenario.run_schedules()
    eventually(lambda: scenario.streak(flyer)["current"] == 5)

    extended = scenario.domain_events(flyer, "StreakExtended", "StreakFrozen", "StreakBroken")
    assert [e["detail"]["detail"]["period"] for e in extended] == [
        "2026-11-20",
        "2026-11-21",
        "2026-11-22",
        "2026-11-23",
        "2026-11-24",
    ]


def test_a_quest_with_a_24_hour_limit_expires_at_the_right_instant_once(scenario):
    racer = user()
    started = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    scenario.at(started)
    body = scenario.system.http(racer).post(f"/v1/users/{racer}/quests/sprint/start").json()
    deadline = datetime.fromisoformat(body["deadline"])
    assert timedelta(hours=24) <= deadline - started < timedelta(hours=24, seconds=5)

    scenario.at(deadline - timedelta(seconds=30))
    scenario.run_schedules()
    assert scenario.domain_events(racer, "QuestExpired") == []
    scenario.at(deadline + timedelta(seconds=1))
    scenario.run_schedules()
    scenario.run_schedules()

    expired = eventually(lambda: scenario.domain_events(racer, "QuestExpired"))
    assert len(expired) == 1
    assert expired[0]["detail"]["occurredAt"] == deadline.isoformat()
    quests = scenario.system.http(racer).get(f"/v1/users/{racer}/quests").json()["quests"]
    assert quests[0]["status"] == "EXPIRED"


@pytest.mark.parametrize("offset_days", [-365, 365], ids=["a-year-back", "a-year-ahead"])
def test_a_board_follows_the_local_clock_a_year_off_the_machines(scenario, offset_days):
    walker = user()
    now = datetime.now(UTC).replace(microsecond=0) + timedelta(days=offset_days)
    scenario.at(now)
    scenario.send(walker, now - timedelta(minutes=1), "UTC", "walk")
    scenario.run_schedules()

    def entry() -> dict[str, Any] | None:
        response = scenario.service.get(f"/v1/leaderboards/daily-steps/users/{walker}")
        body = response.json()
        return body if response.status_code == 200 and body["me"] else None

    body = eventually(entry)
    assert (body["me"]["score"], body["degraded"], body["total"]) == (100, False, 1)
