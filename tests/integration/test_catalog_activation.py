"""A catalog change takes effect when the API says it does: at ``effectiveFrom``, in every process,
whatever each process had cached, judged by the instant the function decides (arrival)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
import yaml
from fastapi.testclient import TestClient

from questline.domain.catalog_schedule import CATALOG_ACTIVATION_DELAY
from questline.errors import TransientError
from questline.services.ingest_batch import InboundRecord, process_batch
from questline.services.runtime import Runtime
from questline.storage.catalogs import ActiveMoved, StoredVersion
from tests.conftest import Clock
from tests.factories import NOW, TEST_CATALOG_YAML, event_dict
from tests.support.auth import auth

TICK = timedelta(microseconds=1)


def bundle(version: str, *extra_achievements: dict[str, Any]) -> dict[str, Any]:
    document = yaml.safe_load(TEST_CATALOG_YAML) | {"version": version}
    document["achievements"] += list(extra_achievements)
    return document


def metric_achievement(id: str) -> dict[str, Any]:
    return {
        "id": id,
        "title": id,
        "criteria": {"metric": {"events": {"type": "health.metric.recorded"}}, "threshold": 1},
    }


@pytest.fixture
def admin(runtime: Runtime) -> dict[str, str]:
    return auth(runtime, "ops-alice", "admin")


@pytest.fixture
def other_clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def other(settings, other_clock) -> Runtime:
    """A second process: the same table, its own catalog cache and its own clock."""
    return Runtime(settings, clock=other_clock)


def apply(client: TestClient, admin: dict[str, str], document: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/admin/catalog", json=document, headers=admin)
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


def starts(result: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(result["effectiveFrom"].replace("Z", "+00:00"))


def at(instant: datetime, *clocks: Clock) -> None:
    for clock in clocks:
        clock.now = instant


def send(runtime: Runtime, user: str, event_id: str, happened: datetime | None = None) -> None:
    body = json.dumps(event_dict(user, id=event_id, at=happened or runtime.clock() - timedelta(seconds=1)))
    outcome = process_batch([InboundRecord(f"m-{event_id}", body)], runtime)
    assert outcome.applied == 1


def unlocked(client: TestClient, runtime: Runtime, user: str) -> dict[str, str]:
    listed = client.get("/v1/users/me/achievements", headers=auth(runtime, user)).json()["achievements"]
    return {a["id"]: a["catalogVersion"] for a in listed if a.get("unlockedAt")}


def test_the_apply_states_the_instant_its_version_is_in_force_and_the_list_agrees(client, admin, clock):
    result = apply(client, admin, bundle("v1"))

    assert starts(result) == NOW + CATALOG_ACTIVATION_DELAY
    listed = client.get("/v1/admin/catalog/versions", headers=admin).json()
    assert (listed["active"], listed["scheduled"]) == (
        None,
        [{"version": "v1", "effectiveFrom": result["effectiveFrom"]}],
    )
    assert [(v["version"], v["active"], v["effectiveFrom"]) for v in listed["versions"]] == [
        ("v1", False, result["effectiveFrom"])
    ]

    at(starts(result), clock)
    listed = client.get("/v1/admin/catalog/versions", headers=admin).json()
    assert (listed["active"], listed["activeSince"], listed["scheduled"]) == (
        "v1",
        result["effectiveFrom"],
        [],
    )
    assert listed["versions"][0]["active"] is True


def test_every_process_switches_at_the_stated_instant_whatever_it_had_cached(
    client, admin, runtime, clock, other, other_clock
):
    apply(client, admin, bundle("v1"))
    applied_at = NOW + timedelta(hours=1)
    # Each process last read the pointer at its own moment before the apply.
    at(applied_at - timedelta(seconds=40), clock, other_clock)
    assert runtime.catalog.version == "v1"
    at(applied_at - timedelta(seconds=20), clock, other_clock)
    assert other.catalog.version == "v1"
    at(applied_at, clock, other_clock)
    result = apply(client, admin, bundle("v2", metric_achievement("new-one")))

    seen = []
    for second in range(0, 70, 5):
        at(applied_at + timedelta(seconds=second), clock, other_clock)
        seen.append((second, runtime.catalog.version, other.catalog.version))

    assert seen == [(s, "v1", "v1") for s in range(0, 60, 5)] + [(60, "v2", "v2"), (65, "v2", "v2")]
    effective = starts(result)
    assert effective == applied_at + CATALOG_ACTIVATION_DELAY
    at(effective - TICK, clock, other_clock)
    assert (runtime.catalog.version, other.catalog.version) == ("v1", "v1")
    at(effective, clock, other_clock)
    assert (runtime.catalog.version, other.catalog.version) == ("v2", "v2")
    served = client.get("/v1/achievements", headers=admin).json()
    assert served["catalogVersion"] == "v2"
    assert "new-one" in [a["id"] for a in served["achievements"]]


def test_an_event_counts_under_the_version_in_force_when_it_is_processed(
    client, admin, runtime, clock, other, other_clock
):
    apply(client, admin, bundle("v1"))
    at(NOW + timedelta(hours=1), clock, other_clock)
    assert other.catalog.version == "v1"  # the other process caches the pointer from here
    result = apply(client, admin, bundle("v2", metric_achievement("new-one")))
    effective = starts(result)

    # Processed just before the instant, by either process: the new achievement does not exist yet,
    # even for an event stamped after the instant (event time does not pick the version).
    at(effective - TICK, clock, other_clock)
    send(other, "early", "e1", happened=effective + timedelta(seconds=30))
    send(runtime, "early-too", "e2")
    # Processed at the instant: counted, even for an event that happened before the apply.
    at(effective, clock, other_clock)
    send(other, "on-time", "e3", happened=NOW + timedelta(minutes=59))

    assert "new-one" not in unlocked(client, runtime, "early")
    assert "new-one" not in unlocked(client, runtime, "early-too")
    assert unlocked(client, runtime, "on-time")["new-one"] == "v2"


def test_versions_applied_in_quick_succession_each_take_their_turn(
    client, admin, runtime, clock, other, other_clock
):
    first = apply(client, admin, bundle("v1"))
    other.catalog  # noqa: B018 - read the pointer before the next applies
    at(NOW + timedelta(seconds=10), clock, other_clock)
    second = apply(client, admin, bundle("v2", metric_achievement("second")))
    at(NOW + timedelta(seconds=20), clock, other_clock)
    third = apply(client, admin, bundle("v1"))  # back to v1 before v2 is even in force

    assert [r["status"] for r in (first, second, third)] == ["created", "created", "activated"]
    expected = [
        (starts(first) - TICK, "test-1"),
        (starts(first), "v1"),
        (starts(second), "v2"),
        (starts(third) - TICK, "v2"),
        (starts(third), "v1"),
    ]
    for instant, version in expected:
        at(instant, clock, other_clock)
        assert (runtime.catalog.version, other.catalog.version) == (version, version), instant


def test_an_applier_whose_clock_is_behind_never_starts_before_an_earlier_apply(client, admin, clock):
    first = apply(client, admin, bundle("v1"))
    at(NOW - timedelta(seconds=3), clock)

    second = apply(client, admin, bundle("v2", metric_achievement("second")))

    assert starts(second) == starts(first)
    listed = [
        s["version"] for s in client.get("/v1/admin/catalog/versions", headers=admin).json()["scheduled"]
    ]
    assert listed == ["v1", "v2"]
    at(starts(first), clock)
    assert client.get("/v1/achievements", headers=admin).json()["catalogVersion"] == "v2"


def test_a_pointer_that_moved_and_came_back_is_still_a_moved_pointer(client, admin, runtime):
    apply(client, admin, bundle("v1"))
    stale = runtime.catalogs.active()
    apply(client, admin, bundle("v2", metric_achievement("second")))
    apply(client, admin, bundle("v1"))
    assert stale is not None
    assert runtime.catalogs.active().version == stale.version  # type: ignore[union-attr]

    record = StoredVersion("v1", stale.content_hash, "late-writer", NOW)
    with pytest.raises(ActiveMoved):
        runtime.catalogs.activate(record, stale.schedule, stale)

    in_force = [
        s["version"] for s in client.get("/v1/admin/catalog/versions", headers=admin).json()["scheduled"]
    ]
    assert in_force == ["v1", "v2", "v1"]


def test_a_scheduled_version_starts_on_time_while_the_pointer_cannot_be_read(
    client, admin, runtime, clock, other, other_clock
):
    result = apply(client, admin, bundle("v1"))
    assert other.catalog.version == "test-1"  # its copy already names v1 and when it starts

    def unreachable() -> None:
        raise TransientError("throttled")

    other.catalogs.active = unreachable  # type: ignore[method-assign]
    at(starts(result), other_clock)

    assert other.catalog.version == "v1"


def test_a_pointer_written_without_a_schedule_is_in_force_and_can_be_replaced(
    client, admin, runtime, clock, settings
):
    apply(client, admin, bundle("v1"))
    table = boto3.client("dynamodb")
    key = {"PK": {"S": "CATALOG"}, "SK": {"S": "ACTIVE"}}
    pointer = table.get_item(TableName=settings.table_name, Key=key)["Item"]
    legacy = {k: v for k, v in pointer.items() if k not in ("Schedule", "Revision")}
    table.put_item(TableName=settings.table_name, Item=legacy)
    fresh = Runtime(settings, clock=Clock(NOW))

    assert fresh.catalog.version == "v1"  # in force since it was written, as before schedules
    result = apply(client, admin, bundle("v2", metric_achievement("second")))
    assert result["status"] == "created"
    fresh.clock = Clock(starts(result))
    assert fresh.catalog.version == "v2"
