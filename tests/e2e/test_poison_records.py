"""Poison records over the local system: ten messages on the real ingest queue, one of them
poison, delivered by the poller to the progress function. The nine count, the poison is
dead-lettered at its first delivery with its reason, and nothing is delivered again."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import LocalSystem, event, eventually, new_user
from tests.e2e.test_local_system import consume_all, ingest_drained, profile

pytestmark = pytest.mark.e2e

DEPTH = 100_000


def with_steps(envelope: dict[str, Any], literal: str) -> str:
    """The envelope as JSON text, ``literal`` (raw JSON) as its steps."""
    return json.dumps({**envelope, "payload": {"steps": "@@"}}).replace('"@@"', literal)


def on_the_bus(envelope: str) -> str:
    """The envelope as the upstream rule forwards it from the bus: an EventBridge event."""
    return (
        f'{{"version": "0", "id": "{uuid.uuid4()}", "detail-type": "Questline Event", '
        f'"source": "e2e.upstream", "account": "123456789012", "detail": {envelope}}}'
    )


POISONS = {
    # kind: (body of the poison for this envelope, reason)
    "1e400": (lambda e: with_steps(e, "1e400"), "non-finite-number"),
    "NaN": (lambda e: with_steps(e, "NaN"), "non-finite-number"),
    "Infinity": (lambda e: with_steps(e, "Infinity"), "non-finite-number"),
    "deep nesting": (lambda e: on_the_bus(with_steps(e, "[" * DEPTH + "]" * DEPTH)), "too-deep"),
    "lone surrogate": (
        lambda e: on_the_bus(json.dumps({**e, "payload": {"note": "\udc00"}})),
        "invalid-string",
    ),
}


def send_batch(system: LocalSystem, bodies: list[str]) -> None:
    entries = [{"Id": str(n), "MessageBody": body} for n, body in enumerate(bodies)]
    response = system.aws("sqs").send_message_batch(
        QueueUrl=system.state["ingest_queue_url"], Entries=entries
    )
    assert not response.get("Failed"), response["Failed"]


def standing(system: LocalSystem, user: str) -> tuple[Any, ...]:
    seen = profile(system, user)
    return seen["xp"], seen["level"], seen["points"], seen["achievementsUnlocked"]


@pytest.mark.parametrize("kind", list(POISONS))
def test_a_poison_among_ten_messages_on_the_queue_is_dead_lettered_once_and_the_nine_count(
    local_system, kind
):
    # Given nine good events for a user, and the same nine for a control user with no poison
    make_poison, reason = POISONS[kind]
    user, control = new_user(), new_user()
    goods = [event(user) for _ in range(9)]
    poison = make_poison(event(user))

    # When the user's ten messages (the poison fifth) and the control's nine are dropped on the queue
    send_batch(
        local_system, [json.dumps(e) for e in goods[:4]] + [poison] + [json.dumps(e) for e in goods[4:]]
    )
    send_batch(local_system, [json.dumps({**e, "userId": control, "id": f"{e['id']}-c"}) for e in goods])

    # Then the poison lands on the dead-letter queue saying why: put there by the function at its
    # first delivery (the redrive policy, after five, would carry no reason)
    def dead_lettered() -> dict[str, Any] | None:
        dead = consume_all(local_system, local_system.state["dead_letter_queue_url"])
        return next((m for m in dead if m["Body"] == poison), None)

    attributes = {
        name: value["StringValue"]
        for name, value in eventually(dead_lettered).get("MessageAttributes", {}).items()
    }
    assert attributes.get("reason") == reason
    assert attributes.get("detail")

    # And nothing is left to deliver again, and the nine counted exactly as the control's nine
    eventually(lambda: ingest_drained(local_system))
    assert standing(local_system, user) == standing(local_system, control)
    assert standing(local_system, user)[0] > 0
    assert consume_all(local_system, local_system.state["dead_letter_queue_url"]) == []
