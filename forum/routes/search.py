"""Search: the /search page and GET /api/v1/search, one query behind both; and the
suggestions under the header box, GET /api/v1/search/suggest.

Two scopes, never mixed: forum posts (the default), or with `in=messages` (or `in:messages`
typed) the searcher's own private messages, for signed-in members only."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from forum.auth import Member
from forum.clock import isoformat
from forum.db import channels, conversations, cursors, message_search, suggestions, tags
from forum.db import search as search_queries
from forum.routes._common import forum_of, member_of, render
from forum.routes.api._common import ApiError
from forum.routes.messages import others_names
from forum.search_query import (
    MAX_QUERY_CHARACTERS,
    MAX_TERMS,
    MIN_QUERY_CHARACTERS,
    QueryError,
    SearchQuery,
    folded_words,
    parse,
    snippet,
)
from forum.tag_names import is_valid_name, tag_key
from forum.text import text_as_read
from forum.validation import ValidationError, plain_text, storable
from forum.web.templating import thread_url, user_url

RESULTS_PER_PAGE = 20
SUGGESTIONS_OF_EACH_KIND = 5  # threads and members: a glance, not a results page
SCOPES = ("posts", "messages")


class LoginRequired(Exception):
    """Messages were asked for by a visitor: there is nothing of theirs to search."""


def _date(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError({field: "Use a date like 2026-11-22."}) from None


async def run_search(request: Request) -> tuple[list[dict[str, Any]], str | None]:
    """Raises ValidationError naming the field when the query or a filter is unusable, and
    LoginRequired when a visitor asks for messages."""
    params = request.query_params
    for field in ("q", "author", "channel", "tag", "in"):
        plain_text(params.get(field), field)  # a NUL would be a database error on PostgreSQL
    scope = params.get("in") or "posts"
    if scope not in SCOPES:
        raise ValidationError({"in": "Search in posts or messages."})
    try:
        query = parse(params.get("q", ""), params.get("author"))
    except QueryError as error:
        raise ValidationError({"q": str(error)}) from None
    since, until = _date(params.get("from"), "from"), _date(params.get("to"), "to")
    member = await member_of(request)
    try:
        if scope == "messages" or query.in_messages:
            if member is None:
                raise LoginRequired()
            return await _search_messages(request, member, query, since, until)
        return await _search_posts(request, member, query, since, until)
    except cursors.BadCursor as error:
        raise ValidationError({"cursor": str(error)}) from None


async def _search_posts(request: Request, member: Member | None, query: SearchQuery, since: date | None,
                        until: date | None) -> tuple[list[dict[str, Any]], str | None]:
    params = request.query_params
    channel = params.get("channel") or None
    db = forum_of(request).db
    if channel and await channels.by_slug(db, channel) is None:
        raise ValidationError({"channel": "No channel has that name."})
    tag = None
    if tag_name := (params.get("tag") or "").strip().removeprefix("#"):
        tag = await tags.by_key(db, tag_key(tag_name)) if is_valid_name(tag_name) else None
        if tag is None:
            raise ValidationError({"tag": "No thread carries that tag."})
    rows, next_cursor = await search_queries.search(
        db, query, channel=channel, tag=tag["id"] if tag else None, since=since, until=until,
        cursor=params.get("cursor"), limit=RESULTS_PER_PAGE,
        include_hidden=bool(member and member.is_moderator))
    results = [{"kind": "post", "thread_id": r["thread_id"], "title": r["title"], "slug": r["slug"],
                "post_id": r["post_id"], "author": r["author"],
                "author_display_name": r["author_display_name"], "channel": r["channel"],
                "channel_name": r["channel_name"],
                "snippet": str(snippet(text_as_read(r["html"]), query)),
                "created_at": isoformat(r["created_at"]),
                "title_match": bool(r["title_hit"]), "more_matches": r["more_matches"]}
               for r in rows]
    return results, next_cursor


async def _search_messages(request: Request, member: Member, query: SearchQuery, since: date | None,
                           until: date | None) -> tuple[list[dict[str, Any]], str | None]:
    params = request.query_params
    for field in ("channel", "tag"):  # a message is in no channel and carries no tag
        if params.get(field):
            raise ValidationError({field: "Private messages have no channels or tags: leave this empty."})
    db = forum_of(request).db
    rows, next_cursor = await message_search.search(
        db, query, member_id=member.id, since=since, until=until, cursor=params.get("cursor"),
        limit=RESULTS_PER_PAGE)
    people = await conversations.participants_of(db, sorted({r["conversation_id"] for r in rows}))
    results = [{"kind": "message", "private": True, "conversation_id": r["conversation_id"],
                "message_id": r["id"],
                "title": r["title"] or others_names(people[r["conversation_id"]], member),
                "author": r["author"], "author_display_name": r["author_display_name"],
                "snippet": str(snippet(text_as_read(r["html"]), query)),
                "created_at": isoformat(r["created_at"]),
                "url": f"/messages/{r['conversation_id']}?at={r['id']}#message-{r['id']}"}
               for r in rows]
    return results, next_cursor


async def search_page(request: Request) -> Response:
    params = request.query_params
    context: dict[str, Any] = {"params": dict(params), "results": None, "next_cursor": None,
                               "errors": {}, "channels": await channels.all_channels(forum_of(request).db)}
    status = 200
    if params.get("q") or params.get("author"):
        try:
            context["results"], context["next_cursor"] = await run_search(request)
        except ValidationError as error:
            context["errors"], status = error.fields, 400
        except LoginRequired:
            here = quote(f"{request.url.path}?{request.url.query}", safe="/")
            return RedirectResponse(f"/login?next={here}", status_code=303)
    return await render(request, "search.html", context, status_code=status)


async def search_api(request: Request) -> JSONResponse:
    try:
        results, next_cursor = await run_search(request)
    except ValidationError as error:
        raise ApiError(400, "invalid", "; ".join(error.fields.values()), error.fields) from None
    except LoginRequired:
        raise ApiError(401, "unauthenticated", "Sign in to search your messages.") from None
    return JSONResponse({"results": results, "next_cursor": next_cursor})


async def suggest_api(request: Request) -> JSONResponse:
    """Quiet by design: whatever is typed, an answer (empty while it is too short to use)."""
    typed = request.query_params.get("q", "")
    threads: list[Any] = []
    members: list[Any] = []
    if storable(typed) and len(typed) <= MAX_QUERY_CHARACTERS:
        db = forum_of(request).db
        words = folded_words(typed)[:MAX_TERMS]
        if sum(len(w) for w in words) >= MIN_QUERY_CHARACTERS:
            threads = await suggestions.threads_by_title(db, words, SUGGESTIONS_OF_EACH_KIND)
        name = typed.strip().lstrip("@")
        if len(name) >= MIN_QUERY_CHARACTERS:
            members = await suggestions.members_by_name(db, name, SUGGESTIONS_OF_EACH_KIND)
    return JSONResponse({
        "threads": [{"id": t["id"], "title": t["title"], "url": thread_url(t)} for t in threads],
        "members": [{"username": m["username"], "display_name": m["display_name"],
                     "url": user_url(m["username"])} for m in members]})


routes = [Route("/search", search_page, name="search")]
api_routes = [Route("/search", search_api, methods=["GET"]),
              Route("/search/suggest", suggest_api, methods=["GET"])]
