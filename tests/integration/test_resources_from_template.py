"""create_resources builds, on moto, the table, queues and bus that template.yaml declares."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from questline_local.resources import LocalResources, create_resources, load_template

REGION = "us-east-1"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.Session]:
    """A boto3 session on in-process moto, with fake credentials so nothing can reach AWS."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.Session(region_name=REGION)


@pytest.fixture
def resources(session: boto3.Session, template: dict[str, Any]) -> LocalResources:
    return create_resources(session.client, suffix="test", template=template)


def table_properties(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]["Table"]["Properties"]


def test_given_template_when_created_then_table_key_schema_matches(session, resources, template) -> None:
    table = session.client("dynamodb").describe_table(TableName=resources.table_name)["Table"]

    assert table["KeySchema"] == table_properties(template)["KeySchema"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_given_template_when_created_then_every_index_matches(session, resources, template) -> None:
    table = session.client("dynamodb").describe_table(TableName=resources.table_name)["Table"]
    expected = {i["IndexName"]: i for i in table_properties(template)["GlobalSecondaryIndexes"]}

    created = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}

    assert "DueIndex" in created
    assert created.keys() == expected.keys()
    for name, index in created.items():
        assert index["KeySchema"] == expected[name]["KeySchema"]
        assert index["Projection"] == expected[name]["Projection"]


def test_given_template_when_created_then_ttl_is_enabled_on_expires_at(session, resources) -> None:
    ttl = session.client("dynamodb").describe_time_to_live(TableName=resources.table_name)

    assert ttl["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "ExpiresAt",
    }


def test_given_template_when_created_then_point_in_time_recovery_is_enabled(session, resources) -> None:
    backups = session.client("dynamodb").describe_continuous_backups(TableName=resources.table_name)[
        "ContinuousBackupsDescription"
    ]

    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_given_template_when_created_then_ingest_queue_has_the_template_timeouts(
    session, resources, template
) -> None:
    expected = template["Resources"]["IngestQueue"]["Properties"]

    attributes = session.client("sqs").get_queue_attributes(
        QueueUrl=resources.ingest_queue_url, AttributeNames=["All"]
    )["Attributes"]

    assert int(attributes["VisibilityTimeout"]) == expected["VisibilityTimeout"]
    assert int(attributes["MessageRetentionPeriod"]) == expected["MessageRetentionPeriod"]


def test_given_a_message_received_max_receive_count_times_then_it_moves_to_the_dead_letters(
    session, resources, template
) -> None:
    sqs = session.client("sqs")
    max_receives = template["Resources"]["IngestQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"]
    sqs.send_message(QueueUrl=resources.ingest_queue_url, MessageBody='{"id": "e-1"}')

    # VisibilityTimeout=0 makes each receive an immediate, failed delivery.
    receipts = [
        sqs.receive_message(QueueUrl=resources.ingest_queue_url, VisibilityTimeout=0).get("Messages", [])
        for _ in range(max_receives + 1)
    ]

    assert [len(messages) for messages in receipts] == [1] * max_receives + [0]
    dead = sqs.receive_message(QueueUrl=resources.dead_letter_queue_url)["Messages"]
    assert [message["Body"] for message in dead] == ['{"id": "e-1"}']


def test_given_template_when_created_then_the_schedule_dead_letter_queue_exists(session, resources) -> None:
    attributes = session.client("sqs").get_queue_attributes(
        QueueUrl=resources.schedule_dead_letter_queue_url, AttributeNames=["QueueArn"]
    )["Attributes"]

    assert attributes["QueueArn"].endswith(":questline-test-ScheduleDeadLetterQueue")


def test_given_template_when_created_then_the_event_bus_exists(session, resources) -> None:
    bus = session.client("events").describe_event_bus(Name=resources.event_bus_name)

    assert bus["Name"] == "questline-test"


def test_given_resources_then_env_names_what_the_functions_read(resources) -> None:
    assert resources.env() == {
        "TABLE_NAME": resources.table_name,
        "INGEST_QUEUE_URL": resources.ingest_queue_url,
        "DEAD_LETTER_QUEUE_URL": resources.dead_letter_queue_url,
        "EVENT_BUS_NAME": resources.event_bus_name,
    }


def test_given_two_suffixes_then_resources_do_not_collide(session, template) -> None:
    first = create_resources(session.client, suffix="a", template=template)
    second = create_resources(session.client, suffix="b", template=template)

    assert first.table_name != second.table_name
    assert first.ingest_queue_url != second.ingest_queue_url


def test_given_a_redrive_target_it_cannot_resolve_then_creation_fails_loudly(session, template) -> None:
    broken = copy.deepcopy(template)
    redrive = broken["Resources"]["IngestQueue"]["Properties"]["RedrivePolicy"]
    redrive["deadLetterTargetArn"] = {"Ref": "SomeParameter"}

    with pytest.raises(ValueError, match="deadLetterTargetArn"):
        create_resources(session.client, suffix="broken", template=broken)


def test_given_an_unknown_queue_property_then_creation_fails_loudly(session, template) -> None:
    broken = copy.deepcopy(template)
    broken["Resources"]["IngestQueue"]["Properties"]["KmsMasterKeyId"] = "alias/aws/sqs"

    with pytest.raises(ValueError, match="KmsMasterKeyId"):
        create_resources(session.client, suffix="broken", template=broken)
