"""The local system keeps every update under concurrency, as AWS would: 100 awards to one user at
once over its HTTP API, with the functions reaching moto in process (the default) and, for
distinct awards, over HTTP (``--aws-over-http``; tests/integration/test_moto_atomic.py checks
that both modes make every DynamoDB request atomic)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from questline.storage import keys
from tests.e2e.conftest import LocalSystem, new_user, running_system

pytestmark = pytest.mark.e2e

CONCURRENT = 100
XP_EACH = 3


@pytest.fixture(scope="module")
def system_over_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSystem]:
    with running_system(tmp_path_factory.mktemp("questline-local-http"), "--aws-over-http") as system:
        yield system


@pytest.fixture(params=["in process", "over HTTP"])
def system(request: pytest.FixtureRequest) -> LocalSystem:
    name = "local_system" if request.param == "in process" else "system_over_http"
    found: LocalSystem = request.getfixturevalue(name)
    return found


def award_all_at_once(system: LocalSystem, user: str, keys_: list[str]) -> list[httpx.Response]:
    """One award per idempotency key, each from its own thread and connection, all released
    together. A 503 (the commit kept conflicting with the others) is retried with the same key,
    as a client would. Returns each request's final response."""
    barrier = threading.Barrier(len(keys_))

    def one(key: str) -> httpx.Response:
        body = {"idempotencyKey": key, "reason": "e2e", "grants": [{"currency": "xp", "amount": XP_EACH}]}
        with system.http("e2e-admin", "admin") as client:
            client.timeout = httpx.Timeout(60)
            barrier.wait()
            for _ in range(20):
                response = client.post(f"/v1/users/{user}/awards", json=body)
                if response.status_code != 503:
                    break
        return response

    with ThreadPoolExecutor(max_workers=len(keys_)) as pool:
        return list(pool.map(one, keys_))


def stored(system: LocalSystem, user: str) -> tuple[int, int, int]:
    """(XP, profile version, ledger items) as the table holds them."""
    db = system.aws("dynamodb")
    table, pk = system.state["table_name"], {"S": keys.user_pk(user)}
    profile = db.get_item(TableName=table, Key={"PK": pk, "SK": {"S": keys.PROFILE_SK}}, ConsistentRead=True)
    ledger: list[Any] = []
    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :ledger)",
        "ExpressionAttributeValues": {":pk": pk, ":ledger": {"S": keys.LEDGER_PREFIX}},
        "ConsistentRead": True,
    }
    while True:
        page = db.query(**kwargs)
        ledger += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    item = profile["Item"]
    return int(item["Xp"]["N"]), int(item["Version"]["N"]), len(ledger)


def test_concurrent_distinct_awards_to_one_user_are_all_applied(system):
    # Given 100 awards of 3 XP to one user, with distinct idempotency keys
    user = new_user()

    # When they all arrive at once
    responses = award_all_at_once(system, user, [f"k{n}" for n in range(CONCURRENT)])

    # Then each is applied, and the user keeps every one: no commit overwrote another
    assert [r.status_code for r in responses] == [201] * CONCURRENT, [r.text for r in responses][:3]
    assert stored(system, user) == (XP_EACH * CONCURRENT, CONCURRENT, CONCURRENT)
    with system.http(user) as client:
        assert client.get("/v1/users/me/profile").json()["xp"] == XP_EACH * CONCURRENT


def test_concurrent_identical_awards_are_applied_exactly_once(local_system):
    # Given 100 copies of one award (one idempotency key) to one user
    user, system = new_user(), local_system

    # When they all arrive at once
    responses = award_all_at_once(system, user, ["same"] * CONCURRENT)

    # Then one is applied, every other answers that it already was, and the XP counts once
    assert sorted(r.status_code for r in responses) == [200] * (CONCURRENT - 1) + [201]
    assert [r.json()["applied"] for r in responses].count(True) == 1
    assert stored(system, user) == (XP_EACH, 1, 1)
