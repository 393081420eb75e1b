"""/admin: the forum at a glance for its administrators: who joined, how much is written,
what waits for moderators, who is connected, how big the database is."""

from __future__ import annotations

from datetime import timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.clock import utcnow
from forum.db import moderation, overview
from forum.routes._common import forum_of, member_of, render
from forum.web.bar_chart import bar_chart

JOINED_WITHIN = timedelta(days=7)
CHART_DAYS = 30


async def _require_admin(request: Request) -> None:
    """Refused as /mod refuses: 403 with the reason, checked here on the server."""
    member = await member_of(request)
    if member is None:
        raise HTTPException(403, "Log in as an administrator to see this page.")
    if not (member.is_admin and member.can_write):
        raise HTTPException(403, "Only administrators can see this page.")


async def admin_page(request: Request) -> Response:
    await _require_admin(request)
    forum = forum_of(request)
    now = utcnow()
    today = now.date()
    per_day = await overview.posts_per_day(forum.db, today - timedelta(days=CHART_DAYS - 1), today)
    response = await render(request, "admin/index.html", {
        "joined_this_week": await overview.members_joined_since(forum.db, now - JOINED_WITHIN),
        "posts_per_day": per_day,
        "posts_in_chart": sum(count for _, count in per_day),
        "chart": bar_chart([(day.isoformat(), count) for day, count in per_day]),
        "open_flags_count": await moderation.open_flag_count(forum.db),
        # This process's sockets: with several workers each counts its own, as /metrics does.
        "live_connections": forum.hub.counts.connections,
        "database_bytes": await overview.database_bytes(forum.db),
        "is_sqlite": forum.db.is_sqlite,
    })
    response.headers["cache-control"] = "no-store"
    return response


routes = [Route("/admin", admin_page, name="admin")]
