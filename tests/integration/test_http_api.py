"""The HTTP functions in-process: Mangum with real-shaped API Gateway events (claims verified
upstream), and the composed local app with locally verified tokens."""

from __future__ import annotations

import json
import time

import boto3
import pytest

from questline.http.auth import mint_local_token
from questline.services.runtime import Runtime
from tests.factories import LambdaContext, event_dict, sample_event
from tests.support.apps import serving
from tests.support.functions import load_function

ingest = load_function("ingest")
profile = load_function("profile")


@pytest.fixture
def gateway_runtime(settings, clock, monkeypatch) -> Runtime:
    """A runtime behind API Gateway: the JWT authorizer verified the token, the app reads claims."""
    rt = Runtime(settings.model_copy(update={"auth_mode": "apigateway"}), clock=clock)
    serving(ingest.app, rt, monkeypatch)
    serving(profile.app, rt, monkeypatch)
    return rt


@pytest.fixture
def local_runtime(runtime) -> Runtime:
    return runtime


def token(runtime: Runtime, sub: str, *roles: str) -> dict[str, str]:
    secret = runtime.settings.local_jwt_secret
    return {"Authorization": f"Bearer {mint_local_token(secret, sub, list(roles), 600, int(time.time()))}"}


def queued_bodies(queue_url: str) -> list[dict]:
    messages = boto3.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def commit(runtime: Runtime, *events: dict) -> None:
    from questline.services.ingest_batch import InboundRecord, process_batch

    process_batch([InboundRecord(f"m{i}", json.dumps(e)) for i, e in enumerate(events)], runtime)


# -- through API Gateway events (Mangum) ---------------------------------------------------


def test_the_sample_post_enqueues_the_valid_event_and_rejects_the_other(gateway_runtime):
    response = ingest.handler(sample_event("http-post-events.json"), LambdaContext())
    assert response["statusCode"] == 202
    body = json.loads(response["body"])
    assert body["accepted"] == ["evt-http-1"]
    assert body["rejected"][0]["index"] == 1
    assert body["rejected"][0]["errors"][0]["field"] == "events[1].version"
    assert [b["id"] for b in queued_bodies(gateway_runtime.settings.ingest_queue_url)] == ["evt-http-1"]


def test_the_sample_profile_read_resolves_me_from_the_claims(gateway_runtime):
    commit(gateway_runtime, event_dict("user-123", id="e1"))
    response = profile.handler(sample_event("http-get-profile.json"), LambdaContext())
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["xp"] == 10


def test_the_sample_achievement_list_shows_progress(gateway_runtime):
    commit(gateway_runtime, event_dict("user-123", id="e1", payload={"steps": 250}))
    response = profile.handler(sample_event("http-get-achievements.json"), LambdaContext())
    achievements = {a["id"]: a for a in json.loads(response["body"])["achievements"]}
    assert achievements["first-metric"]["unlocked"] is True
    assert achievements["first-metric"]["unlockedByEvent"] == "e1"
    assert (achievements["steps-1000"]["current"], achievements["steps-1000"]["percent"]) == (
        250,
        25.0,
    )


def test_a_user_reading_another_users_profile_gets_403(gateway_runtime):
    response = profile.handler(sample_event("http-get-other-profile.json"), LambdaContext())
    assert response["statusCode"] == 403
    assert json.loads(response["body"])["code"] == "forbidden"


def test_a_request_without_verified_claims_gets_401(gateway_runtime):
    event = sample_event("http-get-profile.json")
    del event["requestContext"]["authorizer"]
    assert profile.handler(event, LambdaContext())["statusCode"] == 401


# -- through the composed local app (locally verified tokens) ------------------------------


def test_a_user_token_cannot_post_events(client, local_runtime):
    response = client.post(
        "/v1/events",
        json={"events": [event_dict("u1")]},
        headers=token(local_runtime, "u1", "user"),
    )
    assert response.status_code == 403


def test_a_service_reads_any_user_and_a_user_reads_themselves(client, local_runtime):
    assert (
        client.get("/v1/users/u1/profile", headers=token(local_runtime, "svc", "service")).status_code == 200
    )
    assert client.get("/v1/users/me/profile", headers=token(local_runtime, "u1")).json()["userId"] == "u1"
    assert client.get("/v1/users/u2/profile", headers=token(local_runtime, "u1")).status_code == 403


def test_a_new_user_has_a_level_one_profile(client, local_runtime):
    body = client.get("/v1/users/me/profile", headers=token(local_runtime, "fresh")).json()
    assert (body["xp"], body["level"], body["xpForNextLevel"], body["achievementsUnlocked"]) == (
        0,
        1,
        30,
        0,
    )


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic dXNlcjpwdw=="}],
)
def test_missing_or_invalid_tokens_get_401(client, headers):
    response = client.get("/v1/users/me/profile", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_a_token_signed_with_another_secret_gets_401(client):
    forged = mint_local_token(
        "another-secret-of-at-least-thirty-two-bytes", "u1", ["admin"], 600, int(time.time())
    )
    assert (
        client.get("/v1/users/me/profile", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    )


def test_malformed_json_gets_400_naming_the_body(client, local_runtime):
    headers = {**token(local_runtime, "svc", "service"), "Content-Type": "application/json"}
    response = client.post("/v1/events", content=b'{"events": [', headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "events"),
        ({"events": []}, "events"),
        ({"events": "x"}, "events"),
        ({"events": [{}], "extra": 1}, "extra"),
    ],
)
def test_a_malformed_batch_gets_422_naming_the_field(client, local_runtime, body, field):
    response = client.post("/v1/events", json=body, headers=token(local_runtime, "svc", "service"))
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_a_batch_with_no_valid_event_gets_422_with_each_problem(client, local_runtime):
    response = client.post(
        "/v1/events",
        json={"events": [{"id": "x"}, 5]},
        headers=token(local_runtime, "svc", "service"),
    )
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert "events[0].type" in fields
    assert "events[1]" in fields


def test_a_batch_over_the_limit_gets_422(client, local_runtime):
    events = [event_dict("u1") for _ in range(local_runtime.settings.max_events_per_request + 1)]
    response = client.post(
        "/v1/events", json={"events": events}, headers=token(local_runtime, "svc", "service")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "events"


def test_point_values_sent_by_a_client_are_rejected(client, local_runtime):
    response = client.post(
        "/v1/events",
        json={"events": [event_dict("u1", xp=1000)]},
        headers=token(local_runtime, "svc", "service"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "events[0].xp"


def test_an_invalid_user_id_in_the_path_gets_422(client, local_runtime):
    response = client.get("/v1/users/bad%20id/profile", headers=token(local_runtime, "svc", "service"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("userId")


def test_the_queue_refusing_events_gets_503_not_500(client, local_runtime, monkeypatch):
    monkeypatch.setattr(local_runtime.queues, "send", lambda url, messages: [m.id for m in messages])
    response = client.post(
        "/v1/events",
        json={"events": [event_dict("u1")]},
        headers=token(local_runtime, "svc", "service"),
    )
    assert response.status_code == 503


def test_the_openapi_document_lists_the_core_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/v1/events",
        "/v1/users/{userId}/profile",
        "/v1/users/{userId}/achievements",
        "/v1/users/{userId}/achievements/{achievementId}",
        "/v1/users/{userId}/awards",
        "/v1/users/{userId}/quests",
        "/v1/users/{userId}/streaks",
        "/v1/achievements",
        "/v1/admin/catalog",
    } <= set(paths)


def test_every_route_states_who_may_call_it(client):
    roles = ("self", "service", "admin", "any authenticated caller", "any caller")
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            assert any(role in operation.get("summary", "") for role in roles), (method, path)
