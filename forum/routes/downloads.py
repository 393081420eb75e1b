"""A member's own data, to take away: GET /u/{username}/export."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forum.clock import isoformat, utcnow
from forum.db import member_data, users
from forum.routes._common import forum_of, member_of

FORMAT = "forum-member-export"


async def member_export(request: Request) -> Response:
    """Only the member themselves: their posts include deleted and hidden ones, and the flags
    they raised are private. 404 for an unknown name, 403 for anyone else (signed in or not)."""
    forum = forum_of(request)
    row = await users.by_username(forum.db, request.path_params["username"])
    if row is None:
        raise HTTPException(404, "No member has that username.")
    member = await member_of(request)
    if member is None or member.id != row["id"]:
        raise HTTPException(403, "Only the member can download what they wrote.")
    data = {"format": FORMAT, "version": 1, "exported_at": isoformat(utcnow()),
            **await member_data.everything_by(forum.db, member.id)}
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{row["username"]}-forum-export.json"',
        "Cache-Control": "private, no-store"})


routes = [
    Route("/u/{username}/export", member_export, name="member_export"),
]
