"""Moderation: an excluded user leaves every board and period at once, stays out through new
events, flushes and rebuilds, and comes back with their scores when the exclusion is lifted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from questline.services.leaderboards.maintenance import rebuild
from tests.factories import NOW
from tests.integration.leaderboard_support import WEEK, auth, boards_catalog, send, standings, xp  # noqa: F401 - boards_catalog: a fixture, the catalog of every test here


@pytest.fixture(autouse=True)
def board(runtime):
    standings(runtime, {"ana": 30, "bo": 90, "cheat": 999, "cy": 60})
    assert rebuild(runtime).ready


def admin(runtime):
    return auth(runtime, "mod-mia", "admin")


def exclude(client, runtime, user="cheat"):
    return client.put(
        f"/v1/admin/leaderboards/exclusions/{user}", json={"reason": "bot"}, headers=admin(runtime)
    )


def lift(client, runtime, user="cheat"):
    return client.delete(f"/v1/admin/leaderboards/exclusions/{user}", headers=admin(runtime))


def top(client, runtime, board="weekly-xp"):
    body = client.get(f"/v1/leaderboards/{board}", headers=auth(runtime, "viewer")).json()
    return [(e["userId"], e["score"]) for e in body["entries"]]


def test_an_excluded_user_leaves_every_board_at_once(client, runtime):
    response = exclude(client, runtime)

    assert response.status_code == 200
    assert response.json()["scoreItems"] == 3  # all-time, this week, today
    for board in ("all-xp", "weekly-xp", "daily-shared"):
        assert "cheat" not in dict(top(client, runtime, board))
    mine = client.get("/v1/users/me/leaderboards", headers=auth(runtime, "cheat")).json()
    assert [b["entry"] for b in mine["boards"]] == [None, None, None]


def test_new_events_flushes_and_rebuilds_do_not_bring_an_excluded_user_back(client, runtime, clock):
    exclude(client, runtime)
    send(runtime, xp("cheat", 5, id="after-exclusion"))
    runtime.board_cache.client.delete(
        *runtime.board_cache.client.keys(f"{runtime.settings.redis_key_prefix}*")
    )

    degraded = top(client, runtime)
    assert rebuild(runtime).ready

    assert "cheat" not in dict(degraded)
    assert top(client, runtime) == [("bo", 90), ("cy", 60), ("ana", 30)]


def test_lifting_restores_the_scores_earned_meanwhile(client, runtime):
    exclude(client, runtime)
    send(runtime, xp("cheat", 1, id="while-excluded"))

    assert lift(client, runtime).json() == {"userId": "cheat", "excluded": False, "scoreItems": 3}

    assert top(client, runtime)[0] == ("cheat", 1000)
    assert client.get("/v1/admin/leaderboards/exclusions", headers=admin(runtime)).json() == {
        "exclusions": []
    }


def test_periods_the_user_state_no_longer_holds_are_excluded_too(client, runtime, clock):
    for day in (1, 2):
        clock.advance(timedelta(days=1))
        send(runtime, xp("cheat", 1, at=clock() - timedelta(minutes=1), id=f"day-{day}"))
    today = NOW.date().isoformat()  # the cheater's state now keeps the two later days only

    exclude(client, runtime)

    old = client.get(
        "/v1/leaderboards/daily-shared", params={"period": today}, headers=auth(runtime, "viewer")
    ).json()
    assert "cheat" not in [e["userId"] for e in old["entries"]]
    [item] = [i for i in runtime.board_store.user_scores("cheat") if i.period == today]
    assert item.excluded is True


def test_exclusions_are_listed_with_who_and_why_and_are_for_admins_only(client, runtime):
    assert (
        client.put(
            "/v1/admin/leaderboards/exclusions/cheat",
            json={"reason": "x"},
            headers=auth(runtime, "svc", "service"),
        ).status_code
        == 403
    )
    assert exclude(client, runtime, "cheat").status_code == 200
    assert exclude(client, runtime, "cheat").status_code == 200  # again: no change

    [entry] = client.get("/v1/admin/leaderboards/exclusions", headers=admin(runtime)).json()["exclusions"]

    assert (entry["userId"], entry["actor"], entry["reason"]) == ("cheat", "mod-mia", "bot")
    assert [u for u, _ in top(client, runtime)] == ["bo", "cy", "ana"]


def test_an_exclusion_request_without_a_reason_names_the_field(client, runtime):
    response = client.put("/v1/admin/leaderboards/exclusions/cheat", json={}, headers=admin(runtime))

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]


def test_the_drift_report_is_clean_after_moderation(client, runtime):
    exclude(client, runtime)

    report = client.get("/v1/admin/leaderboards/reconcile", headers=admin(runtime)).json()

    assert (report["ready"], report["drifted"]) == (True, False)
    weekly = next(p for p in report["periods"] if (p["boardId"], p["period"]) == ("weekly-xp", WEEK))
    assert (weekly["dynamoMembers"], weekly["redisMembers"]) == (3, 3)
