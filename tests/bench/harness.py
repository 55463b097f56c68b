"""The local stand-ins the cost benchmark runs against, wired as the tests wire them: moto
resources built from template.yaml, a real Redis under a key prefix of this run's own, and a
Runtime whose clock stands still."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import boto3
import redis
from moto import mock_aws

from questline.config import Settings
from questline.services.runtime import Runtime
from questline.storage.aws import reset_clients
from questline_local import moto_speedups
from questline_local.resources import create_resources
from tests.support.redis_server import find_or_start_redis

_FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def _environment(values: dict[str, str], remove: tuple[str, ...]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in (*values, *remove)}
    os.environ.update(values)
    for name in remove:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _redis() -> Iterator[tuple[str, str]]:
    """(url, prefix); only this run's keys are deleted afterwards, the server may be shared."""
    url, embedded = find_or_start_redis()
    prefix = f"ql:bench:{uuid.uuid4().hex[:10]}:"
    try:
        yield url, prefix
    finally:
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        if embedded is not None:
            embedded.shutdown()  # type: ignore[attr-defined]


@contextmanager
def _fast_moto() -> Iterator[None]:
    """moto's TransactWriteItems and Query slow down with the table's size (FACTS.md); the local
    system's equivalent replacements keep a 2,000-event run at seconds. Calls and responses, and
    so every count here, are unchanged; only the handler's time against moto shrinks."""
    moto_speedups.install()  # refuses a moto other than the one pinned
    try:
        yield
    finally:
        moto_speedups.uninstall()


@contextmanager
def local_runtime(now: datetime) -> Iterator[Runtime]:
    """A Runtime on moto and Redis for one benchmark run; catalog: the packaged demo catalog."""
    fake = _environment(_FAKE_AWS, remove=("AWS_ENDPOINT_URL", "AWS_PROFILE"))
    with fake, mock_aws(), _fast_moto(), _redis() as (redis_url, prefix):
        reset_clients()
        try:
            resources = create_resources(boto3.client, suffix=uuid.uuid4().hex[:8])
            settings = Settings(
                table_name=resources.table_name,
                ingest_queue_url=resources.ingest_queue_url,
                dead_letter_queue_url=resources.dead_letter_queue_url,
                event_bus_name=resources.event_bus_name,
                redis_url=redis_url,
                redis_key_prefix=prefix,
            )
            yield Runtime(settings, clock=lambda: now)
        finally:
            reset_clients()
