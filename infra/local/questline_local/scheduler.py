"""EventBridge schedules, as threads that invoke their function every interval.

moto stores schedule rules but never fires them. Locally every schedule of the template fires at
one interval (``--schedule-interval``, 60 s by default) rather than its deployed rate, so that
sweeps and period closes are seen within a minute.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from questline_local.background import Background
from questline_local.clock import CLOCK
from questline_local.lambda_shim import ACCOUNT_ID, LocalContext
from questline_local.poller import Handler

logger = logging.getLogger("questline_local.scheduler")

# Every schedule of this process by name, so the local-only API can fire them on demand.
SCHEDULES: dict[str, Schedule] = {}


def scheduled_event(rule_name: str, region: str, now: datetime) -> dict[str, Any]:
    """The event an EventBridge schedule rule delivers to its Lambda target."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{rule_name}"],
        "detail": {},
    }


class Schedule(Background):
    """Invokes ``handler`` every ``interval`` seconds (the first time after one interval), with
    ``payload`` when the schedule has a constant input, else the scheduled event."""

    def __init__(
        self,
        handler: Handler,
        interval: float,
        *,
        name: str,
        payload: dict[str, Any] | None = None,
        region: str = "us-east-1",
    ) -> None:
        self.handler = handler
        self.interval = interval
        self.name = name
        self.payload = payload
        self.region = region
        super().__init__(f"schedule-{name}")
        SCHEDULES[name] = self

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            self.fire()

    def fire(self) -> Any:
        """One invocation now; a failure is logged, as Lambda would, and the schedule goes on."""
        event = self.payload if self.payload is not None else scheduled_event(self.name, self.region, CLOCK())
        try:
            return self.handler(dict(event), LocalContext(f"questline-local-{self.name}", region=self.region))
        except Exception:
            logger.exception("scheduled %s failed; the next run covers the same ground", self.name)
            return None
