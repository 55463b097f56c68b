"""A poison record never takes anything else with it: through the progress function in-process,
a batch of ten with one poison commits the nine others once, dead-letters the poison at once with
its reason, and asks SQS to retry nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.factories import NOW, TEST_CATALOG_YAML, LambdaContext, event_dict, sqs_event
from tests.integration.bus import dead_letters
from tests.support.functions import load_function

progress = load_function("progress")

# Every good event earns 10 XP flat and 10 XP from its steps: a number that reaches the XP step.
STEPS_XP = TEST_CATALOG_YAML.replace(
    "levels:",
    "  - {id: steps-xp, events: {type: health.metric.recorded}, fromField: {field: steps, factor: 0.1}}\n"
    "levels:",
    1,
)
GOOD_XP = 20
DEPTH = 100_000
POISON_ID = "poison"


@pytest.fixture
def catalog_text() -> str:
    return STEPS_XP


@pytest.fixture(autouse=True)
def use_runtime(runtime, monkeypatch):
    monkeypatch.setattr(progress, "get_runtime", lambda: runtime)
    return runtime


def at(minute: int) -> Any:
    return NOW - timedelta(minutes=30 - minute)


def good(n: int) -> dict[str, Any]:
    return event_dict("u1", id=f"good-{n}", at=at(n), payload={"steps": 100})


def with_literal(literal: str) -> str:
    """The poison's envelope with ``literal`` (raw JSON text) as its steps."""
    raw = json.dumps(event_dict("u1", id=POISON_ID, at=at(5), payload={"steps": "@@"}))
    return raw.replace('"@@"', literal)


def with_note(note: str) -> str:
    return json.dumps(event_dict("u1", id=POISON_ID, at=at(5), payload={"steps": 100, "note": note}))


def on_the_bus(envelope: str) -> str:
    """The envelope as the upstream rule forwards it from the bus: an EventBridge event."""
    return (
        '{"version": "0", "id": "eb-1", "detail-type": "Questline Event", "source": "upstream",'
        f' "account": "123456789012", "time": "2026-11-21T11:55:00Z", "detail": {envelope}}}'
    )


POISONS = {
    # kind: (body, reason, field)
    "1e400": (with_literal("1e400"), "non-finite-number", "payload.steps"),
    "NaN": (with_literal("NaN"), "non-finite-number", "payload.steps"),
    "Infinity": (with_literal("Infinity"), "non-finite-number", "payload.steps"),
    "-Infinity": (with_literal("-Infinity"), "non-finite-number", "payload.steps"),
    "1e16": (with_literal("1e16"), "number-out-of-range", "payload.steps"),
    "deep nesting": (with_literal("[" * DEPTH + "]" * DEPTH), "too-deep", "body"),
    "lone surrogate": (with_note("\udc00"), "invalid-string", "payload.note"),
    "NUL": (with_note("a\u0000b"), "invalid-string", "payload.note"),
}


def handle_batch(poison: str, poison_index: int = 4) -> dict[str, Any]:
    """Nine good events and the poison (the fifth message, in the middle by event time too)."""
    bodies = [json.dumps(good(n)) for n in range(10) if n != 5]
    bodies.insert(poison_index, poison)
    ids = [f"m{n}" for n in range(10)]
    return progress.handler(sqs_event(bodies, message_ids=ids), LambdaContext())


def attributes(message: dict[str, Any]) -> dict[str, str]:
    return {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}


def assert_nine_committed_and_poison_dead_lettered(runtime, result, reason: str, field: str) -> str:
    assert result == {"batchItemFailures": []}  # nothing retried
    state = runtime.users.load("u1")
    assert state.xp == 9 * GOOD_XP
    [dead] = dead_letters(runtime.settings.dead_letter_queue_url)
    attrs = attributes(dead)
    assert (attrs["sourceMessageId"], attrs["reason"], attrs["field"]) == ("m4", reason, field)
    # Delivered again (as SQS would), the nine are duplicates and nothing changes.
    assert handle_batch(json.dumps(good(5))) == {"batchItemFailures": []}
    assert runtime.users.load("u1").xp == state.xp + GOOD_XP
    return attrs["detail"]


@pytest.mark.parametrize("shape", ["envelope", "eventbridge"])
@pytest.mark.parametrize("kind", list(POISONS))
def test_a_poison_in_a_batch_of_ten_is_dead_lettered_with_its_reason_and_the_nine_commit(
    runtime, kind, shape
):
    body, reason, field = POISONS[kind]
    poison = on_the_bus(body) if shape == "eventbridge" else body

    result = handle_batch(poison)

    detail = assert_nine_committed_and_poison_dead_lettered(runtime, result, reason, field)
    assert detail.startswith(f"{field}: ")


def crash_on(monkeypatch, *event_ids: str, error: Exception | None = None) -> None:
    """The XP step raises, for these events only, an exception no retry would cure."""
    from questline.domain import decide

    real_earn = decide.earn

    def earn(step):
        if step.event.id in event_ids:
            raise error or ZeroDivisionError("a bug this event reaches")
        return real_earn(step)

    monkeypatch.setattr(decide, "earn", earn)


def test_an_event_whose_decision_raises_is_isolated_and_dead_lettered_as_unprocessable(runtime, monkeypatch):
    crash_on(monkeypatch, POISON_ID)

    result = handle_batch(json.dumps(event_dict("u1", id=POISON_ID, at=at(5), payload={"steps": 100})))

    detail = assert_nine_committed_and_poison_dead_lettered(runtime, result, "unprocessable", "body")
    assert detail == "body: ZeroDivisionError: a bug this event reaches"


def test_several_crashing_events_of_one_user_are_each_isolated_and_the_rest_commits(runtime, monkeypatch):
    events = [event_dict("u1", id=f"e{n}", at=at(n), payload={"steps": 100}) for n in range(10)]
    crash_on(monkeypatch, "e0", "e6", "e7")
    same_event_again = json.dumps(events[6])

    result = progress.handler(
        sqs_event([json.dumps(e) for e in events] + [same_event_again]), LambdaContext()
    )

    assert result == {"batchItemFailures": []}
    assert runtime.users.load("u1").xp == 7 * GOOD_XP
    dead = [json.loads(m["Body"])["id"] for m in dead_letters(runtime.settings.dead_letter_queue_url)]
    assert sorted(dead) == ["e0", "e6", "e6", "e7"]  # every record of a poison, none retried


def test_events_after_the_poison_are_decided_on_the_state_the_earlier_ones_left(runtime, monkeypatch):
    # The five-metrics achievement needs five events: with the third one poison, the sixth unlocks it.
    crash_on(monkeypatch, "e2")
    bodies = [json.dumps(event_dict("u1", id=f"e{n}", at=at(n), payload={"steps": 100})) for n in range(6)]

    assert progress.handler(sqs_event(bodies), LambdaContext()) == {"batchItemFailures": []}

    state = runtime.users.load("u1")
    assert set(state.unlocked) == {"first-metric", "five-metrics"}
    assert state.xp == 5 * GOOD_XP


def test_an_event_whose_commit_dynamodb_refuses_is_isolated_as_unprocessable(runtime, monkeypatch):
    real_commit = runtime.users.commit

    def refuses_the_poison(request, now):
        if POISON_ID in request.applied_event_ids:
            error = {"Code": "ValidationException", "Message": "Item size has exceeded the maximum"}
            raise ClientError({"Error": error}, "TransactWriteItems")
        return real_commit(request, now)

    monkeypatch.setattr(runtime.users, "commit", refuses_the_poison)

    result = handle_batch(json.dumps(event_dict("u1", id=POISON_ID, at=at(5), payload={"steps": 100})))

    detail = assert_nine_committed_and_poison_dead_lettered(runtime, result, "unprocessable", "body")
    assert detail.startswith("body: ClientError: ")


def test_a_record_the_parser_itself_trips_on_is_dead_lettered_as_unprocessable(runtime, monkeypatch):
    from questline.services import ingest_batch as service

    real_parse = service.parse_queued_event

    def parse(body, bounds):
        if POISON_ID in body:
            raise RecursionError("deep inside the parser")
        return real_parse(body, bounds)

    monkeypatch.setattr(service, "parse_queued_event", parse)

    result = handle_batch(json.dumps(event_dict("u1", id=POISON_ID, at=at(5), payload={"steps": 100})))

    detail = assert_nine_committed_and_poison_dead_lettered(runtime, result, "unprocessable", "body")
    assert detail == "body: RecursionError: deep inside the parser"


@pytest.mark.parametrize(
    "failure",
    [
        ConnectionError("DynamoDB unreachable"),
        TimeoutError("read timed out"),
        ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "GetItem"),
        ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetItem"),
    ],
    ids=["connection", "timeout", "throttling", "access-denied"],
)
def test_a_transient_failure_is_retried_for_its_user_and_nothing_is_dead_lettered(
    runtime, monkeypatch, failure
):
    real_load = runtime.users.load

    def load(user_id):
        if user_id == "u2":
            raise failure
        return real_load(user_id)

    monkeypatch.setattr(runtime.users, "load", load)
    bodies = [json.dumps(event_dict("u1", id="a")), json.dumps(event_dict("u2", id="b"))]

    result = progress.handler(sqs_event(bodies, message_ids=["m-a", "m-b"]), LambdaContext())

    assert result == {"batchItemFailures": [{"itemIdentifier": "m-b"}]}
    assert dead_letters(runtime.settings.dead_letter_queue_url) == []
    assert real_load("u1").xp == 10  # no steps in these events: the flat 10 XP only
