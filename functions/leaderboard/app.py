"""leaderboard: board reads and moderation over HTTP, and the scheduled jobs.

Schedules deliver ``{"action": "maintain"}`` (close due periods: snapshot, prizes,
LeaderboardClosed; rebuild Redis when it is not ready) or ``{"action": "reconcile"}`` (drift
report, as metrics and a log line); a plain EventBridge scheduled event means maintain.
Everything else is an API Gateway request.
"""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from mangum import Mangum

from questline.http.app import build_app
from questline.http.routers import leaderboards, leaderboards_admin
from questline.observability import logger, metrics
from questline.services.leaderboards.maintenance import maintain, reconcile
from questline.services.runtime import get_runtime

app = build_app(leaderboards.router, leaderboards_admin.router)
_http = Mangum(app, lifespan="off")


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # SAM schedules deliver their Input as the event; an EventBridge-shaped scheduled event
    # (another scheduler, the local system) may carry it as detail, maintain by default.
    action = event.get("action")
    if action is None and event.get("detail-type") == "Scheduled Event":
        action = (event.get("detail") or {}).get("action", "maintain")
    if action is None:
        return _http(event, context)
    if action == "maintain":
        report = maintain(get_runtime())
        metrics.add_metric("BoardPeriodsClosed", MetricUnit.Count, len(report.closed))
        if report.rebuild is not None:
            metrics.add_metric("BoardRebuildMembers", MetricUnit.Count, report.rebuild.members)
        return {"closed": report.closed, "rebuild": vars(report.rebuild) if report.rebuild else None}
    if action == "reconcile":
        drift = reconcile(get_runtime())
        metrics.add_metric(
            "BoardDrift", MetricUnit.Count, sum(1 for p in drift.periods if p.missing or p.extra or p.wrong)
        )
        if drift.drifted:
            logger.warning("leaderboard drift", extra={"report": drift.model_dump(mode="json")})
        return drift.model_dump(mode="json", by_alias=True)
    raise ValueError(f"unknown action {action!r}; expected maintain or reconcile")
