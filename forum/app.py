"""create_app(settings): the route table, middleware and lifespan (database, hub)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from forum import errors
from forum.auth import Signer
from forum.db import channels
from forum.db.engine import Database
from forum.middleware import OneConnectionPerRequestMiddleware, SecurityHeadersMiddleware
from forum.realtime.backends import backend_for
from forum.realtime.hub import Hub
from forum.routes import accounts, health, moderation, search, threads
from forum.routes import channels as channel_routes
from forum.routes.api import accounts as api_accounts
from forum.routes.api import discussions as api_discussions
from forum.routes.api import openapi
from forum.routes.websocket import routes as websocket_routes
from forum.services import Forum
from forum.settings import Settings
from forum.templating import STATIC_DIR, Templates


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        db = Database(settings.database_url)
        await db.connect()
        await channels.ensure_defaults(db)
        hub = Hub(db, backend_for(settings.broadcast_url),
                  log_max_count=settings.event_log_max_count,
                  log_max_age_seconds=settings.event_log_max_age_seconds)
        await hub.start()
        forum = Forum(settings=settings, db=db, hub=hub, templates=Templates(),
                      signer=Signer(settings.secret_key))
        try:
            yield {"forum": forum}
        finally:
            await hub.stop()
            await db.disconnect()

    api = [*api_accounts.routes, *api_discussions.routes, *search.api_routes, *openapi.routes]
    routes = [
        *channel_routes.routes,
        *threads.routes,
        *accounts.routes,
        *health.routes,
        *moderation.routes,
        *search.routes,
        *websocket_routes,
        Mount("/api/v1", routes=api, name="api"),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeadersMiddleware),
                    Middleware(OneConnectionPerRequestMiddleware)],
        exception_handlers=errors.handlers,  # type: ignore[arg-type]
        lifespan=lifespan,
    )
