"""Catalog as code: versioned bundles applied over the admin API, picked up by every runtime."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import yaml
from fastapi.testclient import TestClient

from questline.cli import catalog as cli
from questline.config import get_settings
from questline.domain.catalog_schedule import CATALOG_ACTIVATION_DELAY, CATALOG_TTL
from questline.errors import TransientError
from questline.services.ingest_batch import InboundRecord, process_batch
from questline.services.runtime import Runtime
from tests.factories import NOW, TEST_CATALOG_YAML, LambdaContext, event_dict, sample_event
from tests.support.apps import serving
from tests.support.auth import auth
from tests.support.functions import load_function

catalog_function = load_function("catalog")


def bundle(version: str | None = "v1", **changes: Any) -> dict[str, Any]:
    """The test catalog as a JSON bundle; ``changes`` replace top-level sections."""
    document = yaml.safe_load(TEST_CATALOG_YAML) | changes
    if version is None:
        document.pop("version")
    else:
        document["version"] = version
    return document


def achievement(id: str, title: str = "An achievement", **extra: Any) -> dict[str, Any]:
    criteria = {"metric": {"events": {"type": "health.metric.recorded"}}, "threshold": 1}
    return {"id": id, "title": title, "criteria": criteria, **extra}


@pytest.fixture
def admin(runtime: Runtime) -> dict[str, str]:
    return auth(runtime, "ops-alice", "admin")


def apply(client: TestClient, admin: dict[str, str], document: dict[str, Any]) -> Any:
    return client.post("/v1/admin/catalog", json=document, headers=admin)


def test_applying_a_bundle_creates_a_version_and_moves_the_pointer(client, admin, clock):
    response = apply(client, admin, bundle("v1"))

    assert response.status_code == 201
    assert response.json() | {"contentHash": None} == {
        "status": "created",
        "version": "v1",
        "contentHash": None,
        "previousVersion": None,
        "effectiveFrom": (NOW + CATALOG_ACTIVATION_DELAY).isoformat().replace("+00:00", "Z"),
    }
    clock.advance(CATALOG_ACTIVATION_DELAY)
    versions = client.get("/v1/admin/catalog/versions", headers=admin).json()
    assert versions["active"] == "v1"
    assert [(v["version"], v["appliedBy"], v["active"]) for v in versions["versions"]] == [
        ("v1", "ops-alice", True)
    ]


def test_applying_the_same_bundle_twice_changes_nothing(client, admin):
    apply(client, admin, bundle("v1"))

    response = apply(client, admin, bundle("v1"))

    assert (response.status_code, response.json()["status"]) == (200, "unchanged")
    assert len(client.get("/v1/admin/catalog/versions", headers=admin).json()["versions"]) == 1


def test_a_changed_bundle_creates_a_second_version_and_keeps_the_first(client, admin, clock):
    apply(client, admin, bundle("v1"))
    clock.advance(CATALOG_TTL)
    changed = bundle("v2", levels={"thresholds": [0, 50, 100]})

    response = apply(client, admin, changed)
    clock.advance(CATALOG_ACTIVATION_DELAY)

    assert (response.json()["status"], response.json()["previousVersion"]) == ("created", "v1")
    versions = client.get("/v1/admin/catalog/versions", headers=admin).json()
    assert [(v["version"], v["active"]) for v in versions["versions"]] == [("v2", True), ("v1", False)]
    first = client.get("/v1/admin/catalog", params={"version": "v1", "format": "json"}, headers=admin)
    assert first.json()["levels"] == {"thresholds": [0, 30, 100, 200, 400]}


def test_the_export_applies_back_unchanged(client, admin):
    apply(client, admin, bundle("v1"))
    exported = client.get("/v1/admin/catalog", headers=admin)

    response = client.post(
        "/v1/admin/catalog", content=exported.text, headers={**admin, "Content-Type": "application/yaml"}
    )

    assert exported.headers["content-type"].startswith("application/yaml")
    assert response.json()["status"] == "unchanged"


def test_an_explicit_version_reused_with_other_content_is_refused(client, admin, clock):
    apply(client, admin, bundle("v1"))
    clock.advance(CATALOG_ACTIVATION_DELAY)

    response = apply(client, admin, bundle("v1", levels={"thresholds": [0, 50]}))

    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "version"
    assert "immutable" in error["message"]
    assert client.get("/v1/admin/catalog/versions", headers=admin).json()["active"] == "v1"


def test_the_runtime_awards_with_the_applied_version_once_it_is_in_force(client, admin, runtime, clock):
    assert runtime.catalog.version == "test-1"  # no version applied yet: the bundle file
    richer = bundle(
        "v2", xp=[{"id": "metric-xp", "events": {"type": "health.metric.recorded"}, "amount": 25}]
    )
    apply(client, admin, richer)
    assert runtime.catalog.version == "test-1"  # not in force yet

    clock.advance(CATALOG_ACTIVATION_DELAY)
    process_batch([InboundRecord("m1", json.dumps(event_dict("u1", id="e1")))], runtime)

    assert runtime.catalog.version == "v2"
    me = auth(runtime, "u1")
    assert client.get("/v1/users/me/profile", headers=me).json()["xp"] == 25
    unlocked = client.get("/v1/users/me/achievements", headers=me).json()["achievements"]
    assert {a["id"]: a["catalogVersion"] for a in unlocked}["first-metric"] == "v2"


def test_the_runtime_keeps_its_catalog_when_the_pointer_cannot_be_read(client, admin, runtime, clock):
    apply(client, admin, bundle("v1"))
    clock.advance(CATALOG_ACTIVATION_DELAY)
    assert runtime.catalog.version == "v1"

    def unreachable() -> None:
        raise TransientError("throttled")

    runtime.catalogs.active = unreachable  # type: ignore[method-assign]
    clock.advance(CATALOG_TTL)

    assert runtime.catalog.version == "v1"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/admin/catalog/validate"),
        ("POST", "/v1/admin/catalog/diff"),
        ("POST", "/v1/admin/catalog"),
        ("GET", "/v1/admin/catalog"),
        ("GET", "/v1/admin/catalog/versions"),
        ("GET", "/v1/admin/catalog/schema"),
        ("PUT", "/v1/admin/achievements/a1"),
        ("DELETE", "/v1/admin/achievements/a1"),
    ],
)
@pytest.mark.parametrize("role", ["user", "service"])
def test_admin_routes_refuse_user_and_service_tokens(client, runtime, method, path, role):
    response = client.request(method, path, json=bundle("v1"), headers=auth(runtime, "someone", role))

    assert response.status_code == 403


def test_an_invalid_bundle_gets_422_naming_each_path_inside_it(client, admin):
    broken = achievement("a1")
    broken["criteria"]["metric"]["events"]["type"] = "Not A Type"

    response = client.post(
        "/v1/admin/catalog/validate", json=bundle("v1", achievements=[broken]), headers=admin
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["achievements[0].criteria.metric.events.type"]


def test_a_yaml_body_is_accepted(client, admin):
    response = client.post(
        "/v1/admin/catalog", content=TEST_CATALOG_YAML, headers={**admin, "Content-Type": "text/yaml"}
    )

    assert (response.status_code, response.json()["version"]) == (201, "test-1")


def test_diff_lists_added_removed_and_changed_ids(client, admin):
    apply(client, admin, bundle("v1"))
    current = bundle("v2")["achievements"]
    changed = [current[0], {**current[2], "points": 75}, achievement("ten-metrics")]

    response = client.post("/v1/admin/catalog/diff", json=bundle("v2", achievements=changed), headers=admin)

    diff = response.json()
    assert (diff["fromVersion"], diff["toVersion"], diff["unchanged"]) == ("v1", "v2", False)
    assert diff["achievements"] == {
        "added": ["ten-metrics"],
        "removed": ["five-metrics"],
        "changed": ["steps-1000"],
    }
    assert diff["xp"] == {"added": [], "removed": [], "changed": []}
    assert diff["levelsChanged"] is False


def test_achievement_put_and_delete_each_create_a_version(client, admin):
    apply(client, admin, bundle("v1"))

    put = client.put("/v1/admin/achievements/ten-metrics", json=achievement("ten-metrics"), headers=admin)
    deleted = client.delete("/v1/admin/achievements/five-metrics", headers=admin)

    assert [put.json()["status"], deleted.json()["status"]] == ["created", "created"]
    assert put.json()["previousVersion"] == "v1"
    assert deleted.json()["previousVersion"] == put.json()["version"]
    assert deleted.json()["version"].startswith("sha-")
    ids = [a["id"] for a in client.get("/v1/admin/catalog?format=json", headers=admin).json()["achievements"]]
    assert ids == ["first-metric", "steps-1000", "ten-metrics"]
    assert len(client.get("/v1/admin/catalog/versions", headers=admin).json()["versions"]) == 3


def test_the_public_achievement_list_masks_secret_ones(settings, clock, monkeypatch):
    gateway = Runtime(settings.model_copy(update={"auth_mode": "apigateway"}), clock=clock)
    serving(catalog_function.app, gateway, monkeypatch)
    applied = catalog_function.handler(sample_event("http-admin-apply-catalog.json"), LambdaContext())
    assert applied["statusCode"] == 201
    clock.advance(CATALOG_ACTIVATION_DELAY)

    response = catalog_function.handler(sample_event("http-get-catalog-achievements.json"), LambdaContext())

    listed = {a["id"]: a for a in json.loads(response["body"])["achievements"]}
    assert listed["first-metric"]["title"] == "First metric"
    assert (listed["night-owl"]["title"], listed["night-owl"]["description"]) == ("Secret achievement", "")
    assert listed["night-owl"]["hidden"] is True
    assert "criteria" not in listed["night-owl"]


def test_the_schema_route_serves_the_bundle_json_schema(client, admin):
    schema = client.get("/v1/admin/catalog/schema", headers=admin).json()

    assert {"version", "levels", "achievements"} <= set(schema["properties"])


def test_exporting_an_unknown_version_gets_404(client, admin):
    response = client.get("/v1/admin/catalog", params={"version": "nope"}, headers=admin)

    assert response.status_code == 404


def test_applying_an_earlier_bundle_again_reactivates_its_version(client, admin, clock):
    apply(client, admin, bundle("v1"))
    apply(client, admin, bundle("v2", levels={"thresholds": [0, 50]}))

    response = apply(client, admin, bundle("v1"))
    clock.advance(CATALOG_ACTIVATION_DELAY)

    assert (response.status_code, response.json()["status"]) == (200, "activated")
    versions = client.get("/v1/admin/catalog/versions", headers=admin).json()
    assert (versions["active"], len(versions["versions"])) == ("v1", 2)


def test_deleting_a_prerequisite_is_refused_naming_the_dependent(client, admin):
    dependent = achievement("after-first", criteria={"achievement": "first-metric"})
    apply(client, admin, bundle("v1", achievements=[*bundle()["achievements"], dependent]))

    response = client.delete("/v1/admin/achievements/first-metric", headers=admin)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "achievements[2].criteria"


def test_a_large_bundle_is_stored_compressed_and_read_back(client, admin, runtime, clock):
    many = [achievement(f"a{i}", description="Record a metric. " * 100) for i in range(40)]
    apply(client, admin, bundle("big", achievements=many))

    clock.advance(CATALOG_ACTIVATION_DELAY)

    stored = boto3.client("dynamodb").get_item(
        TableName=runtime.settings.table_name, Key={"PK": {"S": "CATALOG"}, "SK": {"S": "VERSION#big"}}
    )["Item"]
    assert "BundleGz" in stored
    assert len(runtime.catalog.catalog.achievements) == 40


def test_a_bundle_too_large_for_one_item_is_refused(client, admin):
    noise = [achievement(f"a{i}", description=secrets.token_urlsafe(1490)) for i in range(300)]

    response = apply(client, admin, bundle("huge", achievements=noise))

    assert response.status_code == 422
    assert "400 KB" in response.json()["errors"][0]["message"]


@pytest.fixture
def cli_table(resources, monkeypatch) -> Iterator[str]:
    """The CLI reads its settings from the environment, as in a terminal."""
    monkeypatch.setenv("TABLE_NAME", resources.table_name)
    get_settings.cache_clear()
    yield resources.table_name
    get_settings.cache_clear()


def test_the_cli_applies_diffs_and_exports_through_the_same_table(cli_table, tmp_path, capsys):
    path = tmp_path / "catalog.yaml"
    path.write_text(TEST_CATALOG_YAML)

    codes = [cli.main(["apply", str(path), "--actor", "ci"]), cli.main(["diff", str(path)])]
    codes.append(cli.main(["export", "--output", str(tmp_path / "out.yaml")]))

    out = capsys.readouterr().out.splitlines()
    assert codes == [0, 0, 0]
    assert out[0].startswith("created: version test-1")
    assert out[1] == "from test-1 to test-1: no changes"
    assert yaml.safe_load((tmp_path / "out.yaml").read_text())["version"] == "test-1"
