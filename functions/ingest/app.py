"""ingest: ``POST /v1/events`` (service or admin) validates and enqueues events.

Only the events router is mounted, and nothing here imports DynamoDB or Redis code.
"""

from mangum import Mangum

from questline.http.app import build_app
from questline.http.routers import events
from questline.observability import logger

app = build_app(events.router)
handler = logger.inject_lambda_context(Mangum(app, lifespan="off"))
