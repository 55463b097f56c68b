"""A freshly started local system, used as a new user would: leaderboards are exact from the first
request, and a catalog change takes effect at the instant the apply states."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.e2e.conftest import LocalSystem, eventually, new_user, running_system

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSystem]:
    # An hour between schedule runs: whatever makes Redis ready, it is not the schedule.
    workdir = tmp_path_factory.mktemp("questline-local-fresh")
    with running_system(workdir, "--schedule-interval", "3600") as running:
        yield running


def test_leaderboard_reads_are_not_degraded_right_after_start(system):
    user = new_user()
    with system.http(user) as client:
        top = client.get("/v1/leaderboards/weekly-xp")
        mine = client.get(f"/v1/leaderboards/weekly-xp/users/{user}")

    assert top.status_code == 200, top.text
    assert "X-Questline-Degraded" not in top.headers
    assert top.json()["total"] == 0
    assert mine.status_code == 200, mine.text
    assert "X-Questline-Degraded" not in mine.headers


def test_an_applied_achievement_counts_from_the_instant_the_apply_states(system):
    admin = system.http("e2e-admin", "admin")
    bundle = admin.get("/v1/admin/catalog", params={"format": "json"}).json()
    criteria = {"metric": {"events": {"type": "health.metric.recorded"}}, "threshold": 1}
    bundle["version"] = "e2e-fresh-2"
    bundle["achievements"].append({"id": "e2e-fresh", "title": "Fresh", "criteria": criteria})

    applied = admin.post("/v1/admin/catalog", json=bundle)

    assert applied.status_code == 201, applied.text
    effective = applied.json()["effectiveFrom"]
    assert admin.get("/v1/achievements").json()["catalogVersion"] != "e2e-fresh-2"
    versions = admin.get("/v1/admin/catalog/versions").json()
    assert versions["scheduled"] == [{"version": "e2e-fresh-2", "effectiveFrom": effective}]

    assert admin.put("/_local/clock", json={"now": effective}).status_code == 200
    listed = admin.get("/v1/achievements").json()
    assert listed["catalogVersion"] == "e2e-fresh-2"
    assert "e2e-fresh" in [a["id"] for a in listed["achievements"]]

    user = new_user()
    event = {
        "id": f"{user}-1",
        "type": "health.metric.recorded",
        "userId": user,
        "timestamp": datetime.fromisoformat(effective.replace("Z", "+00:00")).isoformat(),
        "version": "1.0",
        "payload": {"steps": 10},
    }
    with system.http("e2e-upstream", "service") as service:
        assert service.post("/v1/events", json={"events": [event]}).status_code == 202
    with system.http(user) as client:

        def unlocked() -> dict[str, str]:
            listed = client.get("/v1/users/me/achievements").json()["achievements"]
            return {a["id"]: a["catalogVersion"] for a in listed if a.get("unlockedAt")}

        assert eventually(lambda: unlocked().get("e2e-fresh")) == "e2e-fresh-2"


def test_a_second_apply_moves_the_pointer_the_first_one_wrote(system):
    admin = system.http("e2e-admin", "admin")
    criteria = {"metric": {"events": {"type": "health.metric.recorded"}}, "threshold": 2}
    versions = admin.get("/v1/admin/catalog/versions").json()["versions"]
    before = versions[0]["version"] if versions else None  # newest first

    changed = admin.put("/v1/admin/achievements/e2e-second", json={"title": "Second", "criteria": criteria})

    assert changed.status_code == 200, changed.text
    assert (changed.json()["status"], changed.json()["previousVersion"]) == ("created", before)
    scheduled = admin.get("/v1/admin/catalog/versions").json()["scheduled"]
    assert scheduled[-1] == {
        "version": changed.json()["version"],
        "effectiveFrom": changed.json()["effectiveFrom"],
    }
