"""expiry (schedule): republishes domain events a crash left in the outbox past their grace."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from questline.observability import logger, metrics
from questline.services.outbox import sweep_outbox
from questline.services.runtime import get_runtime


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = sweep_outbox(get_runtime())
    metrics.add_metric("OutboxRepublished", MetricUnit.Count, result.published)
    metrics.add_metric("OutboxRepublishFailed", MetricUnit.Count, result.failed)
    return {"published": result.published, "failed": result.failed}
