"""award: direct grants over HTTP (service, admin) and award requests from the bus (prizes).

Bus requests carry detail-type ``AwardRequested`` and an award request as detail, plus the
``userId`` and the requesting ``actor``. Only Questline's own source and the configured trusted
sources may request awards: any other source raises ``untrusted-source`` naming it. That error,
or a validation error naming the field of a malformed request, is kept with the request in the
asynchronous invocation's failure destination (a queue) after Lambda's retries.
"""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from mangum import Mangum

from questline.http.app import build_app
from questline.http.routers import awards
from questline.observability import logger
from questline.services.award_requests import grant_requested_award
from questline.services.runtime import get_runtime

app = build_app(awards.router)
_http = Mangum(app, lifespan="off")


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "detail-type" not in event:
        return _http(event, context)
    result = grant_requested_award(event, get_runtime())
    return result.model_dump(mode="json", by_alias=True)
