"""quest: a user's quests and streaks; starting quests, completing client-completable steps
(the user on their own data; service, admin)."""

from mangum import Mangum

from questline.http.app import build_app
from questline.http.routers import quests
from questline.observability import logger

app = build_app(quests.router)
handler = logger.inject_lambda_context(Mangum(app, lifespan="off"))
