"""boto3 clients, created on first use (never at import time, so moto can start first)."""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

import boto3
from botocore.config import Config

# Lambda retries the whole batch on failure; keep SDK retries short so one slow call does not
# eat the function's timeout.
_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=2, read_timeout=5)


@cache
def client(service: str) -> Any:
    """A shared client for ``service`` (``reset_clients`` drops them, e.g. between tests)."""
    return boto3.session.Session().client(service, config=_CONFIG)


def reset_clients() -> None:
    client.cache_clear()


class AwsStore:
    """A store on one AWS service. Its client is injected (tests, the local system) or, when not,
    the shared one, taken on first use rather than at construction so moto can start first."""

    service: ClassVar[str]  # the boto3 service name, given as ``class X(AwsStore, service=...)``

    def __init_subclass__(cls, *, service: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.service = service

    def __init__(self, aws: Any = None) -> None:
        self._client = aws

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = client(self.service)
        return self._client
