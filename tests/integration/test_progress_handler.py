"""The progress function in-process: moto for AWS, the real Redis for the score mirror."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from tests.factories import TEST_CATALOG_YAML, LambdaContext, event_dict, sample_event, sqs_event
from tests.integration.bus import BusTap, dead_letters
from tests.support.functions import load_function

progress = load_function("progress")
expiry = load_function("expiry")


@pytest.fixture(autouse=True)
def use_runtime(runtime, monkeypatch):
    """The entry points use the test's runtime (settings from moto resources, test clock)."""
    monkeypatch.setattr(progress, "get_runtime", lambda: runtime)
    monkeypatch.setattr(expiry, "get_runtime", lambda: runtime)
    return runtime


def handle(*bodies: str, message_ids=None):
    return progress.handler(sqs_event(list(bodies), message_ids=message_ids), LambdaContext())


def body(**kwargs) -> str:
    return json.dumps(event_dict(**kwargs))


def test_the_sample_batch_commits_valid_events_and_dead_letters_the_bad_one(runtime):
    result = progress.handler(sample_event("sqs-ingest-batch.json"), LambdaContext())
    assert result == {"batchItemFailures": []}
    state = runtime.users.load("user-123")
    assert state.xp == 10 + 40
    [dead] = dead_letters(runtime.settings.dead_letter_queue_url)
    assert dead["MessageAttributes"]["reason"]["StringValue"] == "unsupported-version"
    assert dead["MessageAttributes"]["field"]["StringValue"] == "version"


def test_permanent_failures_go_to_the_dead_letter_queue_with_their_reason(runtime):
    result = handle(
        "{not json",
        body(user_id="u1", at=runtime.clock() - timedelta(days=60)),
        body(user_id="u1", id="good"),
        message_ids=["bad-json", "too-old", "good"],
    )
    assert result == {"batchItemFailures": []}
    reasons = {
        m["MessageAttributes"]["sourceMessageId"]["StringValue"]: m["MessageAttributes"]["reason"][
            "StringValue"
        ]
        for m in dead_letters(runtime.settings.dead_letter_queue_url)
    }
    assert reasons == {"bad-json": "not-json", "too-old": "too-old"}
    assert runtime.users.load("u1").xp == 10


def test_the_same_event_twice_in_one_batch_counts_once(runtime):
    same = body(user_id="u1", id="e1")
    handle(same, same)
    assert runtime.users.load("u1").xp == 10


def test_a_duplicate_long_after_any_idempotency_window_is_still_a_duplicate(runtime, clock):
    handle(body(user_id="u1", id="e1", at=clock() - timedelta(minutes=1)))
    clock.advance(timedelta(days=7, hours=2))
    result = handle(body(user_id="u1", id="e1", at=clock() - timedelta(days=7)))
    assert result == {"batchItemFailures": []}
    assert runtime.users.load("u1").xp == 10


def test_a_throttled_user_is_retried_alone_and_counted_once(runtime, monkeypatch):
    real_commit = runtime.users.commit

    def throttled_for_u2(request, now):
        if request.state.user_id == "u2":
            raise ClientError(
                {
                    "Error": {
                        "Code": "ProvisionedThroughputExceededException",
                        "Message": "slow down",
                    }
                },
                "TransactWriteItems",
            )
        return real_commit(request, now)

    monkeypatch.setattr(runtime.users, "commit", throttled_for_u2)
    first = handle(body(user_id="u1", id="a"), body(user_id="u2", id="b"), message_ids=["m-a", "m-b"])
    assert first == {"batchItemFailures": [{"itemIdentifier": "m-b"}]}
    monkeypatch.setattr(runtime.users, "commit", real_commit)
    handle(body(user_id="u1", id="a"), body(user_id="u2", id="b"), message_ids=["m-a", "m-b"])
    assert (runtime.users.load("u1").xp, runtime.users.load("u2").xp) == (10, 10)


def test_a_version_conflict_that_keeps_failing_is_retried_not_lost(runtime, monkeypatch):
    from questline.storage.users import VersionConflict

    def always_conflicts(request, now):
        raise VersionConflict(request.state.user_id)

    monkeypatch.setattr(runtime.users, "commit", always_conflicts)
    monkeypatch.setattr("questline.services.write_path._backoff", lambda attempt: None)
    result = handle(body(user_id="u1", id="a"), message_ids=["m-a"])
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-a"}]}
    assert dead_letters(runtime.settings.dead_letter_queue_url) == []


def test_a_record_whose_dead_lettering_fails_is_retried(runtime, monkeypatch):
    monkeypatch.setattr(runtime.queues, "send", lambda url, messages: [m.id for m in messages])
    result = handle("{not json", message_ids=["bad"])
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad"}]}


def test_domain_events_are_published_to_the_bus_with_their_cause(runtime):
    tap = BusTap(runtime.settings.event_bus_name)
    handle(body(user_id="u1", id="first"))
    published = tap.drain()
    assert [(e["detail-type"], e["detail"]["detail"].get("achievementId")) for e in published] == [
        ("AchievementUnlocked", "first-metric")
    ]
    assert published[0]["source"] == "questline"
    assert published[0]["detail"]["causedBy"] == ["first"]


def test_a_crash_between_commit_and_publication_loses_no_domain_event(runtime, clock, monkeypatch):
    tap = BusTap(runtime.settings.event_bus_name)

    def bus_down(events):
        raise ConnectionError("bus unreachable")

    working_publish = runtime.bus.publish
    monkeypatch.setattr(runtime.bus, "publish", bus_down)
    assert handle(body(user_id="u1", id="first")) == {"batchItemFailures": []}
    assert tap.drain() == []
    monkeypatch.setattr(runtime.bus, "publish", working_publish)
    clock.advance(runtime.settings.outbox_grace + timedelta(seconds=1))

    result = expiry.handler(sample_event("schedule-expiry.json"), LambdaContext())

    assert result["published"] == 1
    assert [e["detail-type"] for e in tap.drain()] == ["AchievementUnlocked"]
    assert runtime.users.pending_outbox("u1") == []
    assert expiry.handler(sample_event("schedule-expiry.json"), LambdaContext())["published"] == 0


def test_the_sweep_leaves_outbox_items_still_within_their_grace(runtime, monkeypatch):
    working_publish = runtime.bus.publish
    monkeypatch.setattr(runtime.bus, "publish", lambda events: (_ for _ in ()).throw(ConnectionError()))
    handle(body(user_id="u1", id="first"))
    monkeypatch.setattr(runtime.bus, "publish", working_publish)
    assert expiry.handler(sample_event("schedule-expiry.json"), LambdaContext())["published"] == 0
    assert len(runtime.users.pending_outbox("u1")) == 1


WITH_XP_BOARD = TEST_CATALOG_YAML + "boards: [{id: all-time-xp, title: All-time XP}]\n"


def board_scores(runtime):
    from questline.services.leaderboards.reads import read_top

    page, _ = read_top(runtime, "all-time-xp", None, 100, None)
    return page.source, {e.user_id: e.score for e in page.entries}


@pytest.mark.parametrize("catalog_text", [WITH_XP_BOARD])
def test_redis_mirrors_the_absolute_scores_dynamodb_committed(runtime, catalog_text):
    from questline.services.leaderboards.maintenance import rebuild

    assert rebuild(runtime).ready  # Redis serves reads once rebuilt; afterwards commits keep it current
    handle(body(user_id="u1", id="a"), body(user_id="u1", id="b", type="care.appointment.scheduled"))
    handle(body(user_id="u1", id="a"))  # a duplicate mirrors nothing new
    assert board_scores(runtime) == ("redis", {"u1": 50})


@pytest.mark.parametrize("catalog_text", [WITH_XP_BOARD])
def test_commits_still_happen_when_redis_is_down(runtime, catalog_text):
    runtime.settings = runtime.settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    assert handle(body(user_id="u1", id="a")) == {"batchItemFailures": []}
    assert runtime.users.load("u1").xp == 10
    assert board_scores(runtime) == ("dynamodb", {"u1": 10})


def test_an_event_put_on_the_bus_reaches_the_queue_through_the_upstream_rule_and_counts(runtime):
    import boto3

    from questline_local.resources import load_template

    rule = load_template()["Resources"]["UpstreamEventsRule"]["Properties"]
    queue_arn = boto3.client("sqs").get_queue_attributes(
        QueueUrl=runtime.settings.ingest_queue_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    events = boto3.client("events")
    bus = runtime.settings.event_bus_name
    events.put_rule(Name="upstream", EventBusName=bus, EventPattern=json.dumps(rule["EventPattern"]))
    events.put_targets(Rule="upstream", EventBusName=bus, Targets=[{"Id": "ingest", "Arn": queue_arn}])
    sample = sample_event("eventbridge-upstream-event.json")
    events.put_events(
        Entries=[
            {
                "EventBusName": bus,
                "Source": sample["source"],
                "DetailType": sample["detail-type"],
                "Detail": json.dumps(sample["detail"]),
            }
        ]
    )
    [message] = boto3.client("sqs").receive_message(QueueUrl=runtime.settings.ingest_queue_url)["Messages"]

    assert handle(message["Body"]) == {"batchItemFailures": []}
    assert runtime.users.load("user-123").unlocked.keys() == set()  # no rule in the test catalog
    assert runtime.users.load("user-123").version == 1


MANY_UNLOCKS = "version: many-1\nlevels: {thresholds: [0, 1000]}\nachievements:\n" + "".join(
    f"  - {{id: a{i}, title: A{i}, criteria: {{metric: {{events: {{type: health.metric.recorded}}}}, threshold: 1}}}}\n"
    for i in range(70)
)


@pytest.mark.parametrize("catalog_text", [MANY_UNLOCKS])
def test_a_batch_whose_commit_would_exceed_a_transaction_is_committed_in_parts(runtime, catalog_text):
    # 40 markers + 70 unlocks + profile + outbox > 100 items: the commit splits, nothing is lost.
    result = handle(*(body(user_id="u1", id=f"e{i}") for i in range(40)))
    state = runtime.users.load("u1")
    assert result == {"batchItemFailures": []}
    assert len(state.unlocked) == 70
    assert state.version >= 2
    assert handle(body(user_id="u1", id="e0")) == {"batchItemFailures": []}
    assert runtime.users.load("u1").version == state.version
