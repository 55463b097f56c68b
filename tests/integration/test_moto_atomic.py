"""questline_local.moto_atomic: one DynamoDB request at a time in moto, as atomic as DynamoDB's.

A request that needs the lock while the test holds it must wait: that is what keeps another
thread's request out of a transaction between its condition checks and its writes. The
concurrent awards in test_awards.py and tests/e2e show what the lock is for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto.dynamodb.responses import DynamoHandler

from questline_local import moto_atomic, moto_speedups
from questline_local.aws_local import FAKE_CREDENTIALS, start_aws

KEY = {"PK": {"S": "USER#u1"}, "SK": {"S": "PROFILE"}}

REQUESTS: dict[str, Callable[[Any, str], Any]] = {
    "conditional PutItem": lambda db, table: db.put_item(
        TableName=table, Item={**KEY, "Xp": {"N": "1"}}, ConditionExpression="attribute_not_exists(PK)"
    ),
    "UpdateItem ADD": lambda db, table: db.update_item(
        TableName=table,
        Key=KEY,
        UpdateExpression="ADD Xp :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    ),
    "TransactWriteItems": lambda db, table: db.transact_write_items(
        TransactItems=[{"Put": {"TableName": table, "Item": {**KEY, "Xp": {"N": "1"}}}}]
    ),
    "GetItem": lambda db, table: db.get_item(TableName=table, Key=KEY, ConsistentRead=True),
}


def runs_while_locked(request: Callable[[], Any]) -> tuple[bool, bool]:
    """Start ``request`` on another thread while holding the lock, then release it.
    Returns (finished while the lock was held, finished after it was released)."""
    done = threading.Event()
    errors: list[BaseException] = []

    def call() -> None:
        try:
            request()
        except BaseException as exc:  # reported below, not lost on the thread
            errors.append(exc)
        done.set()

    with moto_atomic.REQUEST_LOCK:
        thread = threading.Thread(target=call)
        thread.start()
        while_held = done.wait(0.5)
    after = done.wait(10)
    thread.join(10)
    assert errors == []
    return while_held, after


@pytest.mark.parametrize("name", REQUESTS)
def test_a_dynamodb_request_waits_for_the_one_in_progress(resources, atomic_dynamodb, name):
    # Given a request in progress (the lock held), When another DynamoDB request arrives
    db = boto3.client("dynamodb")
    while_held, after = runs_while_locked(lambda: REQUESTS[name](db, resources.table_name))

    # Then it is handled only once the first is done
    assert (while_held, after) == (False, True)


def test_without_the_lock_moto_handles_requests_side_by_side(resources):
    # Given moto's own handler, Then a request does not wait for the lock (the control case)
    moto_atomic.uninstall()
    assert DynamoHandler.call_action is not moto_atomic.call_action
    db = boto3.client("dynamodb")
    assert runs_while_locked(lambda: REQUESTS["TransactWriteItems"](db, resources.table_name)) == (True, True)


def test_install_is_idempotent_and_uninstall_puts_motos_handler_back():
    original = (
        DynamoHandler.call_action.moto_original if moto_atomic.installed() else DynamoHandler.call_action
    )
    try:
        moto_atomic.install()
        moto_atomic.install()
        assert DynamoHandler.call_action is moto_atomic.call_action
        assert moto_atomic.call_action.moto_original is original  # type: ignore[attr-defined]
        moto_atomic.uninstall()
        assert DynamoHandler.call_action is original
    finally:
        moto_atomic.uninstall()


@pytest.fixture
def restored_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """start_aws sets the process's AWS variables and installs moto's local patches: undo both."""
    for name in (*FAKE_CREDENTIALS, "AWS_ENDPOINT_URL"):
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)
    yield
    moto_speedups.uninstall()
    moto_atomic.uninstall()


@pytest.mark.parametrize("over_http", [False, True], ids=["in process", "over HTTP"])
def test_the_local_system_makes_dynamodb_requests_atomic(restored_environment, over_http):
    # Given moto's own handler, When the local system starts its AWS (in process or over HTTP)
    moto_atomic.uninstall()
    aws = start_aws(over_http=over_http)
    try:
        # Then DynamoDB requests, the way its functions make them, go through the lock
        assert moto_atomic.installed()
        db = aws.client("dynamodb")
        table = aws.resources.table_name
        assert runs_while_locked(lambda: REQUESTS["TransactWriteItems"](db, table)) == (False, True)
    finally:
        aws.stop()
