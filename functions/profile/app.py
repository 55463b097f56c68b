"""profile: a user's profile and achievements (the user on their own data; service, admin)."""

from mangum import Mangum

from questline.http.app import build_app
from questline.http.routers import users
from questline.observability import logger

app = build_app(users.router)
handler = logger.inject_lambda_context(Mangum(app, lifespan="off"))
