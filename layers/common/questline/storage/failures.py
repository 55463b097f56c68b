"""Which failures say nothing about the event being processed (here, as it knows botocore's).

Throttling, timeouts, an unreachable or refusing service, contention: the same event may well
succeed on the next delivery, so its record is retried. So are errors of the deployment itself
(access denied, a missing table): dead-lettering every event because of a misconfiguration would
hide an outage as bad data. Anything else raised while deciding or committing an event (a bug
its content reaches, a value DynamoDB refuses) would fail the same way on every delivery.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from questline.errors import TransientError

# DynamoDB refusing the request itself: what was sent, not when, is at fault.
_CONTENT_ERROR_CODES = frozenset({"ValidationException", "SerializationException"})
# A cancelled transaction is the event's own fault only when an item in it was invalid.
_CONTENT_CANCELLATION_CODES = frozenset({"ValidationError"})


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` may pass by itself, so the record is retried rather than dead-lettered."""
    if isinstance(exc, TransientError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "TransactionCanceledException":
            reasons = {r.get("Code") for r in exc.response.get("CancellationReasons", [])}
            return not reasons & _CONTENT_CANCELLATION_CODES
        return code not in _CONTENT_ERROR_CODES
    if isinstance(exc, BotoCoreError):
        return not isinstance(exc, ParamValidationError)
    return False
