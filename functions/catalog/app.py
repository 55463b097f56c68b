"""catalog: catalog administration (admin only) and the public achievement list (any caller)."""

from mangum import Mangum

from questline.http.app import build_app
from questline.http.routers import achievements, catalog
from questline.observability import logger

app = build_app(catalog.router, achievements.router)
handler = logger.inject_lambda_context(Mangum(app, lifespan="off"))
