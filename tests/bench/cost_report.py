"""The cost section's text: what was run, per-event counts, where the write units go, USD per
million events, and the handler's throughput against moto."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import TYPE_CHECKING

from tests.bench import prices
from tests.bench.billing import DynamoBill
from tests.bench.report import heading, table

if TYPE_CHECKING:
    from tests.bench.cost import Measured, PriceLine


def render(m: Measured, bill: DynamoBill, lines: list[PriceLine], memory_mb: int) -> str:
    n = len(m.stream)
    unique = len({msg.body for msg in m.stream})
    got = m.metrics
    parts = [
        heading("cost: the progress handler per event (moto + Redis)"),
        f"{n:,} messages ({unique:,} events + {n - unique:,} upstream resends) for "
        f"{m.workload.users:,} users, {len(m.batch_seconds)} batches of {m.workload.batch_size} "
        "(BatchSize in template.yaml), demo catalog. Every figure is per delivered message.",
        f"Handler outcome: {got['EventsApplied']:,} applied, {got['EventsDuplicate']:,} duplicates, "
        f"{got['EventsRetried']:,} retried, {got['EventsDeadLettered']:,} dead-lettered.",
        "",
        _per_event(m, bill, n),
        "",
        _writes(bill, n),
        "",
        _prices(m, lines, n, memory_mb),
        "",
        _throughput(m, n),
    ]
    if bill.unpriced:
        unpriced = ", ".join(f"{op} x{count}" for op, count in bill.unpriced.items())
        parts.append(f"WARNING: calls this benchmark cannot bill, left out: {unpriced}")
    return "\n".join(parts)


def _per_event(m: Measured, bill: DynamoBill, n: int) -> str:
    dynamo = m.of("DynamoDB")
    failed = Counter(c.operation for c in dynamo if c.error_code)
    by_op = Counter(c.operation for c in dynamo)
    ops = ", ".join(
        f"{op} {count / n:.3f}" + (f" ({failed[op]} cancelled)" if failed[op] else "")
        for op, count in by_op.most_common()
    )
    put_events = m.of("EventBridge", "PutEvents")
    entries = sum(len(c.params["Entries"]) for c in put_events)
    commands = ", ".join(f"{name} {count / n:.3f}" for name, count in m.redis.commands.most_common())
    rows = [
        ["DynamoDB requests", f"{len(dynamo) / n:.3f}", ops],
        ["DynamoDB write request units", f"{bill.write_units / n:.3f}", "table and GSI, see below"],
        ["DynamoDB read request units", f"{bill.total_read_units / n:.3f}", _reads(bill, n)],
        [
            "SQS requests (handler)",
            f"{len(m.of('SQS')) / n:.3f}",
            "dead-letter sends only; the poller's Receive/DeleteMessage are free for Lambda",
        ],
        ["EventBridge PutEvents entries", f"{entries / n:.3f}", f"in {len(put_events) / n:.3f} calls"],
        [
            "Redis commands",
            f"{m.redis.total / n:.3f}",
            f"{commands or 'none'}; {m.redis.round_trips / n:.3f} round trips",
        ],
    ]
    return table(["per event", "count", "detail"], rows, align="lrl")


def _reads(bill: DynamoBill, n: int) -> str:
    return "; ".join(f"{where} {units / n:.3f}" for where, units in bill.read_units.items())


def _writes(bill: DynamoBill, n: int) -> str:
    total = bill.write_units

    def units(kind: str) -> float:
        return bill.table_write_units[kind] + bill.index_write_units[kind]

    rows = []
    for kind in sorted(bill.table_write_units, key=units, reverse=True):
        sizes = bill.item_sizes.get(kind, [])
        rows.append(
            [
                kind,
                f"{len(sizes) / n:.3f}",
                f"{statistics.mean(sizes):,.0f}" if sizes else "-",
                f"{max(sizes):,}" if sizes else "-",
                f"{bill.table_write_units[kind] / n:.3f}",
                f"{bill.index_write_units[kind] / n:.3f}",
                f"{units(kind) / total:.0%}",
            ]
        )
    table_total = sum(bill.table_write_units.values())
    index_total = sum(bill.index_write_units.values())
    rows.append(["total", "", "", "", f"{table_total / n:.3f}", f"{index_total / n:.3f}", "100%"])
    cancelled = bill.cancelled_write_units / n
    headers = ["WRU by item", "puts/event", "avg bytes", "max bytes", "table WRU", "GSI WRU", "share"]
    return (
        table(headers, rows)
        + "\nPuts include cancelled attempts. Transactional writes count 2x; GSI writes (DueIndex,"
        " projection ALL; BoardIndex, keys and Version) 1x, one per entry added, changed or removed;"
        " the outbox's DeleteItem is in its"
        f" row.\nCancelled transactions (duplicates caught by their markers): {cancelled:.3f}"
        " WRU/event of the total, billed as attempted (an assumption: the conservative reading)."
    )


def _prices(m: Measured, lines: list[PriceLine], n: int, memory_mb: int) -> str:
    rows, total = [], 0.0
    for line in lines:
        usd = line.quantity / n * line.usd_per_million  # per-event quantity x price per million
        total += usd
        rows.append(
            [line.label, f"{line.quantity / n:.3f} {line.unit}", f"${line.usd_per_million:g}", f"${usd:.4f}"]
        )
    rows.append(["Lambda duration", "not measurable here", "", "-"])
    rows.append(["total, without Lambda duration", "", "", f"${total:.4f}"])
    batch = round(n / len(m.batch_seconds))
    per_100ms = prices.LAMBDA_ARM_PER_GB_SECOND * memory_mb / 1024 * 0.1 / batch * 1e6
    sources = "\n".join(f"  {name}: {text}" for name, text in prices.SOURCES.items())
    return "\n".join(
        [
            table(["USD per million events, us-east-1", "per event", "per million", "USD"], rows),
            "Upstream SQS assumes one SendMessage per event; POST /v1/events sends up to 10 per"
            " request (down to 0.1 request/event).",
            "Lambda duration is not measurable against moto: the handler's time here is moto emulating"
            " DynamoDB in-process, not network round trips to DynamoDB. For scale: every 100 ms of a"
            f" {batch}-event batch at {memory_mb} MB arm64 adds ${per_100ms:.4f} per million events.",
            f"Prices:\n{sources}",
        ]
    )


def _throughput(m: Measured, n: int) -> str:
    seconds = sum(m.batch_seconds)
    in_moto = m.calls.seconds / seconds
    return (
        f"Handler throughput: {n / seconds:,.0f} events/s through whole handler batches (median batch"
        f" {statistics.median(m.batch_seconds) * 1000:,.0f} ms). {in_moto:.0%} of the time is inside"
        " AWS calls answered by moto (with questline_local.moto_speedups), so this measures"
        " moto, not the handler; the decide section measures the handler's own step."
    )
