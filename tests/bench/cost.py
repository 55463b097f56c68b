"""Cost per event of the hot path: a realistic ingest stream through the progress handler, every
AWS call and Redis command counted, DynamoDB request units computed as AWS bills them, and the
total priced per million events at us-east-1 list prices (rendered by cost_report)."""

from __future__ import annotations

import io
import json
import math
import time
from collections import Counter
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from typing import Any

from questline.storage import keys
from questline_local.resources import load_template
from tests.bench import prices
from tests.bench.billing import DynamoBill, TableSchema
from tests.bench.cost_report import render
from tests.bench.harness import local_runtime
from tests.bench.meters import AwsCall, AwsCallLog, RedisCommandLog
from tests.bench.workload import Message, batches, ingest_stream
from tests.factories import NOW, LambdaContext, sqs_event
from tests.support.functions import load_function


@dataclass(frozen=True)
class Workload:
    events: int  # messages delivered, resends included
    users: int
    batch_size: int = 100  # the ingest event source mapping's BatchSize in template.yaml
    duplicate_share: float = 0.05


FULL = Workload(events=2000, users=200)
QUICK = Workload(events=500, users=50)


@dataclass
class Measured:
    workload: Workload
    stream: list[Message]
    calls: AwsCallLog
    redis: RedisCommandLog
    batch_seconds: list[float] = field(default_factory=list)
    metrics: Counter[str] = field(default_factory=Counter)  # the handler's own EMF metrics

    def of(self, service: str, operation: str | None = None) -> list[AwsCall]:
        return [c for c in self.calls.calls if c.service == service and operation in (None, c.operation)]


@dataclass(frozen=True)
class PriceLine:
    label: str
    quantity: float  # over the whole run
    unit: str
    usd_per_million: float


def run(quick: bool = False) -> str:
    measured = measure(QUICK if quick else FULL)
    template = load_template()
    bill = DynamoBill(TableSchema.from_template(template), item_kind)
    for call in measured.calls.calls:
        bill.add(call)
    return render(measured, bill, price_lines(measured, bill), _memory_mb(template))


def measure(workload: Workload) -> Measured:
    stream = ingest_stream(
        events=workload.events,
        users=workload.users,
        duplicate_share=workload.duplicate_share,
        now=NOW,
    )
    progress = load_function("progress")
    measured = Measured(workload, stream, AwsCallLog(), RedisCommandLog())
    emitted = io.StringIO()
    with local_runtime(NOW) as runtime:
        progress.get_runtime = lambda: runtime
        # Clients and catalog exist before the first batch, as in a warm Lambda container.
        _ = runtime.catalog, runtime.users.client, runtime.bus.client
        # The handler prints its metrics (EMF) on stdout: keep them off the report, read them.
        with measured.calls.recording(), measured.redis.recording(), redirect_stdout(emitted):
            for batch in batches(stream, workload.batch_size):
                event = sqs_event([m.body for m in batch], message_ids=[m.message_id for m in batch])
                started = time.perf_counter()
                progress.handler(event, LambdaContext())
                measured.batch_seconds.append(time.perf_counter() - started)
    measured.metrics = _emf_totals(emitted.getvalue())
    return measured


def item_kind(item: dict[str, Any]) -> str:
    sk = item["SK"]["S"]
    if sk == keys.PROFILE_SK:
        return "profile"
    if sk == keys.EVENT_SK:
        return "dedupe marker"
    if sk.startswith(keys.ACHIEVEMENT_PREFIX):
        return "achievement"
    if sk.startswith(keys.OUTBOX_PREFIX):
        return "outbox"
    if sk.startswith("SCORE#"):
        return "board score"
    return "other"


def price_lines(m: Measured, bill: DynamoBill) -> list[PriceLine]:
    bus_events = sum(
        _chunks(_put_events_entry_bytes(entry), prices.EVENTBRIDGE_CHUNK_BYTES)
        for call in m.of("EventBridge", "PutEvents")
        for entry in call.params["Entries"]
    )
    # Upstream producers: one SendMessage per event (see the report for batched senders).
    upstream = sum(_chunks(len(msg.body.encode()), prices.SQS_CHUNK_BYTES) for msg in m.stream)
    dead_letter = sum(
        _chunks(sum(len(e["MessageBody"].encode()) for e in call.params["Entries"]), prices.SQS_CHUNK_BYTES)
        for call in m.of("SQS", "SendMessageBatch")
    )
    return [
        PriceLine("DynamoDB writes", bill.write_units, "WRU", prices.DYNAMODB_PER_MILLION_WRITE_UNITS),
        PriceLine("DynamoDB reads", bill.total_read_units, "RRU", prices.DYNAMODB_PER_MILLION_READ_UNITS),
        PriceLine("EventBridge custom events", bus_events, "events", prices.EVENTBRIDGE_PER_MILLION_ENTRIES),
        PriceLine("SQS upstream SendMessage", upstream, "requests", prices.SQS_PER_MILLION_REQUESTS),
        PriceLine("SQS dead-letter sends", dead_letter, "requests", prices.SQS_PER_MILLION_REQUESTS),
        PriceLine("Lambda requests", len(m.batch_seconds), "invocations", prices.LAMBDA_PER_MILLION_REQUESTS),
    ]


def _emf_totals(text: str) -> Counter[str]:
    """Sum the metrics the handler printed (CloudWatch embedded metric format, one JSON a line)."""
    totals: Counter[str] = Counter()
    for line in text.splitlines():
        try:
            blob = json.loads(line)
        except ValueError:
            continue
        for metric in blob.get("_aws", {}).get("CloudWatchMetrics", [{}])[0].get("Metrics", []):
            value = blob.get(metric["Name"], 0)
            totals[metric["Name"]] += int(sum(value) if isinstance(value, list) else value)
    return totals


def _memory_mb(template: dict[str, Any]) -> int:
    function = template["Resources"]["ProgressFunction"]["Properties"]
    return int(function.get("MemorySize", template["Globals"]["Function"]["MemorySize"]))


def _chunks(size: int, chunk: int) -> int:
    return max(1, math.ceil(size / chunk))


def _put_events_entry_bytes(entry: dict[str, Any]) -> int:
    """EventBridge's documented entry size: Time (14 bytes), Source, DetailType, Detail and each
    Resources ARN, UTF-8."""
    texts = [entry.get("Source", ""), entry.get("DetailType", ""), entry.get("Detail", "")]
    texts += entry.get("Resources", [])
    return (14 if entry.get("Time") else 0) + sum(len(t.encode()) for t in texts)
