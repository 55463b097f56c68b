"""award: direct grants over HTTP (service, admin) and award requests from the bus (prizes).

Bus requests carry detail-type ``AwardRequested`` and an award request as detail, plus the
``userId`` and the requesting ``actor``. A malformed request raises a validation error naming
the field: after Lambda's retries, the asynchronous invocation's failure destination (a queue)
keeps the request with that error.
"""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from mangum import Mangum

from questline.http.app import build_app
from questline.http.routers import awards
from questline.models.api import BusAwardRequest
from questline.observability import logger
from questline.services.awards import grant_award
from questline.services.runtime import get_runtime

app = build_app(awards.router)
_http = Mangum(app, lifespan="off")


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "detail-type" not in event:
        return _http(event, context)
    request = BusAwardRequest.model_validate(event["detail"])
    result = grant_award(request.user_id, request, request.actor, get_runtime())
    return result.model_dump(mode="json", by_alias=True)
