"""Periods close after their grace: snapshot, prizes through the award path (once, however
often closed), LeaderboardClosed on the bus; a past period is served from its snapshot."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from questline.services.leaderboards.maintenance import rebuild
from tests.factories import LambdaContext, sample_event
from tests.integration.bus import BusTap
from tests.integration.leaderboard_support import WEEK, auth, boards_catalog, send, standings, xp  # noqa: F401 - boards_catalog: a fixture, the catalog of every test here
from tests.support.apps import serving
from tests.support.functions import load_function

leaderboard = load_function("leaderboard")
AFTER_GRACE = datetime(2026, 11, 23, 1, 5, tzinfo=UTC)  # the week ended at 00:00, grace 1 h


@pytest.fixture(autouse=True)
def use_runtime(runtime, monkeypatch):
    monkeypatch.setattr(leaderboard, "get_runtime", lambda: runtime)
    standings(runtime, {"ana": 30, "bo": 90, "cy": 60, "di": 10})
    return runtime


def maintain():
    return leaderboard.handler(sample_event("schedule-leaderboard-maintain.json"), LambdaContext())


def coins(runtime, user):
    return runtime.users.load(user).balance("coins")


def test_nothing_closes_before_the_grace_has_passed(runtime, clock):
    clock.now = datetime(2026, 11, 23, 0, 50, tzinfo=UTC)

    closed = [(c["board_id"], c["period"]) for c in maintain()["closed"]]

    assert ("weekly-xp", WEEK) not in closed
    assert runtime.board_store.archive.snapshot("weekly-xp", WEEK) is None


def test_closing_pays_rank_prizes_through_the_award_path_and_announces_the_standings(runtime, clock):
    tap = BusTap(runtime.settings.event_bus_name)
    clock.now = AFTER_GRACE

    [closed] = [c for c in maintain()["closed"] if (c["board_id"], c["period"]) == ("weekly-xp", WEEK)]

    assert (closed["period"], closed["prizes"], closed["prize_errors"]) == (WEEK, 3, [])
    assert {u: coins(runtime, u) for u in ("bo", "cy", "ana", "di")} == {
        "bo": 100,
        "cy": 10,
        "ana": 10,
        "di": 0,
    }
    assert "champion" in runtime.users.load("bo").unlocked
    announced = [e["detail"]["detail"] for e in tap.drain() if e["detail-type"] == "LeaderboardClosed"]
    [detail] = [d for d in announced if d["boardId"] == "weekly-xp"]
    assert (detail["boardId"], detail["period"], detail["total"]) == ("weekly-xp", WEEK, 4)
    assert [(t["userId"], t["rank"], t["score"]) for t in detail["top"]][:2] == [("bo", 1, 90), ("cy", 2, 60)]


def test_closing_twice_grants_every_prize_once(runtime, clock):
    clock.now = AFTER_GRACE
    maintain()
    clock.advance(timedelta(minutes=5))

    again = [c for c in maintain()["closed"] if (c["board_id"], c["period"]) == ("weekly-xp", WEEK)]

    assert again == []
    assert runtime.board_store.archive.snapshot("weekly-xp", WEEK).closed
    assert coins(runtime, "bo") == 100


def test_a_close_that_failed_half_way_is_finished_by_the_next_run_without_paying_twice(
    runtime, clock, monkeypatch
):
    clock.now = AFTER_GRACE
    working = runtime.bus.publish
    monkeypatch.setattr(
        runtime.bus, "publish", lambda events: (_ for _ in ()).throw(ConnectionError("bus down"))
    )
    with pytest.raises(ConnectionError):
        maintain()
    monkeypatch.setattr(runtime.bus, "publish", working)

    maintain()

    assert (coins(runtime, "bo"), coins(runtime, "cy")) == (100, 10)
    assert runtime.board_store.archive.snapshot("weekly-xp", WEEK).closed


def test_a_past_period_is_served_from_its_snapshot_whatever_redis_holds(runtime, clock, client):
    clock.now = AFTER_GRACE
    maintain()
    runtime.board_cache.delete_period("weekly-xp", WEEK)

    body = client.get(
        "/v1/leaderboards/weekly-xp", params={"period": "previous"}, headers=auth(runtime, "viewer")
    ).json()

    assert (body["source"], body["degraded"], body["total"], body["period"]["status"]) == (
        "snapshot",
        False,
        4,
        "closed",
    )
    assert [(e["userId"], e["rank"], e["score"]) for e in body["entries"]] == [
        ("bo", 1, 90),
        ("cy", 2, 60),
        ("ana", 3, 30),
        ("di", 4, 10),
    ]


def test_a_late_event_counts_within_the_grace_and_not_after_the_close(runtime, clock):
    late_at = datetime(2026, 11, 22, 23, 59, tzinfo=UTC)
    clock.now = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
    send(runtime, xp("di", 100, at=late_at, id="late-in-grace"))
    clock.now = AFTER_GRACE
    send(runtime, xp("ana", 100, at=late_at, id="too-late"))

    maintain()

    snapshot = runtime.board_store.archive.snapshot("weekly-xp", WEEK)
    assert [(u, r) for u, _, r in snapshot.entries] == [("di", 1), ("bo", 2), ("cy", 3), ("ana", 4)]


def test_the_snapshot_comes_from_dynamodb_when_redis_is_not_ready(runtime, clock):
    assert rebuild(runtime).ready
    runtime.board_cache.client.delete(runtime.board_cache.ready_key)
    clock.now = AFTER_GRACE

    maintain()

    snapshot = runtime.board_store.archive.snapshot("weekly-xp", WEEK)
    assert (snapshot.source, snapshot.total, snapshot.entries[0][0]) == ("dynamodb", 4, "bo")


def test_the_leaderboard_function_serves_http_through_api_gateway_events(runtime, monkeypatch):
    serving(leaderboard.app, runtime, monkeypatch)
    event = sample_event("http-get-leaderboard.json")
    event["headers"]["authorization"] = auth(runtime, "user-123")["Authorization"]

    response = leaderboard.handler(event, LambdaContext())

    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert (body["boardId"], body["degraded"], body["entries"][0]["userId"]) == ("weekly-xp", True, "bo")
    assert response["headers"]["x-questline-degraded"] == "redis-not-ready"


def test_an_eventbridge_scheduled_event_runs_the_maintenance_job(runtime, clock):
    clock.now = AFTER_GRACE

    result = leaderboard.handler(sample_event("schedule-expiry.json"), LambdaContext())

    assert ("weekly-xp", WEEK) in [(c["board_id"], c["period"]) for c in result["closed"]]


def test_prizes_are_paid_from_the_index_when_redis_lost_a_member(runtime, clock):
    assert rebuild(runtime).ready
    runtime.board_cache.client.zrem(runtime.board_cache.key("weekly-xp", WEEK), "bo")  # drift
    clock.now = AFTER_GRACE

    maintain()

    snapshot = runtime.board_store.archive.snapshot("weekly-xp", WEEK)
    assert (snapshot.source, snapshot.entries[0][0]) == ("dynamodb", "bo")
    assert coins(runtime, "bo") == 100


def test_the_reconcile_schedule_reports_no_drift_after_a_rebuild(runtime):
    assert rebuild(runtime).ready

    result = leaderboard.handler(sample_event("schedule-leaderboard-reconcile.json"), LambdaContext())

    assert (result["ready"], result["drifted"]) == (True, False)
