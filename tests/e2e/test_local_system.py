"""The local system end to end: over HTTP as clients use it, and over SQS as upstream systems do."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import pytest

from questline_local.demo import report, run_demo
from tests.e2e.conftest import TRUSTED_AWARD_SOURCE, LocalSystem, event, eventually, new_user

pytestmark = pytest.mark.e2e


def profile(system: LocalSystem, user_id: str) -> dict[str, Any]:
    with system.http("e2e-reader", "service") as client:
        response = client.get(f"/v1/users/{user_id}/profile")
    assert response.status_code == 200, response.text
    return dict(response.json())


def post_events(system: LocalSystem, *events: dict[str, Any]) -> None:
    with system.http("e2e-upstream", "service") as client:
        response = client.post("/v1/events", json={"events": list(events)})
    assert response.status_code == 202, response.text
    assert response.json()["rejected"] == []


def ingest_drained(system: LocalSystem) -> bool:
    """Nothing waiting on the ingest queue and nothing in flight: every batch was handled."""
    attributes = system.aws("sqs").get_queue_attributes(
        QueueUrl=system.state["ingest_queue_url"],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return all(value == "0" for value in attributes.values())


def consume_all(system: LocalSystem, queue_url: str) -> list[dict[str, Any]]:
    """Receive and delete everything on a queue now (its only reader is the test calling)."""
    sqs, messages = system.aws("sqs"), []
    while batch := sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=30, MessageAttributeNames=["All"]
    ).get("Messages", []):
        messages += batch
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
    return messages


def test_an_event_posted_over_http_shows_up_in_the_users_profile(local_system):
    # Given a user with no events yet
    user = new_user()
    assert profile(local_system, user)["xp"] == 0

    # When a service posts an event for them
    post_events(local_system, event(user))

    # Then their profile, read with their own token, shows the XP it earned
    def own_profile() -> dict[str, Any] | None:
        with local_system.http(user) as client:
            body = client.get("/v1/users/me/profile").json()
        return body if body["xp"] > 0 else None

    assert eventually(own_profile)["userId"] == user


def test_an_event_dropped_on_the_ingest_queue_is_counted(local_system):
    # Given a user with no events yet
    user = new_user()

    # When an upstream system drops an event straight on the ingest queue
    local_system.aws("sqs").send_message(
        QueueUrl=local_system.state["ingest_queue_url"], MessageBody=json.dumps(event(user))
    )

    # Then it is counted
    eventually(lambda: profile(local_system, user)["xp"] > 0)


def put_on_bus(
    system: LocalSystem, detail_type: str, detail: dict[str, Any], source: str = "e2e.upstream"
) -> None:
    entry = {"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail)}
    response = system.aws("events").put_events(
        Entries=[{**entry, "EventBusName": system.state["event_bus_name"]}]
    )
    assert response["FailedEntryCount"] == 0


def test_an_event_put_on_the_bus_by_an_upstream_system_is_counted(local_system):
    # Given a user with no events yet
    user = new_user()

    # When an upstream system puts an event on the bus
    put_on_bus(local_system, "Questline Event", event(user))

    # Then the bus rule brings it to the ingest queue, and it is counted
    eventually(lambda: profile(local_system, user)["xp"] > 0)


def award_request(user: str, key: str, xp: int, actor: str = "e2e") -> dict[str, Any]:
    grants = [{"currency": "xp", "amount": xp}]
    return {"userId": user, "actor": actor, "idempotencyKey": key, "grants": grants, "reason": "e2e"}


def test_an_award_requested_on_the_bus_is_granted(local_system):
    # Given a user with no XP
    user = new_user()

    # When another part of the system requests an award for them on the bus
    put_on_bus(local_system, "AwardRequested", award_request(user, "prize-1", 50), source="questline")

    # Then the award function grants it
    eventually(lambda: profile(local_system, user)["xp"] == 50)


def test_an_award_request_forged_by_an_upstream_system_is_not_granted(local_system):
    # Given a user, and an upstream system allowed to put events on the bus
    user = new_user()

    # When it requests 5,000 XP for them as an admin, and then Questline grants them 50
    forged = award_request(user, "forged-1", 5000, actor="totally-an-admin")
    put_on_bus(local_system, "AwardRequested", forged, source="crm.sync")
    put_on_bus(local_system, "AwardRequested", award_request(user, "prize-1", 50), source="questline")

    # Then only Questline's award is granted: the forged one never reached the award function
    eventually(lambda: profile(local_system, user)["xp"] >= 50)
    assert profile(local_system, user)["xp"] == 50


def test_an_award_requested_by_a_trusted_source_is_granted(local_system):
    # Given a user, When the source the system was started to trust requests an award for them
    user = new_user()
    put_on_bus(
        local_system, "AwardRequested", award_request(user, "bonus-1", 70), source=TRUSTED_AWARD_SOURCE
    )

    # Then it is granted
    eventually(lambda: profile(local_system, user)["xp"] == 70)


def test_the_same_event_posted_three_times_counts_once(local_system):
    # Given a user whose one event has been counted
    user = new_user()
    same = event(user)
    post_events(local_system, same)
    once = eventually(lambda: profile(local_system, user)["xp"])

    # When the same event is posted twice more
    post_events(local_system, same)
    post_events(local_system, same)
    eventually(lambda: ingest_drained(local_system))

    # Then the profile is as it was after the first
    assert profile(local_system, user)["xp"] == once


def test_an_invalid_message_on_the_ingest_queue_is_dead_lettered_with_its_reason(local_system):
    # Given a message that can never be an event
    body = f"not json {uuid.uuid4().hex}"

    # When it is dropped on the ingest queue
    local_system.aws("sqs").send_message(QueueUrl=local_system.state["ingest_queue_url"], MessageBody=body)

    # Then it lands on the dead-letter queue, saying why
    def dead_letter() -> dict[str, Any] | None:
        dead = consume_all(local_system, local_system.state["dead_letter_queue_url"])
        return next((m for m in dead if m["Body"] == body), None)

    assert eventually(dead_letter)["MessageAttributes"]["reason"]["StringValue"] == "not-json"


def test_a_user_token_cannot_read_another_users_profile(local_system):
    # Given a user's token, When they ask for someone else's profile
    with local_system.http(new_user()) as client:
        response = client.get(f"/v1/users/{new_user()}/profile")

    # Then they are refused
    assert response.status_code == 403


def test_a_user_token_cannot_post_events(local_system):
    # Given a user's token, When they post an event, even their own
    user = new_user()
    with local_system.http(user) as client:
        response = client.post("/v1/events", json={"events": [event(user)]})

    # Then they are refused
    assert response.status_code == 403


def test_an_unlocked_achievement_reaches_the_bus_tap_exactly_once(local_system):
    # Given a user's first metrics, one of them posted twice, all after one another
    user = new_user()
    first, second = event(user), event(user)
    post_events(local_system, first, second)
    post_events(local_system, first)

    # When every event has been processed
    eventually(lambda: profile(local_system, user)["achievementsUnlocked"] > 0)
    eventually(lambda: ingest_drained(local_system))

    # Then the bus carried each of their unlocks exactly once
    unlocks = Counter(
        domain_event["detail"]["achievementId"]
        for message in consume_all(local_system, local_system.state["bus_tap_url"])
        if (envelope := json.loads(message["Body"]))["detail-type"] == "AchievementUnlocked"
        and (domain_event := envelope["detail"])["userId"] == user
    )
    assert unlocks["first-measurement"] == 1
    assert set(unlocks.values()) == {1}


def test_the_demo_loads_the_system_and_waits_until_every_profile_reflects_its_events(local_system):
    # Given the running system, When the demo posts its events for a few users
    result = run_demo(local_system.api_url, 300, 5, secret=local_system.state["secret"], timeout=30)

    # Then it saw every user's profile reflect them, and says how fast that was
    assert (result.events, result.users) == (300, 5)
    assert "events/s end to end" in report(result)
