"""Counting what the code under test asks of AWS and Redis, from inside the process.

AWS calls are recorded around ``BaseClient._make_api_call``, the one method every boto3 client
call goes through (moto answers below it), so the log holds each call's parameters and parsed
response: what billing needs. Redis commands are counted on the redis-py client classes.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import redis
from botocore.client import BaseClient
from botocore.exceptions import ClientError


@dataclass(frozen=True)
class AwsCall:
    service: str  # the service id, e.g. "DynamoDB", "SQS", "EventBridge"
    operation: str
    params: dict[str, Any]
    response: dict[str, Any]
    seconds: float  # time inside the call (moto's, when mocked)
    error_code: str | None = None  # set when the call raised a ClientError


@dataclass
class AwsCallLog:
    calls: list[AwsCall] = field(default_factory=list)

    @contextmanager
    def recording(self) -> Iterator[AwsCallLog]:
        original = BaseClient._make_api_call
        calls = self.calls

        def recorded(client: Any, operation: str, params: dict[str, Any]) -> Any:
            service = client.meta.service_model.service_id
            started = time.perf_counter()
            try:
                response = original(client, operation, params)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                spent = time.perf_counter() - started
                calls.append(AwsCall(service, operation, params, exc.response, spent, code))
                raise
            calls.append(AwsCall(service, operation, params, response, time.perf_counter() - started))
            return response

        BaseClient._make_api_call = recorded  # type: ignore[method-assign]
        try:
            yield self
        finally:
            BaseClient._make_api_call = original  # type: ignore[method-assign]

    def by_operation(self) -> Counter[tuple[str, str]]:
        return Counter((c.service, c.operation) for c in self.calls)

    @property
    def seconds(self) -> float:
        return sum(c.seconds for c in self.calls)


@dataclass
class RedisCommandLog:
    """Commands by name, and round trips (a pipeline is one round trip for all its commands)."""

    commands: Counter[str] = field(default_factory=Counter)
    round_trips: int = 0

    @contextmanager
    def recording(self) -> Iterator[RedisCommandLog]:
        direct = redis.client.Redis.execute_command
        pipelined = redis.client.Pipeline.execute
        log = self

        def execute_command(client: Any, *args: Any, **options: Any) -> Any:
            log.commands[str(args[0]).upper()] += 1
            log.round_trips += 1
            return direct(client, *args, **options)

        def execute(pipe: Any, *args: Any, **kwargs: Any) -> Any:
            for command_args, _ in pipe.command_stack:
                log.commands[str(command_args[0]).upper()] += 1
            log.round_trips += 1
            return pipelined(pipe, *args, **kwargs)

        # Pipeline overrides execute_command (it queues), so patching Redis's counts only the
        # commands sent on their own.
        redis.client.Redis.execute_command = execute_command  # type: ignore[method-assign]
        redis.client.Pipeline.execute = execute  # type: ignore[method-assign]
        try:
            yield self
        finally:
            redis.client.Redis.execute_command = direct  # type: ignore[method-assign]
            redis.client.Pipeline.execute = pipelined  # type: ignore[method-assign]

    @property
    def total(self) -> int:
        return sum(self.commands.values())
