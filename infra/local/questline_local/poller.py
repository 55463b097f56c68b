"""Lambda's SQS event source mapping, for the ingest queue and the progress function.

Like the managed poller, it assembles a batch from several ReceiveMessage calls (ten messages
each) until the batch is full or the batching window has passed, invokes the function with a
real-shaped SQS event, deletes what succeeded, and leaves the reported failures on the queue,
where the queue's redrive policy dead-letters them after maxReceiveCount receives. The one
local liberty: a failed record becomes visible again after a few seconds instead of after the
queue's visibility timeout, so retries happen while a developer watches.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from questline_local.background import Background
from questline_local.lambda_shim import LocalContext, sqs_record

logger = logging.getLogger("questline_local.poller")

Handler = Callable[[dict[str, Any], Any], Any]
_SQS_BATCH_LIMIT = 10  # ReceiveMessage, DeleteMessageBatch and ChangeMessageVisibilityBatch
_LONG_POLL_SECONDS = 1  # short enough for a prompt shutdown


@dataclass(frozen=True)
class PollerSettings:
    batch_size: int = 100  # as template.yaml's ProgressFunction event source
    batching_window: float = 0.5  # seconds; the template's 2 s feels sluggish on one machine
    retry_delay: int = 2  # seconds before a failed record is delivered again


class QueuePoller(Background):
    """Polls ``queue_url`` on a thread of its own and hands batches to ``handler``."""

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        handler: Handler,
        *,
        function_name: str = "questline-local-progress",
        region: str = "us-east-1",
        settings: PollerSettings | None = None,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.handler = handler
        self.function_name = function_name
        self.region = region
        self.settings = settings or PollerSettings()
        super().__init__("ingest-poller")

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                messages = self.collect()
                if messages:
                    self.deliver(messages)
            except Exception:  # the poller must outlive any one failure, as Lambda's does
                logger.exception("ingest poller failed; retrying in a second")
                self._stopping.wait(1)

    def collect(self) -> list[dict[str, Any]]:
        """One batch: receive until it is full, or the window since the first message passed;
        empty when a long poll found nothing."""
        batch: list[dict[str, Any]] = []
        deadline = float("inf")
        size = self.settings.batch_size
        while len(batch) < size and not self._stopping.is_set():
            received = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(_SQS_BATCH_LIMIT, size - len(batch)),
                WaitTimeSeconds=0 if batch else _LONG_POLL_SECONDS,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not batch:
                if not received:
                    return batch  # a long poll came back empty: nothing to deliver
                deadline = time.monotonic() + self.settings.batching_window
            batch += received
            if time.monotonic() >= deadline:
                break
            if not received:
                self._stopping.wait(0.05)  # let producers catch up within the window
        return batch

    def deliver(self, messages: Sequence[dict[str, Any]]) -> None:
        """Invoke the function once; delete the successes, schedule the failures for retry."""
        event = {"Records": [sqs_record(m, self.queue_arn, self.region) for m in messages]}
        try:
            result = self.handler(event, LocalContext(self.function_name, region=self.region))
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        except Exception:
            # A function error fails the whole batch: nothing is deleted, everything is retried.
            logger.exception("progress function raised; the whole batch will be retried")
            failed = {m["MessageId"] for m in messages}
        self._delete([m for m in messages if m["MessageId"] not in failed])
        self._retry_later([m for m in messages if m["MessageId"] in failed])

    def _delete(self, messages: Sequence[dict[str, Any]]) -> None:
        for chunk in _chunks(messages):
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)

    def _retry_later(self, messages: Sequence[dict[str, Any]]) -> None:
        for chunk in _chunks(messages):
            entries = [
                {
                    "Id": str(i),
                    "ReceiptHandle": m["ReceiptHandle"],
                    "VisibilityTimeout": self.settings.retry_delay,
                }
                for i, m in enumerate(chunk)
            ]
            self.sqs.change_message_visibility_batch(QueueUrl=self.queue_url, Entries=entries)


def _chunks(items: Sequence[dict[str, Any]]) -> list[Sequence[dict[str, Any]]]:
    return [items[i : i + _SQS_BATCH_LIMIT] for i in range(0, len(items), _SQS_BATCH_LIMIT)]
