"""API plumbing: errors as {"error": {code, message, fields}}, JSON bodies, authentication with
CSRF for cookie-authenticated writes, and the shapes of things sent out."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from forum.auth import CSRF_COOKIE, CSRF_HEADER, Member
from forum.characters import readable, text_problem
from forum.clock import isoformat
from forum.ids import MAX_ID, parse_id
from forum.reactions import api_reactions
from forum.routes._common import forum_of, member_of
from forum.validation import storable
from forum.web.templating import thread_url

MAX_JSON_BYTES = 256 * 1024


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}

    def response(self) -> JSONResponse:
        return error_response(self.status, self.code, self.message, self.fields)


def error_response(status: int, code: str, message: str,
                   fields: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "fields": fields or {}}},
                        status_code=status)


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")  # Python's json reads NaN and Infinity; JSON has neither


async def json_body(request: Request) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_JSON_BYTES:
        raise ApiError(413, "too_large", f"Request bodies are limited to {MAX_JSON_BYTES} bytes.")
    try:
        data = json.loads(body or b"{}", parse_constant=_not_json)
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested thousands deep
        raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "The request body must be a JSON object.")
    for field, value in data.items():
        if not storable(field) or not storable(value):
            why = text_problem(value) if isinstance(value, str) else None  # the words forms use
            raise ApiError(400, "invalid", f"{field!a} holds a NUL character or half a surrogate pair.",
                           {readable(str(field)): why or "must be plain text"})
    return data


async def require_member(request: Request, *, write: bool = True) -> Member:
    member = await member_of(request)
    if member is None:
        raise ApiError(401, "unauthenticated",
                       "Sign in: send the session cookie or 'Authorization: Bearer <token>'.")
    if write and request.scope.get("forum.cookie_auth"):
        signer = forum_of(request).signer
        if not signer.csrf_valid(request.cookies.get(CSRF_COOKIE), request.headers.get(CSRF_HEADER)):
            raise ApiError(403, "csrf_failed",
                           "Cookie-authenticated writes need the X-CSRF-Token header.")
    return member


def path_id(request: Request, field: str) -> int:
    """A path id for the two paths that name their field when it is not digits (a 400, as they
    have since they were made); digits that are no id are a 404, as the `:id` convertor answers."""
    text = request.path_params[field]
    if parse_id(text) is None and text.isascii() and text.isdigit():
        raise ApiError(404, "not_found", f"No {field.removesuffix('_id')} has that id.")
    return int_param(text, field)


def int_param(value: Any, field: str) -> int:
    """An id from a JSON body: a JSON integer or its digits as text (not 1.5, not true)."""
    number = parse_id(value)
    if number is None:
        raise ApiError(400, "invalid", f"{field} must be a whole number from 1 to {MAX_ID}.",
                       {field: f"must be a whole number from 1 to {MAX_ID}"})
    return number


def user_json(row: Any, *, public: bool = True) -> dict[str, Any]:
    data = {"username": row["username"], "display_name": row["display_name"],
            "bio": row["bio"], "role": row["role"], "joined_at": isoformat(row["created_at"]),
            "organisation": row["organisation"], "location": row["location"],
            "post_count": row["post_count"], "last_active_at": isoformat(row["last_active_at"]),
            "url": f"/u/{row['username']}"}
    if not public:
        data["id"] = row["id"]
        data.update(email=row["email"], email_confirmed=row["email_confirmed_at"] is not None,
                    email_notifications=row["email_notifications"], email_problem=row["email_problem"])
    return data


def thread_json(row: Any, channel_slugs: list[str] | None = None) -> dict[str, Any]:
    data = {"id": row["id"], "title": row["title"], "slug": row["slug"],
            "author": row["author_username"], "author_display_name": row["author_display_name"],
            "created_at": isoformat(row["created_at"]),
            "last_activity_at": isoformat(row["last_activity_at"]),
            "reply_count": row["reply_count"], "pinned": bool(row["pinned"]),
            "locked": bool(row["locked"]), "url": thread_url(row)}
    if channel_slugs is not None:
        data["categories"] = channel_slugs
    return data


def post_json(row: Any, *, reveal_hidden: bool = False,
              mine: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    """A post as the API shows it; hidden posts' words only to moderators (reveal_hidden).
    `mine`: the emoji the asking member reacted with."""
    deleted = row["deleted_at"] is not None
    hidden = row["hidden_at"] is not None
    withheld = deleted or (hidden and not reveal_hidden)
    return {"id": row["id"], "thread_id": row["thread_id"], "parent_id": row["parent_id"],
            "depth": row["depth"], "author": row["author_username"],
            "author_display_name": row["author_display_name"],
            "body": "" if withheld else row["body"], "html": "" if withheld else row["html"],
            "created_at": isoformat(row["created_at"]), "edited_at": isoformat(row["edited_at"]),
            "deleted": deleted, "hidden": hidden,
            "hidden_reason": row["hidden_reason"] if hidden else None,
            "reactions": [] if withheld else api_reactions(row["reactions"], mine)}
