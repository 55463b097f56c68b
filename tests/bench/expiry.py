"""Expiry throughput: deadlines visited per second by the expiry job (clock ticks through the
commit path, found through the sparse due index), against moto and Redis.

Every user starts a quest with a one-hour limit; the clock then moves past the limit and the job
runs until nothing is due. Figures: due items per second, and AWS calls per due item.
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from questline.services.expiry import run_expiry
from questline.services.ingest_batch import InboundRecord, process_batch
from tests.bench.harness import local_runtime
from tests.bench.meters import AwsCallLog
from tests.bench.report import heading, table

CATALOG = """
version: bench-expiry-1
levels: {thresholds: [0, 1000]}
quests:
  - id: sprint
    title: Sprint
    timeLimit: {duration: 1, unit: hours}
    steps: [{id: run, title: Run, criteria: {metric: {events: {type: health.metric.recorded}}, threshold: 100}}]
"""
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def run(quick: bool = False) -> str:
    users = 200 if quick else 1000
    with tempfile.TemporaryDirectory() as folder, local_runtime(NOW) as runtime:
        catalog = Path(folder) / "catalog.yaml"
        catalog.write_text(CATALOG)
        runtime.settings = runtime.settings.model_copy(update={"catalog_path": str(catalog)})
        _start_quests(runtime, users)
        runtime.clock = lambda: NOW + timedelta(hours=2)
        log = AwsCallLog()
        started = time.perf_counter()
        with log.recording():
            visited = 0
            while True:
                result = run_expiry(runtime)
                visited += result.ticks
                if not result.ticks:
                    break
        seconds = time.perf_counter() - started
    calls = log.by_operation()
    rows = [
        [f"{service} {operation}", f"{count / max(visited, 1):.2f}"]
        for (service, operation), count in sorted(calls.items())
    ]
    return "\n".join(
        [
            heading("expiry: deadlines visited per second (moto + Redis)"),
            f"{users:,} users with a quest past its one-hour limit; the job ran until nothing was due.",
            f"Visited {visited:,} deadlines in {seconds:.1f} s: {visited / seconds:,.0f} due items/s "
            f"({1000 * seconds / max(visited, 1):.1f} ms each, moto's time included: "
            f"{100 * log.seconds / seconds:.0f}% of it is inside AWS calls answered by moto).",
            "",
            table(["AWS calls per due item", "count"], rows, align="lr"),
        ]
    )


def _start_quests(runtime, users: int) -> None:  # type: ignore[no-untyped-def]
    events = [
        {
            "id": f"start-{i}",
            "type": "health.metric.recorded",
            "userId": f"user-{i}",
            "timestamp": (NOW - timedelta(minutes=1)).isoformat(),
            "version": "1.0",
            "payload": {},
        }
        for i in range(users)
    ]
    for start in range(0, users, 100):
        records = [InboundRecord(e["id"], json.dumps(e)) for e in events[start : start + 100]]
        process_batch(records, runtime)
