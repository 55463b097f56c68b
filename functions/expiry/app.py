"""expiry (schedule): visits passed deadlines (streaks at risk, quests timing out) and
republishes domain events a crash left in the outbox."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from questline.observability import logger, metrics
from questline.services.expiry import run_expiry
from questline.services.runtime import get_runtime

# Stop taking new batches with this much of the invocation left: the rest waits for the next run.
RESERVE_MS = 10_000


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = run_expiry(get_runtime(), has_time=lambda: context.get_remaining_time_in_millis() > RESERVE_MS)
    metrics.add_metric("DeadlinesVisited", MetricUnit.Count, result.ticks)
    metrics.add_metric("ExpiryFailedUsers", MetricUnit.Count, result.failed_users)
    metrics.add_metric("OutboxRepublished", MetricUnit.Count, result.republished)
    return {
        "ticks": result.ticks,
        "users": result.users,
        "failed": result.failed_users,
        "published": result.republished,
        "more": result.more,
    }
