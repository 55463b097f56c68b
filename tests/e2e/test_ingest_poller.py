"""The local system's stand-in for Lambda's SQS event source mapping, driven step by step
against moto in process, with a recording function in place of the progress function."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from questline_local.poller import PollerSettings, QueuePoller
from questline_local.resources import LocalResources

pytestmark = pytest.mark.e2e


class RecordingFunction:
    """Reports the records whose body is "fail" as failed; raises when told to."""

    def __init__(self, raises: bool = False) -> None:
        self.raises = raises
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        if self.raises:
            raise RuntimeError("the function failed")
        failed = [r["messageId"] for r in event["Records"] if r["body"] == "fail"]
        return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}


def poller_for(resources: LocalResources, function: RecordingFunction) -> QueuePoller:
    sqs = boto3.client("sqs")
    settings = PollerSettings(batch_size=100, batching_window=0.1, retry_delay=0)
    return QueuePoller(sqs, resources.ingest_queue_url, queue_arn(resources), function, settings=settings)


def queue_arn(resources: LocalResources) -> str:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=resources.ingest_queue_url, AttributeNames=["QueueArn"]
    )
    return str(attributes["Attributes"]["QueueArn"])


def send(resources: LocalResources, *bodies: str) -> None:
    attributes = {"source": {"DataType": "String", "StringValue": "t"}}
    entries = [
        {"Id": str(n), "MessageBody": body, "MessageAttributes": attributes} for n, body in enumerate(bodies)
    ]
    boto3.client("sqs").send_message_batch(QueueUrl=resources.ingest_queue_url, Entries=entries)


def bodies_on(queue_url: str) -> list[str]:
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return sorted(m["Body"] for m in messages.get("Messages", []))


def max_receive_count() -> int:
    from questline_local.resources import INGEST_QUEUE_ID, load_template

    policy = load_template()["Resources"][INGEST_QUEUE_ID]["Properties"]["RedrivePolicy"]
    return int(policy["maxReceiveCount"])


def test_the_function_gets_a_real_shaped_sqs_event(resources):
    # Given a message on the ingest queue
    function = RecordingFunction()
    send(resources, json.dumps({"hello": "world"}))

    # When the poller delivers a batch
    poller = poller_for(resources, function)
    poller.deliver(poller.collect())

    # Then the function saw the record as Lambda shapes it
    [record] = function.events[0]["Records"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == queue_arn(resources)
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["source"] == {
        "stringValue": "t",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert {"messageId", "receiptHandle", "body", "md5OfBody", "awsRegion"} <= record.keys()


def test_successes_are_deleted_and_reported_failures_are_dead_lettered_by_the_redrive_policy(resources):
    # Given a batch with one record the function keeps failing
    function = RecordingFunction()
    send(resources, "ok-1", "fail", "ok-2")
    poller = poller_for(resources, function)

    # When the poller delivers until the queue is empty
    deliveries = 0
    while batch := poller.collect():
        poller.deliver(batch)
        deliveries += 1

    # Then the successes went once, the failure maxReceiveCount times, then to the dead letters
    assert deliveries == max_receive_count()
    assert bodies_on(resources.dead_letter_queue_url) == ["fail"]


def test_when_the_function_raises_nothing_is_deleted(resources):
    # Given messages, and a function that raises
    send(resources, "a", "b")
    poller = poller_for(resources, RecordingFunction(raises=True))

    # When the poller delivers a batch
    poller.deliver(poller.collect())

    # Then every message is back on the queue
    assert bodies_on(resources.ingest_queue_url) == ["a", "b"]
