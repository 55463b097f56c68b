"""Bad input over HTTP never gets a 500, and every error has the documented body naming what is
at fault: periods at the ends of the calendar, values JSON cannot carry (NaN, infinities, lone
surrogates), bodies that are not UTF-8 or not JSON, unknown routes and methods, and ``me``
where a user id is input."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from pydantic import ValidationError

from questline.http.app import local_app
from questline.models.api import BusAwardRequest
from questline.services.enqueue import enqueue_events
from questline.services.runtime import Runtime
from tests.factories import LambdaContext, event_dict, sample_event
from tests.support.apps import serving
from tests.support.auth import auth
from tests.support.functions import load_function

CATALOG = """
version: http-errors-1
defaultTimeZone: UTC
xp: [{id: xp, events: {type: "*"}, amount: 1}]
levels: {thresholds: [0, 100]}
achievements:
  - {id: first, title: First, criteria: {metric: {events: {type: game.round.won}}, threshold: 1}}
boards:
  - {id: all-xp, title: All-time XP}
  - {id: weekly-xp, title: Weekly XP, period: week}
  - {id: monthly-xp, title: Monthly XP, period: month}
  - {id: daily-tokyo, title: Daily XP in Tokyo, period: day, timeZone: Asia/Tokyo}
  - {id: weekly-la, title: Weekly XP in Los Angeles, period: week, timeZone: America/Los_Angeles}
"""
SERVICE = ("svc", "service")


@pytest.fixture
def catalog_text() -> str:
    return CATALOG


def assert_error(response: Any, status: int, code: str, *fields: str) -> list[dict[str, str]]:
    """The documented error body, exactly its three keys, naming each of ``fields``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"code", "message", "errors"}, body
    assert body["code"] == code, body
    assert isinstance(body["message"], str), body
    assert body["message"], body
    for error in body["errors"]:
        assert set(error) == {"field", "message"}, body
        assert error["message"], body
    named = [e["field"] for e in body["errors"]]
    for field in fields:
        assert field in named, body
    return body["errors"]


def post_events(client, runtime, *events: Any) -> Any:
    return client.post("/v1/events", json={"events": list(events)}, headers=auth(runtime, *SERVICE))


def post_raw(client, runtime, path: str, content: bytes, content_type: str | None = "application/json"):
    headers = auth(runtime, "ops", "admin")
    if content_type is not None:
        headers["Content-Type"] = content_type
    return client.post(path, content=content, headers=headers)


def queued(runtime) -> list[dict]:
    url = runtime.settings.ingest_queue_url
    messages = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def award(**overrides: Any) -> dict[str, Any]:
    return {"idempotencyKey": "k1", "grants": [{"currency": "xp", "amount": 5}], "reason": "r", **overrides}


# -- periods at the ends of the calendar ---------------------------------------------------

EDGE_PERIODS = [
    ("weekly-xp", "0001-01-01"),
    ("weekly-xp", "9999-12-31"),
    ("weekly-la", "0001-01-01"),
    ("weekly-la", "9999-12-31"),
    ("daily-tokyo", "0001-01-01"),
    ("daily-tokyo", "9999-12-31"),
    ("monthly-xp", "0001-01"),
    ("monthly-xp", "0001-01-01"),
    ("monthly-xp", "9999-12"),
]
MALFORMED_PERIODS = ["2026-13-01", "2026-02-30", "0000-01-01", "10000-01-01", "abc", "2026-11-16T00", "all"]


def board_reads(board: str, period: str) -> list[tuple[str, dict[str, str]]]:
    return [
        (f"/v1/leaderboards/{board}", {"period": period}),
        (f"/v1/leaderboards/{board}/users/me", {"period": period}),
        (f"/v1/leaderboards/{board}/friends", {"period": period, "userIds": "ana,bo"}),
    ]


# One test each (not one per case): every case is a few cheap reads on the same fixtures.
def test_a_period_at_either_end_of_the_calendar_is_a_422_naming_period(client, runtime):
    for board, period in EDGE_PERIODS:
        for path, params in board_reads(board, period):
            response = client.get(path, params=params, headers=auth(runtime, "ana"))
            assert_error(response, 422, "rejected", "period")


def test_a_malformed_period_is_a_422_naming_period(client, runtime):
    for period in MALFORMED_PERIODS:
        for board in ("weekly-xp", "monthly-xp"):
            for path, params in board_reads(board, period):
                response = client.get(path, params=params, headers=auth(runtime, "ana"))
                assert_error(response, 422, "rejected", "period")


def test_a_long_period_is_a_422_naming_period_too(client, runtime):
    response = client.get(
        "/v1/leaderboards/weekly-xp", params={"period": "x" * 17}, headers=auth(runtime, "ana")
    )
    assert_error(response, 422, "validation_error", "period")


def test_an_early_period_the_calendar_can_hold_is_an_empty_closed_page(client, runtime):
    response = client.get(
        "/v1/leaderboards/weekly-xp", params={"period": "0001-01-10"}, headers=auth(runtime, "ana")
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["period"]["key"], body["period"]["status"], body["entries"]) == ("0001-01-08", "closed", [])


def test_a_cursor_holding_an_infinite_number_is_a_422_naming_cursor(client, runtime):
    text = '{"d":"2026-11-16","p":1e400,"k":"x","r":1,"b":0}'
    cursor = base64.urlsafe_b64encode(text.encode()).decode()
    response = client.get(
        "/v1/leaderboards/weekly-xp", params={"cursor": cursor}, headers=auth(runtime, "ana")
    )
    assert_error(response, 422, "rejected", "cursor")


# -- values JSON cannot carry ----------------------------------------------------------------


NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1.5e309"]


def test_non_finite_numbers_in_an_event_are_a_422_naming_the_field(client, runtime):
    for literal in NON_FINITE:
        body = json.dumps({"events": [event_dict("ana", payload={"steps": 0})]})
        response = post_raw(
            client, runtime, "/v1/events", body.replace('"steps": 0', f'"steps": {literal}').encode()
        )
        assert_error(response, 422, "validation_error", "events[0].payload.steps")
    assert queued(runtime) == []


def test_non_finite_numbers_in_an_award_are_a_422_naming_the_field(client, runtime):
    for literal in NON_FINITE:
        body = json.dumps(award()).replace('"amount": 5', f'"amount": {literal}')
        response = post_raw(client, runtime, "/v1/users/ana/awards", body.encode())
        assert_error(response, 422, "validation_error", "grants[0].amount")


def test_every_refused_value_is_named_in_document_order(client, runtime):
    events = [event_dict("ana", payload={"a": 0, "b": [1, 2]}) for _ in range(2)]
    text = json.dumps({"events": events}).replace('"a": 0', '"a": NaN').replace("[1, 2]", "[1, Infinity]")
    errors = assert_error(post_raw(client, runtime, "/v1/events", text.encode()), 422, "validation_error")
    assert [e["field"] for e in errors] == [
        "events[0].payload.a",
        "events[0].payload.b[1]",
        "events[1].payload.a",
        "events[1].payload.b[1]",
    ]


def test_past_twenty_refused_values_the_rest_are_counted(client, runtime):
    text = json.dumps({"events": [event_dict("ana", payload={"n": [0] * 30})]}).replace("0, ", "NaN, ")
    errors = assert_error(post_raw(client, runtime, "/v1/events", text.encode()), 422, "validation_error")
    assert [e["field"] for e in errors[:2]] == ["events[0].payload.n[0]", "events[0].payload.n[1]"]
    assert len(errors) == 21
    assert errors[-1] == {"field": "body", "message": "and 9 more such values"}


def test_a_lone_surrogate_in_an_event_is_a_422_naming_the_field(client, runtime):
    text = json.dumps({"events": [event_dict("ana", payload={"note": "\udc00"})]})
    assert '"\\udc00"' in text  # sent as the escape, the only way JSON text can hold one
    response = post_raw(client, runtime, "/v1/events", text.encode())
    assert_error(response, 422, "validation_error", "events[0].payload.note")
    assert queued(runtime) == []


def test_a_lone_surrogate_in_a_key_names_the_object_holding_it(client, runtime):
    text = json.dumps({"events": [event_dict("ana", payload={"\ud800": 1})]})
    response = post_raw(client, runtime, "/v1/events", text.encode())
    assert_error(response, 422, "validation_error", "events[0].payload")


def test_a_surrogate_pair_escape_is_a_character_and_accepted(client, runtime):
    text = json.dumps({"events": [event_dict("ana", payload={"note": "\U0001f600"})]}, ensure_ascii=True)
    assert "\\ud83d\\ude00" in text
    response = post_raw(client, runtime, "/v1/events", text.encode())
    assert response.status_code == 202
    assert queued(runtime)[0]["payload"] == {"note": "\U0001f600"}


def test_a_lone_surrogate_in_an_award_is_a_422_naming_the_field(client, runtime):
    text = json.dumps(award(reason="\udc00"))
    response = post_raw(client, runtime, "/v1/users/ana/awards", text.encode())
    assert_error(response, 422, "validation_error", "reason")


def test_an_integer_with_too_many_digits_is_a_422_naming_the_field(client, runtime):
    text = json.dumps(award()).replace('"amount": 5', f'"amount": {"9" * 5000}')
    response = post_raw(client, runtime, "/v1/users/ana/awards", text.encode())
    assert_error(response, 422, "validation_error", "grants[0].amount")


def test_a_body_nested_deeper_than_the_parser_goes_is_a_422_naming_the_body(client, runtime):
    text = '{"events": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = post_raw(client, runtime, "/v1/events", text.encode())
    assert_error(response, 422, "validation_error", "body")


def test_enqueueing_an_event_json_cannot_write_rejects_it_rather_than_failing(runtime):
    result = enqueue_events(
        [event_dict("ana", id="bad", payload={"note": "\udc00"}), event_dict("bo")], runtime
    )
    assert [r.index for r in result.rejected] == [0]
    assert result.rejected[0].errors[0].field.startswith("events[0]")
    assert len(result.accepted) == 1
    assert [b["userId"] for b in queued(runtime)] == ["bo"]


# -- bodies that are not UTF-8 or not JSON ---------------------------------------------------


def test_behind_api_gateway_the_same_gate_refuses_bodies(settings, clock, monkeypatch):
    """The ingest function (Mangum, claims verified upstream) refuses what the local app does."""
    rt = Runtime(settings.model_copy(update={"auth_mode": "apigateway"}), clock=clock)
    ingest = load_function("ingest")
    serving(ingest.app, rt, monkeypatch)
    cases = [
        (b"\xff", 400, "body"),
        (b'{"events": [{"payload": {"x": NaN}}]}', 422, "events[0].payload.x"),
        (b'{"events": [{"payload": {"x": "\\udc00"}}]}', 422, "events[0].payload.x"),
    ]
    for body, status, field in cases:
        event = sample_event("http-post-events.json")
        event.update(body=base64.b64encode(body).decode(), isBase64Encoded=True)
        response = ingest.handler(event, LambdaContext())
        assert response["statusCode"] == status, response
        errors = json.loads(response["body"])["errors"]
        assert [e["field"] for e in errors] == [field]


def test_a_body_that_is_not_utf8_is_a_400_naming_the_body(client, runtime):
    paths = [
        "/v1/events",
        "/v1/users/ana/awards",
        "/v1/admin/catalog/validate",
        "/v1/users/ana/quests/q/start",
    ]
    for path in paths:
        response = post_raw(client, runtime, path, b'{"events": ["\xff\xfe"]}')
        errors = assert_error(response, 400, "malformed_json", "body")
        assert "0xff" in errors[0]["message"]


def test_a_yaml_catalog_that_is_not_utf8_is_a_400_naming_the_body(client, runtime):
    response = post_raw(client, runtime, "/v1/admin/catalog/validate", b"version: \xff\n", "application/yaml")
    assert_error(response, 400, "malformed_yaml", "body")


def test_a_json_catalog_holding_nan_is_a_422_naming_the_field(client, runtime):
    response = post_raw(client, runtime, "/v1/admin/catalog/validate", b'{"version": "v", "levels": NaN}')
    assert_error(response, 422, "validation_error", "levels")


NOT_JSON_TYPES = [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]


def test_non_json_without_a_json_content_type_is_a_400_malformed_json(client, runtime):
    for content_type in NOT_JSON_TYPES:
        response = post_raw(client, runtime, "/v1/events", b"events=1", content_type)
        errors = assert_error(response, 400, "malformed_json", "body")
        assert "malformed JSON" in errors[0]["message"]


def test_json_without_a_json_content_type_is_read_as_json(client, runtime):
    for index, content_type in enumerate(NOT_JSON_TYPES):
        body = json.dumps({"events": [event_dict("ana", id=f"plain-{index}")]}).encode()
        response = post_raw(client, runtime, "/v1/events", body, content_type)
        assert response.status_code == 202, (content_type, response.text)
        assert response.json()["accepted"] == [f"plain-{index}"]


def test_a_missing_body_is_a_422_naming_the_body(client, runtime):
    response = post_raw(client, runtime, "/v1/events", b"")
    errors = assert_error(response, 422, "validation_error", "body")
    assert errors[0]["message"] == "a JSON body is required"


def test_query_and_path_errors_name_the_parameter_as_written(client, runtime):
    response = client.get("/v1/leaderboards/weekly-xp", params={"limit": 0}, headers=auth(runtime, "ana"))
    assert_error(response, 422, "validation_error", "limit")
    response = client.get("/v1/leaderboards/-x", headers=auth(runtime, "ana"))
    assert_error(response, 422, "validation_error", "boardId")


# -- routes and methods ----------------------------------------------------------------------


def test_an_unknown_route_is_a_404_in_the_documented_body(client, runtime):
    response = client.get("/v1/nowhere", headers=auth(runtime, "ana"))
    assert_error(response, 404, "not_found")
    assert "/v1/nowhere" in response.json()["message"]


def test_an_unknown_route_with_a_bad_body_is_still_a_404(client, runtime):
    assert_error(post_raw(client, runtime, "/v1/nowhere", b"\xff"), 404, "not_found")


def test_a_method_the_route_does_not_take_is_a_405_in_the_documented_body(client, runtime):
    response = client.delete("/v1/events", headers=auth(runtime, *SERVICE))
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST"
    assert "POST" in response.json()["message"]


def test_an_unexpected_failure_is_a_500_in_the_documented_body(runtime, monkeypatch):
    def broken(*args: Any) -> None:
        raise RuntimeError("a bug, with secrets in its message")

    monkeypatch.setattr("questline.http.routers.leaderboards.list_boards", broken)
    client = TestClient(serving(local_app(), runtime, monkeypatch), raise_server_exceptions=False)
    response = client.get("/v1/leaderboards", headers=auth(runtime, "ana"))
    assert_error(response, 500, "internal_error")
    assert "secrets" not in response.text


# -- "me" is no user id ----------------------------------------------------------------------


def test_an_event_for_me_is_a_422_naming_user_id(client, runtime):
    response = post_events(client, runtime, event_dict("me"))
    assert_error(response, 422, "rejected", "events[0].userId")
    assert queued(runtime) == []


def test_an_event_for_me_beside_a_valid_one_is_rejected_alone(client, runtime):
    response = post_events(client, runtime, event_dict("me", id="mine"), event_dict("ana", id="ok"))
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == ["ok"]
    assert [(r["id"], r["errors"][0]["field"]) for r in body["rejected"]] == [("mine", "events[0].userId")]


def test_an_award_to_me_is_a_422_naming_user_id(client, runtime):
    response = client.post("/v1/users/me/awards", json=award(), headers=auth(runtime, *SERVICE))
    assert_error(response, 422, "validation_error", "userId")


def test_excluding_me_from_the_boards_is_a_422_naming_user_id(client, runtime):
    admin = auth(runtime, "ops", "admin")
    response = client.put("/v1/admin/leaderboards/exclusions/me", json={"reason": "r"}, headers=admin)
    assert_error(response, 422, "validation_error", "userId")
    response = client.delete("/v1/admin/leaderboards/exclusions/me", headers=admin)
    assert_error(response, 422, "validation_error", "userId")


def test_me_among_friends_is_a_422_naming_user_ids(client, runtime):
    response = client.get(
        "/v1/leaderboards/weekly-xp/friends", params={"userIds": "ana,me"}, headers=auth(runtime, "ana")
    )
    assert_error(response, 422, "rejected", "userIds")


def test_a_bus_award_request_for_me_is_refused_naming_user_id():
    with pytest.raises(ValidationError) as caught:
        BusAwardRequest.model_validate({**award(), "userId": "me", "actor": "prizes"})
    assert [e["loc"] for e in caught.value.errors()] == [("userId",)]


def test_me_still_names_the_caller_where_a_user_is_read(client, runtime):
    response = client.get("/v1/leaderboards/weekly-xp/users/me", headers=auth(runtime, "ana"))
    assert response.status_code == 200
    assert client.get("/v1/users/me/profile", headers=auth(runtime, "ana")).json()["userId"] == "ana"


def test_yaml_sent_to_a_route_that_takes_json_is_a_415_naming_the_body(client, runtime):
    response = post_raw(client, runtime, "/v1/events", b"events: []\n", "application/yaml")
    errors = assert_error(response, 415, "unsupported_media_type", "body")
    assert "application/yaml" in errors[0]["message"]


def test_a_bad_body_on_a_method_the_route_does_not_take_is_still_a_405(client, runtime):
    response = client.put("/v1/events", content=b"\xff", headers=auth(runtime, *SERVICE))
    assert_error(response, 405, "method_not_allowed")


# -- whatever arrives: never a 500, always the documented body -------------------------------

LEAVES = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "-0",
    "1",
    "1.5",
    "null",
    "true",
    '"ok"',
    '"\\udc00"',
    '"\\ud83d\\ude00"',
]
json_text = st.recursive(
    st.sampled_from(LEAVES) | st.text(max_size=8).map(json.dumps),
    lambda inner: (
        st.lists(inner, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]")
        | st.dictionaries(
            st.sampled_from(['"a"', '"events"', '"\\udfff"', '"grants"']), inner, max_size=3
        ).map(lambda d: "{" + ",".join(f"{k}:{v}" for k, v in d.items()) + "}")
    ),
    max_leaves=12,
)
bodies = json_text.map(str.encode) | st.binary(max_size=24) | json_text.map(lambda t: t.encode("utf-16"))
BODY_ROUTES = [
    ("POST", "/v1/events"),
    ("POST", "/v1/users/ana/awards"),
    ("POST", "/v1/admin/catalog/validate"),
    ("PUT", "/v1/admin/leaderboards/exclusions/ana"),
    ("POST", "/v1/users/ana/quests/q/start"),
]


def assert_never_a_500(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_error(response, response.status_code, response.json()["code"])


@given(
    body=bodies, content_type=st.sampled_from([None, "application/json", "text/plain", "application/yaml"])
)
@examples(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_body_gets_a_500_on_any_route(client, runtime, body, content_type):
    headers = auth(runtime, "ops", "admin") | ({"Content-Type": content_type} if content_type else {})
    for method, path in BODY_ROUTES:
        assert_never_a_500(client.request(method, path, content=body, headers=headers))


@given(
    period=st.text(max_size=16)
    | st.dates().map(date.isoformat)
    | st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}"),
    board=st.sampled_from(["weekly-xp", "monthly-xp", "daily-tokyo", "weekly-la", "all-xp"]),
)
@examples(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_period_gets_a_500_on_any_board_read(client, runtime, period, board):
    for path, params in board_reads(board, period):
        assert_never_a_500(client.get(path, params=params, headers=auth(runtime, "ana")))
