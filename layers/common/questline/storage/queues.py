"""SQS adapter: the ingest queue (HTTP enqueues) and the dead-letter queue (permanent failures)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from questline.storage.aws import AwsStore

_SEND_BATCH_LIMIT = 10


@dataclass(frozen=True)
class OutgoingMessage:
    id: str  # unique within one call; reported back on failure
    body: str
    attributes: dict[str, str] | None = None


class QueueClient(AwsStore, service="sqs"):
    def __init__(self, *, sqs_client: Any = None) -> None:
        super().__init__(sqs_client)

    def send(self, queue_url: str, messages: Sequence[OutgoingMessage]) -> list[str]:
        """Send in batches of ten; returns the ids of messages SQS did not accept."""
        failed: list[str] = []
        for start in range(0, len(messages), _SEND_BATCH_LIMIT):
            chunk = messages[start : start + _SEND_BATCH_LIMIT]
            response = self.client.send_message_batch(
                QueueUrl=queue_url, Entries=[_entry(i, m) for i, m in enumerate(chunk)]
            )
            failed += [chunk[int(f["Id"])].id for f in response.get("Failed", [])]
        return failed


def _entry(index: int, message: OutgoingMessage) -> dict[str, Any]:
    entry: dict[str, Any] = {"Id": str(index), "MessageBody": message.body}
    if message.attributes:
        entry["MessageAttributes"] = {
            name: {"DataType": "String", "StringValue": value} for name, value in message.attributes.items()
        }
    return entry
