"""Which failures are retried (they say nothing about the event) and which are the event's own."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)

from questline.errors import CommitConflictError, TransientError
from questline.storage.failures import is_transient


def client_error(code: str, *reasons: str) -> ClientError:
    response: dict = {"Error": {"Code": code, "Message": code}}
    if reasons:
        response["CancellationReasons"] = [{"Code": r} for r in reasons]
    return ClientError(response, "TransactWriteItems")


@pytest.mark.parametrize(
    "failure",
    [
        TransientError("queue full"),
        CommitConflictError("kept conflicting"),
        ConnectionError("reset"),
        TimeoutError("timed out"),
        client_error("ProvisionedThroughputExceededException"),
        client_error("ThrottlingException"),
        client_error("RequestLimitExceeded"),
        client_error("InternalServerError"),
        client_error("ServiceUnavailable"),
        client_error("TransactionCanceledException", "None", "TransactionConflict"),
        client_error("TransactionCanceledException", "ThrottlingError"),
        client_error("AccessDeniedException"),  # the deployment's fault, not the event's
        client_error("ResourceNotFoundException"),
        EndpointConnectionError(endpoint_url="https://dynamodb"),
        ReadTimeoutError(endpoint_url="https://dynamodb"),
        ConnectTimeoutError(endpoint_url="https://dynamodb"),
        NoCredentialsError(),
    ],
)
def test_failures_that_may_pass_by_themselves_are_transient(failure):
    assert is_transient(failure)


@pytest.mark.parametrize(
    "failure",
    [
        ZeroDivisionError(),
        OverflowError("cannot convert Infinity to integer"),
        ValueError("cannot convert NaN to integer"),
        TypeError("Float types are not supported"),
        KeyError("missing"),
        RecursionError(),
        UnicodeEncodeError("utf-8", "\udc00", 0, 1, "surrogates not allowed"),
        client_error("ValidationException"),
        client_error("TransactionCanceledException", "None", "ValidationError"),
        ParamValidationError(report="Invalid type for parameter"),
    ],
)
def test_failures_the_event_brings_with_it_are_not_transient(failure):
    assert not is_transient(failure)
