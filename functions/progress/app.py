"""progress: the ingest queue's consumer. Counts every event exactly once.

Partial batch failures: only the records of users whose commit failed transiently are
returned, SQS redelivers those; permanent failures were dead-lettered with their reason.
"""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import SQSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from questline.observability import logger, metrics
from questline.services.ingest_batch import InboundRecord, process_batch
from questline.services.runtime import get_runtime


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = [InboundRecord(r.message_id, r.body) for r in SQSEvent(event).records]
    outcome = process_batch(records, get_runtime())
    metrics.add_metric("EventsApplied", MetricUnit.Count, outcome.applied)
    metrics.add_metric("EventsDuplicate", MetricUnit.Count, outcome.duplicates)
    metrics.add_metric("EventsDeadLettered", MetricUnit.Count, len(outcome.dead_lettered))
    metrics.add_metric("EventsRetried", MetricUnit.Count, len(outcome.failed_message_ids))
    return {"batchItemFailures": [{"itemIdentifier": m} for m in outcome.failed_message_ids]}
