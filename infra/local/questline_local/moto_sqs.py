"""SQS in moto without the costs that grow with the queue's depth, where equivalence is plain.

Part of :mod:`questline_local.moto_speedups` (local system and tests only, never deployed).
In moto 5.2.5, with n messages queued:
- ReceiveMessage checks each message it returns against the queue's retention period by
  computing *every* queue attribute three times, message counts included: 9 passes over the
  queue per message received, quadratic in the depth. Here it reads the one attribute.
- Visibility is decided per message by building two datetimes (about 2 us each time); here the
  clock reads ``time.time()``, the same instant without the datetimes.
- DeleteMessageBatch makes two passes over the queue per entry; here one pass for the batch,
  with moto's results: already deleted is a success, a handle no message ever had is
  ``ReceiptHandleIsInvalid``.
- SendMessage reads one queue attribute, ContentBasedDeduplication, through the property that
  computes them all, message counts included (3 passes over the queue per message sent).
  While SendMessage runs, that property gives the queue only that attribute, computed as moto
  computes it.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

from moto.sqs import models as sqs_models
from moto.sqs.models import Queue, SQSBackend

_original_clock = getattr(sqs_models.unix_time_millis, "moto_original", sqs_models.unix_time_millis)
_original_delete_batch = getattr(
    SQSBackend.delete_message_batch, "moto_original", SQSBackend.delete_message_batch
)
_original_retention = getattr(
    SQSBackend.is_message_valid_based_on_retention_period,
    "moto_original",
    SQSBackend.is_message_valid_based_on_retention_period,
)

_original_send = getattr(SQSBackend.send_message, "moto_original", SQSBackend.send_message)
_original_attributes: property = getattr(Queue.attributes.fget, "moto_original", Queue.attributes)
# The queue a SendMessage on this thread is sending to, if any.
_sending = threading.local()


def install() -> None:
    """Replace the SQS models' clock and ``SQSBackend.delete_message_batch`` (idempotent)."""
    sqs_models.unix_time_millis = unix_time_millis
    SQSBackend.delete_message_batch = delete_message_batch  # type: ignore[method-assign]
    SQSBackend.is_message_valid_based_on_retention_period = within_retention  # type: ignore[method-assign]
    SQSBackend.send_message = send_message  # type: ignore[method-assign]
    Queue.attributes = property(queue_attributes)  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    sqs_models.unix_time_millis = _original_clock
    SQSBackend.delete_message_batch = _original_delete_batch  # type: ignore[method-assign]
    SQSBackend.is_message_valid_based_on_retention_period = _original_retention  # type: ignore[method-assign]
    SQSBackend.send_message = _original_send  # type: ignore[method-assign]
    Queue.attributes = _original_attributes  # type: ignore[method-assign]


def unix_time_millis(dt: datetime | None = None) -> float:
    """Milliseconds since the epoch: now, or of a naive UTC ``dt`` (moto's own code then)."""
    return time.time() * 1000.0 if dt is None else _original_clock(dt)


def send_message(self: SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> Any:
    """moto's SendMessage, with the queue marked as being sent to."""
    queue = self.get_queue(queue_name)
    outer = getattr(_sending, "queue", None)
    _sending.queue = queue
    try:
        return _original_send(self, queue_name, *args, **kwargs)
    finally:
        _sending.queue = outer


def queue_attributes(self: Queue) -> dict[str, Any]:
    """moto's ``Queue.attributes``; while SendMessage runs on this queue, only the attribute it
    reads (ContentBasedDeduplication, present on FIFO queues as "true" or "false")."""
    if getattr(_sending, "queue", None) is not self:
        return _original_attributes.fget(self)  # type: ignore[no-any-return,misc]
    if not self.fifo_queue:
        return {}
    value = self.content_based_deduplication
    return {"ContentBasedDeduplication": str(value).lower() if isinstance(value, bool) else value}


def within_retention(self: SQSBackend, queue_name: str, message: Any) -> bool:
    """moto's retention check, reading the queue's retention period directly."""
    retention_period = self.get_queue(queue_name).message_retention_period
    retain_until = retention_period + message.sent_timestamp / 1000
    return bool(retain_until > sqs_models.unix_time())


def delete_message_batch(
    self: SQSBackend, queue_name: str, receipts: list[dict[str, Any]]
) -> tuple[list[str], list[dict[str, str]]]:
    """moto's batch delete in one pass over the queue; same successes, same failures."""
    queue = self.get_queue(queue_name)
    wanted = {r["ReceiptHandle"] for r in receipts} - queue.deleted_messages
    # Under the lock SendMessage appends with: a message sent meanwhile is not lost.
    with queue._messages_lock:
        kept = []
        for message in queue._messages if wanted else ():
            handles = message.all_receipt_handles
            if wanted.isdisjoint(handles):
                kept.append(message)
                continue
            queue.pending_messages.discard(message)
            queue.deleted_messages.update(handles)
        if wanted and len(kept) != len(queue._messages):
            queue._messages = kept
    success, errors = [], []
    for receipt in receipts:
        handle = receipt["ReceiptHandle"]
        if handle in queue.deleted_messages:
            success.append(receipt["Id"])
        else:
            errors.append(
                {
                    "Id": receipt["Id"],
                    "SenderFault": True,
                    "Code": "ReceiptHandleIsInvalid",
                    "Message": f'The input receipt handle "{handle}" is not a valid receipt handle.',
                }
            )
    return success, errors


unix_time_millis.moto_original = _original_clock  # type: ignore[attr-defined]
delete_message_batch.moto_original = _original_delete_batch  # type: ignore[attr-defined]
within_retention.moto_original = _original_retention  # type: ignore[attr-defined]
send_message.moto_original = _original_send  # type: ignore[attr-defined]
queue_attributes.moto_original = _original_attributes  # type: ignore[attr-defined]
