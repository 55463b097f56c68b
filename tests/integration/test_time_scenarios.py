"""The time scenarios of streaks and quests, through the progress and expiry handlers in-process
(moto, a real Redis, a clock the test moves): DST, travel across the date line, time limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.catalogs import TIME_SCENARIOS
from tests.factories import LambdaContext, event_dict, sample_event, sqs_event
from tests.integration.bus import BusTap
from tests.support.auth import auth
from tests.support.functions import load_function


@pytest.fixture
def catalog_text():
    return TIME_SCENARIOS.read_text()


@pytest.fixture
def handlers(runtime, monkeypatch):
    progress, expiry = load_function("progress"), load_function("expiry")
    monkeypatch.setattr(progress, "get_runtime", lambda: runtime)
    monkeypatch.setattr(expiry, "get_runtime", lambda: runtime)
    return progress, expiry


def deliver(progress, *events):
    result = progress.handler(sqs_event([json.dumps(e) for e in events]), LambdaContext())
    assert result == {"batchItemFailures": []}


def sweep(expiry):
    return expiry.handler(sample_event("schedule-expiry.json"), LambdaContext())


def names(tap, *wanted):
    return [e["detail-type"] for e in tap.drain() if e["detail-type"] in wanted]


def test_a_new_york_user_keeps_a_ten_day_streak_across_the_november_dst_change(runtime, clock, handlers):
    progress, expiry = handlers
    tap = BusTap(runtime.settings.event_bus_name)
    # Local 23:30 every evening from Oct 27 to Nov 5, 2026; clocks fall back on Nov 1 (a 25-hour day).
    first_evening = datetime(2026, 10, 28, 3, 30, tzinfo=UTC)  # Oct 27 23:30 EDT
    for day in range(10):
        local_evening = (
            first_evening + timedelta(days=day) + (timedelta(hours=1) if day >= 5 else timedelta())
        )
        clock.now = local_evening + timedelta(minutes=5)
        deliver(
            progress,
            event_dict("ny", id=f"ny-{day}", at=local_evening, metadata={"timeZone": "America/New_York"}),
        )
        clock.now = local_evening + timedelta(hours=2)  # past midnight and the grace
        sweep(expiry)

    events = names(tap, "StreakExtended", "StreakFrozen", "StreakBroken")
    assert events == ["StreakExtended"] * 10
    streak = runtime.users.load("ny").streaks["daily"]
    [(first, last)] = streak.runs
    assert last - first + 1 == 10


def test_a_user_flying_tokyo_to_los_angeles_neither_loses_nor_double_counts_a_day(runtime, clock, handlers):
    progress, expiry = handlers
    tap = BusTap(runtime.settings.event_bus_name)
    tokyo, la = {"timeZone": "Asia/Tokyo"}, {"timeZone": "America/Los_Angeles"}
    # Nov 20 and 21, 09:00 in Tokyo.
    days = [
        (datetime(2026, 11, 20, 0, tzinfo=UTC), tokyo),
        (datetime(2026, 11, 21, 0, tzinfo=UTC), tokyo),
        # Depart Tokyo Nov 22 17:00 JST (08:00Z); land in Los Angeles Nov 22 10:00 PST (18:00Z): the
        # same local date, so the event after landing belongs to a day already counted.
        (datetime(2026, 11, 22, 7, tzinfo=UTC), tokyo),
        (datetime(2026, 11, 22, 19, tzinfo=UTC), la),
        # Nov 23 and 24 in Los Angeles, 10:00 PST.
        (datetime(2026, 11, 23, 18, tzinfo=UTC), la),
        (datetime(2026, 11, 24, 18, tzinfo=UTC), la),
    ]
    for index, (at, zone) in enumerate(days):
        clock.now = at + timedelta(minutes=1)
        deliver(progress, event_dict("flyer", id=f"f-{index}", at=at, metadata=zone))
        sweep(expiry)

    extended = [
        e for e in tap.drain() if e["detail-type"] in ("StreakExtended", "StreakBroken", "StreakFrozen")
    ]
    assert [e["detail-type"] for e in extended] == ["StreakExtended"] * 5
    assert [e["detail"]["detail"]["period"] for e in extended] == [
        "2026-11-20",
        "2026-11-21",
        "2026-11-22",
        "2026-11-23",
        "2026-11-24",
    ]
    assert extended[-1]["detail"]["detail"]["current"] == 5


def test_a_quest_with_a_24_hour_limit_expires_at_the_right_instant_with_one_quest_expired(
    runtime, clock, handlers, client
):
    _, expiry = handlers
    tap = BusTap(runtime.settings.event_bus_name)
    started_at = clock.now
    started = client.post("/v1/users/q/quests/sprint/start", headers=auth(runtime, "q"))
    assert datetime.fromisoformat(started.json()["deadline"]) == started_at + timedelta(hours=24)
    assert names(tap, "QuestStarted") == ["QuestStarted"]

    clock.now = started_at + timedelta(hours=24) - timedelta(seconds=1)
    assert sweep(expiry)["ticks"] == 0
    clock.now = started_at + timedelta(hours=24)
    first = sweep(expiry)
    clock.now += timedelta(minutes=5)
    second = sweep(expiry)

    assert (first["ticks"], second["ticks"]) == (1, 0)
    expired = [e for e in tap.drain() if e["detail-type"] == "QuestExpired"]
    assert len(expired) == 1
    assert expired[0]["detail"]["occurredAt"] == (started_at + timedelta(hours=24)).isoformat()
    assert runtime.users.load("q").quests["sprint"].status == "EXPIRED"
