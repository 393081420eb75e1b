"""create_app(settings): the route table, middleware and lifespan (database, hub)."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount

from forum.actions.events import send_reminders
from forum.actions.upload_sweep import sweep_periodically
from forum.auth import Passwords, Signer
from forum.clock import utcnow
from forum.db import channels
from forum.db.engine import Database
from forum.db.forum_id import forum_id
from forum.mail.mailer import Mailer
from forum.mail.notification_mail import email_notifications_periodically
from forum.metrics import ForumMetrics, MetricsMiddleware
from forum.ratelimit import rate_limiter_for
from forum.realtime.backends import backend_for
from forum.realtime.hub import Hub
from forum.routes import (
    account_security,
    accounts,
    admin,
    blocks,
    downloads,
    events,
    follows,
    health,
    library,
    members,
    message_reports,
    messages,
    metrics,
    moderation,
    notifications,
    password_reset,
    search,
    settings_pages,
    tags,
    threads,
    unsubscribe,
    uploads,
    welcome,
)
from forum.routes import channels as channel_routes
from forum.routes.api import accounts as api_accounts
from forum.routes.api import conversations as api_conversations
from forum.routes.api import discussions as api_discussions
from forum.routes.api import events as api_events
from forum.routes.api import library as api_library
from forum.routes.api import moderation as api_moderation
from forum.routes.api import openapi, preview
from forum.routes.api import tags as api_tags
from forum.routes.api import uploads as api_uploads
from forum.routes.websocket import routes as websocket_routes
from forum.services import Forum
from forum.settings import Settings
from forum.storage import storage_for
from forum.web import errors, static_files
from forum.web.allowed_methods import AllowedMethodsMiddleware
from forum.web.invalidation import Invalidation
from forum.web.middleware import (
    DatabaseUnavailableMiddleware,
    LiveResumePointMiddleware,
    OneConnectionPerRequestMiddleware,
    SecurityHeadersMiddleware,
)
from forum.web.page_cache import PageCache, PageCacheMiddleware
from forum.web.request_id import RequestIdMiddleware
from forum.web.static_files import STATIC_DIR, CachedStaticFiles
from forum.web.templating import Templates

log = logging.getLogger("forum")

# How often the reminder loop looks for events starting within a day.
REMINDER_EVERY_SECONDS = 300


async def remind_periodically(forum: Forum, every: float = REMINDER_EVERY_SECONDS) -> None:
    """Reminders for tomorrow's events, every few minutes, for as long as the app runs."""
    while True:
        await asyncio.sleep(every)  # first wait: a starting (or briefly run) app is left in peace
        try:
            await send_reminders(forum, utcnow())
        except asyncio.CancelledError:
            raise
        except Exception:  # the database may be restarting: try again next round
            log.exception("sending event reminders failed")


def _freeze_the_heap() -> None:
    """Move everything alive once the forum has started (modules, tables, templates, caches:
    some 90,000 objects) out of the garbage collector's sight. A full collection walks every
    tracked object, and with a thousand live connections it took 90-150 ms, a pause every
    reader feels; not walking what lives as long as the process cuts that to 20-100 ms."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, *, freeze_after_start: bool = False) -> Starlette:
    """`freeze_after_start` is for a server process (forum/asgi.py): see `_freeze_the_heap`."""
    settings = settings or Settings.from_env()
    forum_metrics = ForumMetrics()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        db = Database(settings.database_url)
        await db.connect()
        await channels.ensure_defaults(db)
        our_id = await forum_id(db)  # names everything this forum puts in a shared Redis
        # What a change invalidates: this process's events as they commit (registered before
        # the hub's wake-up, so caches are dropped first), every process's as the hub reads them.
        invalidation = Invalidation()
        db.watch_commits("live_log", invalidation.committed)
        hub = Hub(db, backend_for(settings.broadcast_url, our_id),
                  log_max_count=settings.live_log_max_count,
                  log_max_age_seconds=settings.live_log_max_age_seconds)
        hub.watch_log(invalidation.events)
        await hub.start()
        forum_metrics.watch_live(hub.counts)
        db.on_connection_wait = forum_metrics.connection_wait.observe
        limits = rate_limiter_for(settings.rate_limits, settings.broadcast_url, our_id)
        forum = Forum(settings=settings, db=db, hub=hub, invalidation=invalidation, templates=Templates(),
                      signer=Signer(settings.secret_key), limits=limits,
                      passwords=Passwords(settings.password_hasher), mailer=Mailer(settings, db),
                      uploads=storage_for(settings.uploads_url, settings.database_url))
        reminders = asyncio.create_task(remind_periodically(forum))
        mail_sender = asyncio.create_task(forum.mailer.sender.run())
        notification_mail = asyncio.create_task(email_notifications_periodically(forum))
        upload_sweep = asyncio.create_task(sweep_periodically(forum))
        loop_watch = asyncio.create_task(forum_metrics.loop_watch.run())
        if freeze_after_start:
            _freeze_the_heap()
        try:
            page_cache = PageCache()
            invalidation.register(page_cache)
            yield {"forum": forum, "page_cache": page_cache, "metrics": forum_metrics}
        finally:
            for task in (reminders, mail_sender, notification_mail, upload_sweep, loop_watch):
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
            await hub.stop()
            await forum.limits.close()
            await forum.uploads.close()
            await forum.pictures.close()
            await db.disconnect()

    api = [*api_accounts.routes, *api_discussions.routes, *api_moderation.routes, *api_events.routes,
           *api_conversations.routes, *search.api_routes,
           *notifications.api_routes, *preview.routes, *api_uploads.routes, *api_tags.routes,
           *api_library.routes,           *openapi.routes]
    routes = [
        # First: nothing else starts with /api/v1, and an API call then skips testing every
        # page's pattern before its own (tests/test_routes.py checks no page route overlaps).
        Mount("/api/v1", routes=api, name="api"),
        *channel_routes.routes,
        *follows.routes,
        *tags.routes,  # before threads': /t/{id}/tags is not a thread's slug
        *threads.routes,
        *accounts.routes,
        *account_security.routes,
        *settings_pages.routes,
        *password_reset.routes,
        *unsubscribe.routes,
        *members.routes,
        *downloads.routes,
        *uploads.routes,
        *welcome.routes,
        *notifications.routes,
        *messages.routes,
        *message_reports.routes,
        *blocks.routes,  # before moderation's /u/{username}/{action}
        *health.routes,
        *metrics.routes,
        *moderation.routes,
        *admin.routes,
        *events.routes,
        *library.routes,
        *search.routes,
        *websocket_routes,
        *static_files.routes,
        Mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static"),
    ]
    return Starlette(
        routes=routes,
        # Metrics outermost, so they time everything below. Compression next, so every page,
        # API answer and static file is compressed; it leaves the WebSocket alone, and flushes
        # each chunk of a streamed body as it goes.
        middleware=[Middleware(MetricsMiddleware, metrics=forum_metrics, routes=routes),
                    Middleware(RequestIdMiddleware),
                    Middleware(GZipMiddleware, minimum_size=500, compresslevel=6),
                    Middleware(SecurityHeadersMiddleware),
                    Middleware(AllowedMethodsMiddleware, routes=routes),
                    Middleware(DatabaseUnavailableMiddleware),
                    # Before the database connection: a visitor's cached page needs none.
                    Middleware(PageCacheMiddleware),
                    Middleware(LiveResumePointMiddleware),
                    Middleware(OneConnectionPerRequestMiddleware)],
        exception_handlers=errors.handlers,
        lifespan=lifespan,
    )
