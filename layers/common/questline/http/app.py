"""FastAPI app factory. Each function's app includes only its own routers; ``local_app`` composes
them all for local serving and the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from questline.http.errors import install_error_handlers
from questline.http.strict_body import StrictJsonBody

API_TITLE = "Questline"
API_VERSION = "1.0.0"


def build_app(*routers: APIRouter) -> FastAPI:
    app = FastAPI(
        title=API_TITLE,
        version=API_VERSION,
        description="Gamification engine: events in; XP, levels and achievements out.",
    )
    for router in routers:
        app.include_router(router)
    install_error_handlers(app)
    app.add_middleware(StrictJsonBody, router=app.router)
    return app


def local_app() -> FastAPI:
    """Every router in one app (local system, OpenAPI document)."""
    from questline.http.routers import (
        achievements,
        awards,
        catalog,
        events,
        leaderboards,
        leaderboards_admin,
        quests,
        users,
    )

    routers = [events.router, users.router, awards.router, achievements.router, catalog.router, quests.router]
    return build_app(*routers, leaderboards.router, leaderboards_admin.router)
