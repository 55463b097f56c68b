"""moto with questline_local.moto_speedups behaves exactly as moto without them.

Each comparison runs moto's own implementation and the replacement on identical fresh tables
or queues with the same requests, and compares what they answer, raise and leave behind.
Speed is measured by the benchmark, never here.
"""

from __future__ import annotations

import json
import tomllib
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import jsonpath_ng.ext
import moto
import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.sqs import models as sqs_models
from moto.sqs.models import Queue, SQSBackend

from questline_local import moto_events, moto_query, moto_speedups, moto_sqs
from questline_local.resources import create_resources

ACCOUNT, REGION = "123456789012", "us-east-1"
ROOT = Path(__file__).resolve().parents[2]
SEED_USERS = 30

# Everything moto_speedups replaces, and with what: each test leaves moto as it found it.
REPLACEMENTS = {
    (DynamoDBBackend, "transact_write_items"): moto_speedups.transact_write_items,
    (Table, "query"): moto_query.query,
    (Table, "all_items"): moto_query.all_items,
    (SQSBackend, "delete_message_batch"): moto_sqs.delete_message_batch,
    (SQSBackend, "is_message_valid_based_on_retention_period"): moto_sqs.within_retention,
    (SQSBackend, "send_message"): moto_sqs.send_message,
    (Queue, "attributes"): moto_sqs.queue_attributes,
    (sqs_models, "unix_time_millis"): moto_sqs.unix_time_millis,
    (jsonpath_ng.ext, "parse"): moto_events.parse,
}


@pytest.fixture(autouse=True)
def moto_as_found() -> Iterator[None]:
    saved = [(owner, name, vars(owner)[name]) for owner, name in REPLACEMENTS]
    yield
    for owner, name, value in saved:
        setattr(owner, name, value)


def installed(owner: Any, name: str) -> Any:
    """The function moto calls for ``owner.name`` now (a property's getter)."""
    value = vars(owner)[name]
    return value.fget if isinstance(value, property) else value


def assert_replacements_installed() -> None:
    """What runs is the replacement: a comparison must never compare moto with itself."""
    for (owner, name), replacement in REPLACEMENTS.items():
        assert installed(owner, name) is replacement, name


def assert_moto_own_installed() -> None:
    """What runs is moto's (or jsonpath_ng's) own function, not a copy from questline_local."""
    for (owner, name), replacement in REPLACEMENTS.items():
        own = installed(owner, name)
        assert own is not replacement, name
        assert own.__module__.split(".")[0] in ("moto", "jsonpath_ng"), (name, own.__module__)


def with_moto_own() -> None:
    moto_speedups.uninstall()
    assert_moto_own_installed()


def with_replacements() -> None:
    moto_speedups.install()
    assert_replacements_installed()


@pytest.fixture
def speedup() -> None:
    """The speedups installed for one test."""
    with_replacements()


@pytest.fixture
def backend(aws: None) -> DynamoDBBackend:
    return dynamodb_backends[ACCOUNT][REGION]


def new_table() -> str:
    """A table built from template.yaml, holding profiles and achievements of a few users."""
    name = create_resources(boto3.client, suffix=uuid.uuid4().hex[:8]).table_name
    client = boto3.client("dynamodb")
    for n in range(SEED_USERS):
        for sk, extra in (("PROFILE", {"Xp": {"N": str(n * 10)}}), ("ACH#first", {})):
            item = {"PK": {"S": f"USER#u{n}"}, "SK": {"S": sk}, **extra}
            client.put_item(TableName=name, Item=item)
    return name


def snapshot(backend: DynamoDBBackend, table_name: str) -> list[Any]:
    """Everything a reader could observe: a full scan, plus moto's partitions in their order."""
    scan = boto3.client("dynamodb").scan(TableName=table_name, ConsistentRead=True)["Items"]
    table = backend.tables[table_name]
    partitions = [(h.value, [r.value for r in part]) for h, part in table.items.items()]
    return [sorted(scan, key=lambda i: (i["PK"]["S"], i["SK"]["S"])), partitions]


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def cancelled_mix(table: str) -> list[dict[str, Any]]:
    """Puts, an update, a delete and a condition check that passes, then one that fails."""
    return [
        {"Put": {"TableName": table, "Item": {**key("USER#new", "PROFILE"), "Xp": {"N": "1"}}}},
        {"Put": {"TableName": table, "Item": {**key("USER#u1", "PROFILE"), "Xp": {"N": "999"}}}},
        {
            "Update": {
                "TableName": table,
                "Key": key("USER#u2", "PROFILE"),
                "UpdateExpression": "SET Xp = Xp + :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
        {"Delete": {"TableName": table, "Key": key("USER#u3", "ACH#first")}},
        {"Delete": {"TableName": table, "Key": key("USER#u4", "PROFILE")}},
        {
            "ConditionCheck": {
                "TableName": table,
                "Key": key("USER#u5", "PROFILE"),
                "ConditionExpression": "attribute_exists(PK)",
            }
        },
        {
            "Put": {
                "TableName": table,
                "Item": {**key("USER#u6", "PROFILE"), "Xp": {"N": "0"}},
                "ConditionExpression": "attribute_not_exists(PK)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
        {"Put": {"TableName": table, "Item": {**key("USER#later", "PROFILE"), "Xp": {"N": "2"}}}},
    ]


def twice_on_one_item(table: str) -> list[dict[str, Any]]:
    """A valid put, then two operations on one item: moto refuses the whole request."""
    return [
        {"Put": {"TableName": table, "Item": {**key("USER#new", "PROFILE"), "Xp": {"N": "1"}}}},
        {"Delete": {"TableName": table, "Key": key("USER#u1", "PROFILE")}},
        {
            "ConditionCheck": {
                "TableName": table,
                "Key": key("USER#u1", "PROFILE"),
                "ConditionExpression": "attribute_exists(PK)",
            }
        },
    ]


def missing_range_key(table: str) -> list[dict[str, Any]]:
    """A valid delete, then an update whose key lacks the sort key: a validation error."""
    return [
        {"Delete": {"TableName": table, "Key": key("USER#u1", "PROFILE")}},
        {
            "Update": {
                "TableName": table,
                "Key": {"PK": {"S": "USER#u2"}},
                "UpdateExpression": "SET Xp = :x",
                "ExpressionAttributeValues": {":x": {"N": "5"}},
            }
        },
    ]


def outcome(run: Callable[[], None]) -> tuple[str, Any]:
    """What a transaction raised: its class and, for a cancellation, the reasons as sent."""
    try:
        run()
    except Exception as exc:  # compared as data below
        description = getattr(exc, "description", "")
        reasons = (
            json.loads(description).get("CancellationReasons") if description.startswith("{") else description
        )
        return type(exc).__name__, reasons
    return "ok", None


@pytest.mark.parametrize("transaction", [cancelled_mix, twice_on_one_item, missing_range_key])
def test_a_failed_transaction_raises_and_leaves_the_same_as_moto_does(backend, transaction):
    # Given two identical tables
    tables = new_table(), new_table()
    before = snapshot(backend, tables[0])
    assert snapshot(backend, tables[1]) == before

    # When moto's function runs the transaction on one, and the replacement on the other
    with_moto_own()
    expected = outcome(lambda: backend.transact_write_items(transaction(tables[0])))
    with_replacements()
    actual = outcome(lambda: backend.transact_write_items(transaction(tables[1])))

    # Then they raise the same, with the same reasons, and leave the tables as they were
    assert expected[0] != "ok"
    assert actual == expected
    assert snapshot(backend, tables[1]) == snapshot(backend, tables[0]) == before


def test_cancellation_reasons_report_the_failing_item_with_its_old_attributes(backend, speedup):
    # Given a table where u6 already has a profile
    table = new_table()

    # When a transaction through the API fails only on u6's put
    with pytest.raises(ClientError) as raised:
        boto3.client("dynamodb").transact_write_items(TransactItems=cancelled_mix(table))

    # Then every other item is reported "None", u6's with its old attributes
    reasons = raised.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None"] * 6 + ["ConditionalCheckFailed", "None"]
    assert reasons[6]["Item"] == {**key("USER#u6", "PROFILE"), "Xp": {"N": "60"}}


def test_a_cancelled_transaction_leaves_the_table_exactly_as_before(backend, speedup):
    # Given a table with items
    table = new_table()
    before = snapshot(backend, table)

    # When a transaction of puts, updates and deletes fails on one condition
    with pytest.raises(ClientError, match="TransactionCanceled"):
        boto3.client("dynamodb").transact_write_items(TransactItems=cancelled_mix(table))

    # Then the table is exactly as it was
    assert snapshot(backend, table) == before


def test_a_successful_transaction_applies_every_item(backend, speedup):
    # Given a table with items
    table = new_table()
    client = boto3.client("dynamodb")

    # When a transaction whose conditions all hold is written
    items = cancelled_mix(table)
    items[6]["Put"]["Item"]["PK"] = {"S": "USER#fresh"}
    client.transact_write_items(TransactItems=items)

    # Then every put, update and delete took effect
    def get(pk: str, sk: str) -> dict[str, Any] | None:
        return client.get_item(TableName=table, Key=key(pk, sk), ConsistentRead=True).get("Item")

    assert get("USER#new", "PROFILE")["Xp"] == {"N": "1"}
    assert get("USER#u1", "PROFILE")["Xp"] == {"N": "999"}
    assert get("USER#u2", "PROFILE")["Xp"] == {"N": "21"}
    assert get("USER#u3", "ACH#first") is None
    assert get("USER#u4", "PROFILE") is None
    assert get("USER#fresh", "PROFILE")["Xp"] == {"N": "0"}
    assert get("USER#later", "PROFILE")["Xp"] == {"N": "2"}


def test_install_is_idempotent(speedup):
    # Given the replacement installed, When it is installed again, Then moto's original is kept
    moto_speedups.install()
    assert_replacements_installed()
    assert moto_speedups.original_transact_write_items() is not moto_speedups.transact_write_items

    # And uninstalling puts every one of moto's own functions back
    moto_speedups.uninstall()
    assert_moto_own_installed()
    assert DynamoDBBackend.transact_write_items is moto_speedups.original_transact_write_items()


def test_another_moto_version_is_refused_and_left_as_it_is(monkeypatch):
    # Given a moto other than the one the replacements were copied from
    moto_speedups.uninstall()
    monkeypatch.setattr(moto, "__version__", "5.3.0")

    # When the speedups are installed, Then they refuse, naming the version to install
    with pytest.raises(moto_speedups.UnsupportedMotoVersion, match=r"moto\[server\]==5\.2\.5"):
        moto_speedups.install()
    assert_moto_own_installed()


def test_the_project_pins_the_moto_the_replacements_were_copied_from():
    # moto's internals change between versions: the dev extras allow this one only.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    motos = [r for r in project["optional-dependencies"]["dev"] if r.startswith("moto")]
    assert motos == [f"moto[server]=={moto_speedups.SUPPORTED_MOTO_VERSION}"]
    assert moto.__version__ == moto_speedups.SUPPORTED_MOTO_VERSION


# -- Query: a table query reads only its partition -------------------------------------------


def seed_for_queries() -> str:
    table = new_table()
    client = boto3.client("dynamodb")
    for n in (3, 0, 4, 1, 2):  # inserted out of order, and some due at the same time
        outbox = {**key(f"USER#u{n}", f"OUTBOX#{n}"), "DuePK": {"S": "DUE#1"}, "DueSK": {"S": f"{n % 3}"}}
        client.put_item(TableName=table, Item=outbox)
        client.put_item(TableName=table, Item={**key(f"USER#u{n}", "ACH#second"), "Points": {"N": "5"}})
    return table


QUERIES = {
    "partition": {
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "USER#u1"}},
    },
    "backwards": {
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "USER#u1"}},
        "ScanIndexForward": False,
    },
    "sort key prefix": {
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :ach)",
        "ExpressionAttributeValues": {":pk": {"S": "USER#u2"}, ":ach": {"S": "ACH#"}},
    },
    "pages of one": {
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "USER#u3"}},
        "Limit": 1,
    },
    "filter and projection": {
        "KeyConditionExpression": "PK = :pk",
        "FilterExpression": "attribute_exists(Points)",
        "ProjectionExpression": "SK, Points",
        "ExpressionAttributeValues": {":pk": {"S": "USER#u4"}},
    },
    "missing partition": {
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "USER#nobody"}},
    },
    "index": {
        "IndexName": "DueIndex",
        "KeyConditionExpression": "DuePK = :d",
        "ExpressionAttributeValues": {":d": {"S": "DUE#1"}},
    },
    "index pages, backwards": {
        "IndexName": "DueIndex",
        "KeyConditionExpression": "DuePK = :d AND DueSK <= :upper",
        "ExpressionAttributeValues": {":d": {"S": "DUE#1"}, ":upper": {"S": "3"}},
        "ScanIndexForward": False,
        "Limit": 2,
    },
}


def all_pages(table: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    client, pages, start = boto3.client("dynamodb"), [], None
    while True:
        page = client.query(TableName=table, **params, **({"ExclusiveStartKey": start} if start else {}))
        pages.append({k: page.get(k) for k in ("Items", "Count", "ScannedCount", "LastEvaluatedKey")})
        start = page.get("LastEvaluatedKey")
        if not start:
            return pages


@pytest.mark.parametrize("name", QUERIES)
def test_a_query_answers_as_moto_does(backend, name):
    # Given a table with several partitions, some items indexed
    table = seed_for_queries()
    before = snapshot(backend, table)
    with_moto_own()

    # When the same query runs with moto's implementation, and then with the speedups
    expected = all_pages(table, QUERIES[name])
    with_replacements()
    actual = all_pages(table, QUERIES[name])

    # Then every page is the same, and the query left no trace in the table
    assert actual == expected
    assert snapshot(backend, table) == before


# -- SQS: receive and batch delete ------------------------------------------------------------


def sqs_scenario() -> dict[str, Any]:
    """Send, receive, redeliver and batch-delete on a fresh queue; what a client observes."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    for n in range(3):
        sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{n}-{i}"} for i in range(10)]
        )
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30)["Messages"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"], VisibilityTimeout=0)
    [again] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=30)["Messages"]
    handles = [first[0]["ReceiptHandle"], again["ReceiptHandle"], first[1]["ReceiptHandle"], "not-a-handle"]
    deleted = sqs.delete_message_batch(
        QueueUrl=url, Entries=[{"Id": f"e{i}", "ReceiptHandle": h} for i, h in enumerate(handles)]
    )
    repeated = sqs.delete_message_batch(
        QueueUrl=url, Entries=[{"Id": "again", "ReceiptHandle": first[1]["ReceiptHandle"]}]
    )
    remaining = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30)["Messages"]
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return {
        "redelivered": again["Body"] == first[0]["Body"],
        "deleted": sorted(s["Id"] for s in deleted.get("Successful", [])),
        "failed": [(f["Id"], f["Code"], f["SenderFault"]) for f in deleted.get("Failed", [])],
        "repeated": [s["Id"] for s in repeated.get("Successful", [])],
        "remaining": [m["Body"] for m in remaining],
        "counts": {k: v for k, v in counts.items() if k.startswith("ApproximateNumber")},
    }


def expired_scenario() -> list[Any]:
    """A message older than the queue's retention period is not delivered; a recent one is."""
    sqs = boto3.client("sqs")
    name = f"q-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name, Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": "old", "MessageBody": "old"}, {"Id": "new", "MessageBody": "new"}]
    )
    from moto.sqs.models import sqs_backends

    old = next(m for m in sqs_backends[ACCOUNT][REGION].get_queue(name)._messages if m.body == "old")
    old.sent_timestamp -= 120_000
    # moto stops a receive at the first expired message, then skips it while it is in flight.
    receives = [sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10) for _ in range(2)]
    return [[m["Body"] for m in r.get("Messages", [])] for r in receives]


def fifo_scenario() -> dict[str, Any]:
    """FIFO queues deduplicate by content when told to, else need the sender's id."""
    sqs, observed = boto3.client("sqs"), {}
    for content_based in ("true", "false"):
        url = sqs.create_queue(
            QueueName=f"q-{uuid.uuid4().hex[:8]}.fifo",
            Attributes={"FifoQueue": "true", "ContentBasedDeduplication": content_based},
        )["QueueUrl"]
        outcomes = []
        for body, dedupe in [("same", None), ("same", None), ("other", "d1"), ("other", "d1"), ("x", "d2")]:
            extra = {"MessageDeduplicationId": dedupe} if dedupe else {}
            try:
                sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g", **extra)
                outcomes.append("sent")
            except ClientError as exc:
                outcomes.append(exc.response["Error"]["Code"])
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        counts = {k: v for k, v in attributes.items() if k.startswith("ApproximateNumber")}
        observed[content_based] = {"outcomes": outcomes, "counts": counts}
    return observed


@pytest.mark.parametrize("scenario", [sqs_scenario, expired_scenario, fifo_scenario])
def test_sqs_behaves_as_moto_does(aws, scenario):
    # Given moto's own SQS, When a scenario runs on it and then again with the speedups
    with_moto_own()
    expected = scenario()
    with_replacements()
    actual = scenario()

    # Then a client observes the same
    assert actual == expected


# -- EventBridge: what a rule sends to its targets ------------------------------------------


def bus_scenario() -> list[Any]:
    """Two events through a rule to a queue as they are, and to one through an input transformer."""
    events, sqs = boto3.client("events"), boto3.client("sqs")
    bus = events.create_event_bus(Name=f"bus-{uuid.uuid4().hex[:8]}")["EventBusArn"].split("/")[-1]
    transformer = {"InputPathsMap": {"u": "$.detail.userId"}, "InputTemplate": '{"u": "<u>"}'}
    targets, urls = [], []
    for n, extra in enumerate([{}, {"InputTransformer": transformer}]):
        urls.append(sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}")["QueueUrl"])
        arn = sqs.get_queue_attributes(QueueUrl=urls[-1], AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        targets.append({"Id": str(n), "Arn": arn, **extra})
    events.put_rule(Name="r", EventBusName=bus, EventPattern=json.dumps({"source": ["questline"]}))
    events.put_targets(Rule="r", EventBusName=bus, Targets=targets)
    for user in ("u1", "u2"):
        detail = json.dumps({"userId": user, "detail": {"achievementId": "a"}})
        events.put_events(
            Entries=[{"EventBusName": bus, "Source": "questline", "DetailType": "X", "Detail": detail}]
        )
    received = []
    for url in urls:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]:
            body = json.loads(message["Body"])
            received.append({k: v for k, v in body.items() if k not in ("id", "time")})
    return received


def test_rule_targets_receive_what_moto_sends(aws):
    # Given moto's own EventBridge, When events go through a rule to targets, and again with the speedups
    with_moto_own()
    expected = bus_scenario()
    with_replacements()
    actual = bus_scenario()

    # Then the targets receive the same
    assert actual == expected
    assert len(expected) == 4
