"""Shared fixtures: moto-backed AWS resources built from template.yaml, a real Redis isolated by
key prefix, a controllable clock, and a Runtime wired to all of them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import boto3
import pytest
import redis
from fastapi.testclient import TestClient
from moto import mock_aws

from questline.config import Settings
from questline.http.app import local_app
from questline.services.runtime import Runtime
from questline.storage.aws import reset_clients
from questline_local import moto_atomic, moto_speedups
from questline_local.resources import LocalResources, create_resources
from tests.factories import NOW, TEST_CATALOG_YAML
from tests.support.apps import serving
from tests.support.redis_server import find_or_start_redis


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    url, embedded = find_or_start_redis()
    yield url
    if embedded is not None:
        embedded.shutdown()  # type: ignore[attr-defined]


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; only its keys are deleted afterwards."""
    prefix = f"ql:test:{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        reset_clients()
        yield
    reset_clients()


@pytest.fixture
def atomic_dynamodb() -> Iterator[None]:
    """moto's DynamoDB requests atomic for one test, as DynamoDB's are (concurrency tests: moto
    alone lets two threads pass one condition, see questline_local.moto_atomic)."""
    moto_atomic.install()
    yield
    moto_atomic.uninstall()


@pytest.fixture
def fast_moto() -> Iterator[None]:
    """The local system's equivalent fast paths in moto (questline_local.moto_speedups), for one
    test: installed before it, moto's own put back after it, whatever runs next."""
    moto_speedups.install()
    yield
    moto_speedups.uninstall()


@pytest.fixture
def resources(aws: None) -> LocalResources:
    return create_resources(boto3.client, suffix=uuid.uuid4().hex[:8])


@pytest.fixture
def catalog_text() -> str:
    """The test catalog; a module overrides this fixture to test with a catalog of its own."""
    return TEST_CATALOG_YAML


@pytest.fixture
def catalog_file(tmp_path: Path, catalog_text: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(catalog_text)
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def settings(resources: LocalResources, redis_url: str, redis_prefix: str, catalog_file: Path) -> Settings:
    return Settings(
        table_name=resources.table_name,
        ingest_queue_url=resources.ingest_queue_url,
        dead_letter_queue_url=resources.dead_letter_queue_url,
        event_bus_name=resources.event_bus_name,
        redis_url=redis_url,
        redis_key_prefix=redis_prefix,
        catalog_path=str(catalog_file),
        auth_mode="local",
        local_jwt_secret="test-secret-of-at-least-thirty-two-bytes",
    )


@pytest.fixture
def runtime(settings: Settings, clock: Clock) -> Runtime:
    return Runtime(settings, clock=clock)


@pytest.fixture
def client(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """Every route in one app, served in-process on the test runtime."""
    return TestClient(serving(local_app(), runtime, monkeypatch))
