"""The OpenAPI document at /api/v1/openapi.json. A test checks it names exactly the routes
the API serves, so the two cannot drift apart."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from forum.reactions import NAMES as REACTION_NAMES


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
NSTR = {"type": ["string", "null"]}
TIME = {"type": "string", "format": "date-time"}
NTIME = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS: dict[str, Any] = {
    "Error": _obj(["error"], error=_obj(["code", "message", "fields"], code=STR, message=STR,
                                        fields={"type": "object", "additionalProperties": STR})),
    "User": _obj(["username", "display_name"], username=STR, display_name=STR, bio=STR,
                 role=STR, joined_at=TIME, url=STR, organisation=STR, location=STR, post_count=INT,
                 last_active_at=NTIME, id=INT, email=NSTR, email_confirmed=BOOL,
                 email_notifications={"type": "string", "enum": ["immediately", "daily", "off"]},
                 email_problem=STR),
    "Category": _obj(["slug", "name", "description", "thread_count"], slug=STR, name=STR,
                     description=STR, thread_count=INT),
    "Thread": _obj(["id", "title", "author", "created_at"], id=INT, title=STR, slug=STR,
                   author=STR, author_display_name=STR, created_at=TIME, last_activity_at=TIME,
                   reply_count=INT, pinned=BOOL, locked=BOOL, url=STR,
                   categories={"type": "array", "items": STR}, tags={"type": "array", "items": STR}),
    "Post": _obj(["id", "parent_id", "author", "body", "html", "created_at", "edited_at"],
                 id=INT, thread_id=INT, parent_id={"type": ["integer", "null"]}, depth=INT,
                 author=STR, author_display_name=STR, body=STR, html=STR, created_at=TIME,
                 edited_at=NTIME, deleted=BOOL, hidden=BOOL, hidden_reason=NSTR,
                 reactions={"type": "array", "items": {"$ref": "#/components/schemas/Reaction"}}),
    "Reaction": _obj(["emoji", "count", "mine"], emoji={"type": "string", "enum": list(REACTION_NAMES)},
                     count=INT, mine=BOOL),
    "Event": _obj(["id", "thread_id", "title", "starts_at", "ends_at", "location", "capacity",
                   "registered", "reserve"], id=INT, thread_id=INT, title=STR, starts_at=TIME,
                  ends_at=TIME, location=STR, capacity={"type": ["integer", "null"]}, registered=INT,
                  reserve=INT, seats_left={"type": ["integer", "null"]}, url=STR, timezone=NSTR,
                  cancelled=BOOL, cancel_note=STR),
    "Upload": _obj(["id", "url", "content_type", "size"], id=INT, url=STR, content_type=STR, size=INT,
                   name=STR, alt=STR, width=INT, height=INT, thumbnail_url=STR, display_url=STR),
}

EVENT_FIELDS = {"title": STR, "body": STR, "starts_at": TIME, "ends_at": TIME, "timezone": STR,
                "past": BOOL, "location": STR, "capacity": {"type": ["integer", "null"]},
                "categories": {"type": "array", "items": STR, "minItems": 1}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: int, response: dict[str, Any] | None, *, body: dict[str, Any] | None = None,
        auth: bool = False, params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    responses: dict[str, Any] = {str(ok): {"description": "OK", **(_json(response) if response else {})}}
    for status in ("400", "401", "403", "404") if (auth or body or params) else ("404",):
        responses[status] = {"description": "Error", **_json(_ref("Error"))}
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if body:
        # The server reads a missing body as {}: it may be left out when no field is required.
        op["requestBody"] = {"required": bool(body.get("required")), **_json(body)}
    if auth:
        op["security"] = [{"bearer": []}, {"cookie": []}]
    if params:
        op["parameters"] = params
    return op


def _upload_op() -> dict[str, Any]:
    """Multipart, unlike every other body, and with the two refusals only uploads give."""
    error = {"description": "Error", **_json(_ref("Error"))}
    return {"summary": "Upload a file or picture for a post (Markdown: ![alt](url) or [name](url)). "
                       "Pictures (JPEG, PNG, WebP, GIF) need alt and are re-encoded; files are PDF, "
                       "Office, OpenDocument, CSV or plain text, told by their content",
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": _obj(
                ["file"], file={"type": "string", "format": "binary"}, alt=STR)}}},
            "responses": {"201": {"description": "Stored", **_json(_ref("Upload"))},
                          **{status: error for status in ("400", "401", "403", "413", "429")}},
            "security": [{"bearer": []}, {"cookie": []}]}


def _path_param(name: str, kind: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": kind}


def _query_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": STR}


def _search_op() -> dict[str, Any]:
    """Posts by default; with in=messages (or in:messages in q) the signed-in member's own
    private messages, and a visitor is answered 401. The two kinds of result never mix."""
    post = _obj(["kind", "thread_id", "title", "post_id", "author", "channel", "snippet", "created_at"],
                kind={"const": "post"}, thread_id=INT, title=STR, slug=STR, post_id=INT, author=STR,
                author_display_name=STR, channel=STR, channel_name=STR, snippet=STR, created_at=TIME,
                title_match=BOOL, more_matches=INT)
    message = _obj(["kind", "private", "conversation_id", "message_id", "title", "author", "snippet",
                    "created_at", "url"],
                   kind={"const": "message"}, private={"const": True}, conversation_id=INT, message_id=INT,
                   title=STR, author=STR, author_display_name=STR, snippet=STR, created_at=TIME, url=STR)
    op = _op("Full-text search. Posts: one result per thread (its best match; more_matches counts "
             "the others), title matches first, then relevance, then the newest. in=messages: the "
             "signed-in member's messages in the conversations they are in, newest first", 200,
             _obj(["results", "next_cursor"], next_cursor=NSTR,
                  results={"type": "array", "items": {"oneOf": [post, message]}}),
             params=[_query_param(n) for n in ("q", "channel", "tag", "author", "from", "to", "cursor")]
             + [{"name": "in", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": ["posts", "messages"]}}])
    op["security"] = [{}, {"bearer": []}, {"cookie": []}]  # optional: messages need a member
    return op


THREAD_ID = _path_param("thread_id", INT)
TAG_NAMES = {"type": "array", "items": STR, "maxItems": 10}
LIBRARY_ITEM = _obj(["id", "thread_id", "kind", "title", "summary", "tags"], id=INT, thread_id=INT,
                    kind=STR, title=STR, summary=STR, tags={"type": "array", "items": STR}, url=STR,
                    reply_count=INT, featured=BOOL, created_at=TIME, link=STR, organisation=STR,
                    location=STR, resource_type=STR, year=INT, what_was_done=STR, outcomes=STR,
                    contact=STR, upload=_obj(["id", "url"], id=INT, url=STR, name=STR, content_type=STR,
                                             size=INT))
POST_ID = _path_param("post_id", INT)
EMOJI = _path_param("emoji", {"type": "string", "enum": list(REACTION_NAMES)})
REACTIONS_ANSWER = _obj(["reactions"], reactions={"type": "array", "items": _ref("Reaction")})
CONVERSATION_ID = _path_param("conversation_id", INT)
CONVERSATION = _obj(["id", "title", "participants", "last_message_at"], id=INT, title=STR,
                    participants={"type": "array", "items": STR}, last_message_at=TIME, unread=INT)
MESSAGE = _obj(["id", "author", "body", "html", "created_at"], id=INT, author=STR,
               author_display_name=STR, body=STR, html=STR, created_at=TIME)
THREAD_PAGE = _obj(["thread", "posts", "next_cursor"], thread=_ref("Thread"),
                   posts={"type": "array", "items": _ref("Post")}, next_cursor=NSTR)


def _thread_flag(verb: str) -> dict[str, Any]:
    return {"post": _op(f"{verb.capitalize()} a thread (moderators)", 200, _ref("Thread"),
                        auth=True, params=[THREAD_ID])}


PATHS: dict[str, Any] = {
    "/openapi.json": {"get": _op("This document", 200, {"type": "object"})},
    "/users": {"post": _op("Sign up", 201, _ref("User"), body=_obj(
        ["username", "password"], username=STR, password=STR, display_name=STR, email=STR)),
               "get": _op("The member directory: search by name or organisation; sort by joined, "
                          "active or name", 200, _obj(
                              ["users", "next_cursor"], users={"type": "array", "items": _ref("User")},
                              next_cursor=NSTR),
                          params=[_query_param(n) for n in ("q", "sort", "cursor")])},
    "/password-reset": {"post": _op(
        "Mail a one-use link to set a new password: 202 whatever the address, so nobody learns "
        "who is a member", 202, _obj(["status"], status=STR), body=_obj(["email"], email=STR))},
    "/password-reset/{token}": {"post": _op(
        "Set a new password through a mailed link (once, within an hour); every session and API "
        "token of the member ends", 200, _obj(["sessions_ended", "tokens_revoked"], sessions_ended=INT,
                                             tokens_revoked=INT),
        body=_obj(["password"], password=STR), params=[_path_param("token", STR)])},
    "/tokens": {"post": _op("Create an API token", 201, _obj(["token"], token=STR, username=STR),
                            body=_obj(["username", "password"], username=STR, password=STR))},
    "/me": {"get": _op("The signed-in member", 200, _ref("User"), auth=True),
            "patch": _op("Edit your own profile: only the fields sent change; null or \"\" empties one "
                         "(an empty display name is your username)", 200, _ref("User"), auth=True, body=_obj(
                [], display_name=NSTR, bio=NSTR, organisation=NSTR, location=NSTR, email=STR,
                email_notifications={"type": "string", "enum": ["immediately", "daily", "off"]}))},
    "/me/password": {"post": _op(
        "Change your password: every other session ends (with the cookie, this one stays) and every "
        "API token is revoked, the one asking too, unless keep_tokens is true", 200,
        _obj(["sessions_ended", "tokens_revoked"], sessions_ended=INT, tokens_revoked=INT), auth=True,
        body=_obj(["current_password", "new_password"], current_password=STR, new_password=STR,
                  confirm_password=STR, keep_tokens=BOOL))},
    "/me/sessions": {"get": _op("Your signed-in sessions, most recently seen first", 200, _obj(
        ["sessions"], sessions={"type": "array", "items": _obj(
            ["id", "created_at", "last_seen_at", "device", "current"], id=INT, created_at=TIME,
            last_seen_at=TIME, user_agent=STR, device=STR, current=BOOL)}), auth=True)},
    "/me/sessions/{session_id}": {"delete": _op("End one of your sessions", 204, None, auth=True,
                                                params=[_path_param("session_id", INT)])},
    "/me/tokens": {"get": _op("Your API tokens (never the tokens themselves)", 200, _obj(
        ["tokens"], tokens={"type": "array", "items": _obj(
            ["id", "created_at", "last_used_at"], id=INT, created_at=TIME, last_used_at=NTIME)}),
        auth=True)},
    "/me/tokens/{token_id}": {"delete": _op("Revoke one of your API tokens", 204, None, auth=True,
                                            params=[_path_param("token_id", INT)])},

    "/users/{username}": {"get": _op("A public profile", 200, _ref("User"),
                                     params=[_path_param("username", STR)])},
    "/categories": {"get": _op("Channels", 200, {"type": "array", "items": _ref("Category")})},
    "/categories/{slug}/threads": {"get": _op(
        "A channel's threads, pinned first, then by latest activity", 200,
        _obj(["threads", "next_cursor"], threads={"type": "array", "items": _ref("Thread")},
             next_cursor=NSTR), params=[_path_param("slug", STR), _query_param("cursor")])},
    "/threads": {"post": _op("Start a thread; tags: up to 10 names (a #tag in the body tags it too)",
                             201, _ref("Thread"), auth=True, body=_obj(
        ["title", "body", "categories"], title=STR, body=STR,
        categories={"type": "array", "items": STR, "minItems": 1}, tags=TAG_NAMES))},
    "/threads/{thread_id}/tags": {"put": _op(
        "Set a thread's tags (its starter or a moderator)", 200, _obj(["tags"], tags=TAG_NAMES),
        auth=True, params=[THREAD_ID], body=_obj(["tags"], tags=TAG_NAMES))},
    "/library": {
        "get": _op("Library items, newest (or sort=discussed: most replies) first; filter by kind "
                   "(resource or case_study), tag, channel and words", 200,
                   _obj(["items", "next_cursor"], items={"type": "array", "items": LIBRARY_ITEM},
                        next_cursor=NSTR),
                   params=[_query_param(n) for n in ("kind", "tag", "channel", "q", "sort", "cursor")]),
        "post": _op("Add a resource (needs a link or an upload_id) or a case study: a thread with fields",
                    201, _obj(["id", "thread_id"], id=INT, thread_id=INT), auth=True, body=_obj(
                        ["kind", "title", "body", "categories"],
                        kind={"type": "string", "enum": ["resource", "case_study"]}, title=STR, body=STR,
                        categories={"type": "array", "items": STR, "minItems": 1}, tags=TAG_NAMES,
                        link=STR, upload_id=INT, organisation=STR, location=STR, year=INT,
                        resource_type={"type": "string", "enum": ["toolkit", "guide", "report", "video",
                                                                  "website", "other"]},
                        what_was_done=STR, outcomes=STR, contact=STR))},
    "/tags": {"get": _op(
        "Tags starting with q (accents and case aside), most used first", 200,
        _obj(["tags"], tags={"type": "array", "items": _obj(["name", "thread_count"], name=STR,
                                                             thread_count=INT)}),
        params=[_query_param("q")])},
    "/tags/{tag}/threads": {"get": _op(
        "A tag's threads, by latest activity", 200,
        _obj(["threads", "next_cursor"], threads={"type": "array", "items": _ref("Thread")},
             next_cursor=NSTR, tag=_obj(["name", "thread_count"], name=STR, thread_count=INT)),
        params=[_path_param("tag", STR), _query_param("cursor")])},
    "/threads/{thread_id}": {"get": _op("A thread and one slice of its posts, in thread order",
                                        200, THREAD_PAGE, params=[THREAD_ID, _query_param("cursor")])},
    "/threads/{thread_id}/posts": {"post": _op(
        "Reply", 201, _ref("Post"), auth=True, params=[THREAD_ID],
        body=_obj(["body"], body=STR, parent_id={"type": ["integer", "null"]}))},
    "/threads/{thread_id}/pin": _thread_flag("pin"),
    "/threads/{thread_id}/unpin": _thread_flag("unpin"),
    "/threads/{thread_id}/lock": _thread_flag("lock"),
    "/threads/{thread_id}/unlock": _thread_flag("unlock"),
    "/threads/{thread_id}/move": {"post": _op(
        "Move a thread to these channels (moderators)", 200, _ref("Thread"), auth=True,
        params=[THREAD_ID], body=_obj(["categories"], categories={"type": "array", "items": STR}))},
    "/search": {"get": _search_op()},
    "/uploads": {"post": _upload_op()},
    "/search/suggest": {"get": _op(
        "Suggestions as the search box is typed in: up to 5 threads whose title holds the words "
        "(the last one a prefix) and up to 5 members whose username or display name starts so; "
        "empty lists while the text is too short", 200,
        _obj(["threads", "members"],
             threads={"type": "array", "items": _obj(["id", "title", "url"], id=INT, title=STR, url=STR)},
             members={"type": "array", "items": _obj(["username", "display_name", "url"],
                                                     username=STR, display_name=STR, url=STR)}),
        params=[_query_param("q")])},
    "/preview": {"post": _op("Render Markdown as a post would be, without storing it", 200,
                             _obj(["html"], html=STR), body=_obj(["body"], body=STR))},
    "/posts/{post_id}/hide": {"post": _op(
        "Hide a post from members, with a public reason (moderators)", 200, _ref("Post"),
        auth=True, params=[POST_ID], body=_obj(["reason"], reason=STR))},
    "/posts/{post_id}/restore": {"post": _op("Restore a hidden post (moderators)", 200, _ref("Post"),
                                             auth=True, params=[POST_ID])},
    "/conversations": {
        "post": _op("Start a private conversation with other members (at most 20 people)", 201,
                    _obj(["id"], id=INT), auth=True, body=_obj(
                        ["to", "body"], to={"type": "array", "items": STR, "minItems": 1},
                        title=STR, body=STR)),
        "get": _op("Your conversations, latest first, with how many messages are new", 200,
                   _obj(["conversations"], conversations={"type": "array", "items": CONVERSATION}),
                   auth=True)},
    "/conversations/{conversation_id}": {"get": _op(
        "A conversation you are in and a page of its messages (anyone else: 404)", 200,
        _obj(["conversation", "messages", "next_cursor"], conversation=CONVERSATION,
             messages={"type": "array", "items": MESSAGE}, next_cursor=NSTR),
        auth=True, params=[CONVERSATION_ID, _query_param("cursor")])},
    "/conversations/{conversation_id}/messages": {"post": _op(
        "Send a message to a conversation you are in", 201, MESSAGE, auth=True,
        params=[CONVERSATION_ID], body=_obj(["body"], body=STR))},
    "/conversations/{conversation_id}/read": {"post": _op(
        "Mark a conversation read up to a message; answers your unread count", 200,
        _obj(["unread"], unread=INT), auth=True, params=[CONVERSATION_ID],
        body=_obj(["up_to"], up_to=INT))},
    "/conversations/{conversation_id}/leave": {"post": _op(
        "Leave a conversation: it leaves your list; the others read that you left", 204, None,
        auth=True, params=[CONVERSATION_ID])},
    "/conversations/{conversation_id}/mute": {"post": _op(
        "Mute or unmute a conversation (no unread count or email from it)", 200,
        _obj(["muted"], muted=BOOL), auth=True, params=[CONVERSATION_ID],
        body=_obj(["muted"], muted=BOOL))},
    "/conversations/{conversation_id}/messages/{message_id}/report": {"post": _op(
        "Report one message of a conversation you are in to the moderators; they see that "
        "message, its author and time, you and your reason, and nothing else of the conversation",
        201, _obj(["id"], id=INT), auth=True, params=[CONVERSATION_ID, _path_param("message_id", INT)],
        body=_obj(["reason"], reason=STR))},
    "/posts/{post_id}/reactions/{emoji}": {
        "put": _op("React to a post with one of the fixed emoji (once each per member)", 200,
                   REACTIONS_ANSWER, auth=True, params=[POST_ID, EMOJI]),
        "delete": _op("Take your reaction back", 200, REACTIONS_ANSWER, auth=True,
                      params=[POST_ID, EMOJI])},
    "/posts/{post_id}/flag": {"post": _op(
        "Flag a post for the moderators (any member)", 201, _obj(["id"], id=INT, post_id=INT),
        auth=True, params=[POST_ID], body=_obj(["reason"], reason=STR))},
    "/posts/{post_id}/revisions": {"get": _op(
        "A post's earlier versions (author or moderator)", 200,
        _obj(["revisions"], revisions={"type": "array", "items": _obj(
            ["body", "edited_by", "created_at"], body=STR, edited_by=STR, created_at=TIME)}),
        auth=True, params=[POST_ID])},
    "/flags": {"get": _op("Open flags (moderators)", 200, _obj(["flags"], flags={
        "type": "array", "items": _obj(["id", "post_id", "reason"], id=INT, post_id=INT,
                                       thread_id=INT, reason=STR, reporter=STR, created_at=TIME)}),
        auth=True)},
    "/flags/{flag_id}/resolve": {"post": _op(
        "Resolve a flag: hide the post (the note is the public reason) or dismiss (moderators)",
        200, _obj(["id", "resolved"], id=INT, resolved=BOOL), auth=True,
        params=[_path_param("flag_id", INT)],
        body=_obj(["resolution"], resolution={"type": "string", "enum": ["hide", "dismiss"]}, note=STR))},
    "/banner": {
        "get": _op("The site banner", 200, _obj(["banner"], banner={"type": ["object", "null"]})),
        "post": _op("Show a site banner (moderators)", 200, _obj(["banner"], banner={"type": "object"}),
                    auth=True, body=_obj(["text"], text=STR)),
        "delete": _op("Clear the site banner (moderators)", 204, None, auth=True),
    },
    "/users/{username}/suspend": {"post": _op(
        "Suspend a member: they can read but not write (moderators)", 200,
        _obj(["username"], username=STR, done=STR), auth=True, params=[_path_param("username", STR)])},
    "/users/{username}/unsuspend": {"post": _op(
        "Restore a suspended member (moderators)", 200, _obj(["username"], username=STR, done=STR),
        auth=True, params=[_path_param("username", STR)])},
    "/users/{username}/role": {"post": _op(
        "Set a member's role (admins)", 200, _obj(["username"], username=STR, done=STR), auth=True,
        params=[_path_param("username", STR)],
        body=_obj(["role"], role={"type": "string", "enum": ["member", "moderator", "admin"]}))},
    "/notifications": {"get": _op(
        "Your notifications, newest first, a page at a time: replies to you, mentions, moderator "
        "actions on your posts", 200,
        _obj(["notifications", "unread", "next_cursor"], unread=INT, next_cursor=NSTR,
             notifications={"type": "array", "items": _obj(
            ["id", "kind", "read", "created_at", "thread_id", "post_id", "actor"], id=INT, kind=STR,
            read=BOOL, created_at=TIME, thread_id={"type": ["integer", "null"]},
            post_id={"type": ["integer", "null"]}, actor=NSTR, note=STR)}), auth=True,
        params=[_query_param("cursor")])},
    "/notifications/read": {"post": _op(
        "Mark these notifications read, or all of them without ids (or with null)", 200,
        _obj(["unread"], unread=INT), auth=True,
        body=_obj([], ids={"type": ["array", "null"], "items": INT}))},
    "/events": {
        "get": _op("Upcoming events, soonest first (or past ones with when=past, latest first)", 200,
                   _obj(["events"], events={"type": "array", "items": _ref("Event")}),
                   params=[_query_param("when")]),
        "post": _op("Create an event: a thread with a date, place and seats (moderators). Times are "
                    "ISO 8601 with an offset, or without one and a timezone name (kept, so the edit "
                    "form shows them in it). A start in the past is refused unless past is true "
                    "(recording an event that is over)", 201, _ref("Event"),
                    auth=True, body=_obj(["title", "body", "starts_at", "ends_at", "location",
                                          "categories"], **EVENT_FIELDS)),
    },
    "/events/{event_id}": {
        "get": _op("One event", 200, _ref("Event"), params=[_path_param("event_id", INT)]),
        "patch": _op("Edit an event (moderators); more seats go to the reserve list at once. "
                     "A start moved into the past needs past: true", 200,
                     _ref("Event"), auth=True, params=[_path_param("event_id", INT)],
                     body=_obj(["title", "body", "starts_at", "ends_at", "location"], **EVENT_FIELDS)),
    },
    "/events/{event_id}/cancel": {
        "post": _op("Cancel the event (moderators), with an optional note saying why: it takes no "
                    "more registrations, and everyone registered or on the reserve list is told and "
                    "emailed, once. Cancelling it again changes nothing", 200, _ref("Event"), auth=True,
                    params=[_path_param("event_id", INT)], body=_obj([], note=STR)),
    },
    "/events/{event_id}/registration": {
        "post": _op("Register: a seat, or a place on the reserve list when the seats are taken", 201,
                    _obj(["status", "position"], status={"type": "string", "enum": ["registered", "reserve"]},
                         position={"type": ["integer", "null"]}), auth=True,
                    params=[_path_param("event_id", INT)]),
        "delete": _op("Cancel your registration; a freed seat goes to the first on the reserve list", 204,
                      None, auth=True, params=[_path_param("event_id", INT)]),
    },
    "/posts/{post_id}": {
        "get": _op("One post", 200, _ref("Post"), params=[POST_ID]),
        "patch": _op("Edit a post (author or moderator)", 200, _ref("Post"), auth=True,
                     params=[POST_ID], body=_obj(["body"], body=STR)),
        "delete": _op("Delete a post (author or moderator)", 204, None, auth=True, params=[POST_ID]),
    },
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "Forum API", "version": "1"},
    "servers": [{"url": "/api/v1"}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "cookie": {"type": "apiKey", "in": "cookie", "name": "forum_session",
                       "description": "Writes also need the X-CSRF-Token header."},
        },
    },
}


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(DOCUMENT)


routes = [Route("/openapi.json", openapi, methods=["GET"])]
