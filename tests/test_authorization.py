"""The authorization table: every action against every kind of actor, through the JSON API
and through the form routes, each with its expected outcome. The server decides; what a page
shows or hides is not what is being tested. Private conversations have a table of their own:
anyone outside one is told it does not exist (404), whatever their role."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from forum.actions import conversations as conversation_actions
from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.auth import SESSION_COOKIE, Member
from forum.db import moderation, sessions, users
from tests.forum_command import CHEAP_HASHER
from tests.helpers import csrf_token

ACTORS = ("anonymous", "member", "author", "suspended", "moderator", "admin")
WRITERS = {"member", "author", "moderator", "admin"}
MODERATORS = {"moderator", "admin"}
ALLOWED: dict[str, set[str]] = {
    "read": set(ACTORS),
    "post": WRITERS,
    "reply": WRITERS,
    "edit": {"author", "moderator", "admin"},
    "delete": {"author", "moderator", "admin"},
    "flag": WRITERS,
    "react": WRITERS,
    "pin": MODERATORS,
    "lock": MODERATORS,
    "move": MODERATORS,
    "hide": MODERATORS,
    "suspend": MODERATORS,
    "set role": {"admin"},
    "set banner": MODERATORS,
}
# Form routes that send a visitor to log in rather than refusing outright.
LOGIN_FIRST = {"post", "reply", "flag", "react"}
CASES = [(action, actor) for action in ALLOWED for actor in ACTORS]
_HASH = CHEAP_HASHER.hash("authorization-table")  # one argon2 hash for every actor: speed


@pytest.fixture
def database_url(tmp_path, sqlite_template):
    """The rules live in the actions, not the engine: SQLite keeps this 156-case table quick."""
    path = tmp_path / "forum.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@dataclass
class Scene:
    thread: int
    post: int
    members: dict[str, Member]


@pytest.fixture
async def scene(forum) -> Scene:
    members = {}
    for name, role in [
        ("author", "member"),
        ("member", "member"),
        ("suspended", "member"),
        ("moderator", "moderator"),
        ("admin", "admin"),
        ("target", "member"),
    ]:
        user_id = await users.insert(
            forum.db, username=name, display_name=name.title(), password_hash=_HASH, role=role
        )
        members[name] = Member.from_row(await users.by_id(forum.db, user_id))
    thread = await thread_actions.create_thread(forum, members["author"], "T", "Opening", ["general-chat"])
    post = (await post_actions.reply(forum, members["author"], thread, "A reply by the author"))["id"]
    await moderation.set_suspended(forum.db, members["suspended"].id, True)
    return Scene(thread, post, members)


def api_request(action: str, s: Scene) -> tuple[str, str, dict[str, Any] | None]:
    t, p = s.thread, s.post
    return {
        "read": ("GET", f"/api/v1/threads/{t}", None),
        "post": ("POST", "/api/v1/threads", {"title": "New", "body": "B", "categories": ["general-chat"]}),
        "reply": ("POST", f"/api/v1/threads/{t}/posts", {"body": "Reply"}),
        "edit": ("PATCH", f"/api/v1/posts/{p}", {"body": "Edited"}),
        "delete": ("DELETE", f"/api/v1/posts/{p}", None),
        "flag": ("POST", f"/api/v1/posts/{p}/flag", {"reason": "Spam"}),
        "react": ("PUT", f"/api/v1/posts/{p}/reactions/heart", None),
        "pin": ("POST", f"/api/v1/threads/{t}/pin", None),
        "lock": ("POST", f"/api/v1/threads/{t}/lock", None),
        "move": ("POST", f"/api/v1/threads/{t}/move", {"categories": ["tools-methods"]}),
        "hide": ("POST", f"/api/v1/posts/{p}/hide", {"reason": "Off topic"}),
        "suspend": ("POST", "/api/v1/users/target/suspend", None),
        "set role": ("POST", "/api/v1/users/target/role", {"role": "moderator"}),
        "set banner": ("POST", "/api/v1/banner", {"text": "Hello all"}),
    }[action]


def form_request(action: str, s: Scene) -> tuple[str, dict[str, Any]]:
    t, p = s.thread, s.post
    return {
        "read": (f"/t/{t}", {}),
        "post": ("/c/general-chat/new", {"title": "New", "body": "B", "categories": ["general-chat"]}),
        "reply": (f"/t/{t}/reply", {"body": "Reply"}),
        "edit": (f"/p/{p}/edit", {"body": "Edited"}),
        "delete": (f"/p/{p}/delete", {}),
        "flag": (f"/p/{p}/flag", {"reason": "Spam"}),
        "react": (f"/p/{p}/react", {"emoji": "heart"}),
        "pin": (f"/t/{t}/pin", {}),
        "lock": (f"/t/{t}/lock", {}),
        "move": (f"/t/{t}/move", {"categories": ["tools-methods"]}),
        "hide": (f"/p/{p}/hide", {"reason": "Off topic"}),
        "suspend": ("/u/target/suspend", {}),
        "set role": ("/u/target/role", {"role": "moderator"}),
        "set banner": ("/mod/banner", {"text": "Hello all"}),
    }[action]


@pytest.mark.parametrize("action,actor", CASES)
async def test_api(client: httpx.AsyncClient, forum, scene: Scene, action: str, actor: str):
    headers = {}
    if actor != "anonymous":
        headers["Authorization"] = "Bearer " + await sessions.create_api_token(
            forum.db, scene.members[actor].id
        )
    method, path, body = api_request(action, scene)
    response = await client.request(method, path, headers=headers, json=body)
    if actor in ALLOWED[action]:
        assert response.status_code in (200, 201, 204), response.text
    else:
        assert response.status_code == (401 if actor == "anonymous" else 403), response.text
        assert response.json()["error"]["message"]


@pytest.mark.parametrize("action,actor", CASES)
async def test_forms(client: httpx.AsyncClient, forum, scene: Scene, action: str, actor: str):
    if actor != "anonymous":
        token = await sessions.create_session(forum.db, scene.members[actor].id)
        client.cookies.set(SESSION_COOKIE, forum.signer.sign_session(token))
    path, data = form_request(action, scene)
    if action == "read":
        response = await client.get(path)
    else:
        response = await client.post(path, data={**data, "csrf_token": await csrf_token(client)})
    if actor in ALLOWED[action]:
        assert response.status_code in (200, 303), response.text
        if response.status_code == 303:
            assert not response.headers["location"].startswith("/login")
    elif actor == "anonymous" and action in LOGIN_FIRST:
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    else:
        assert response.status_code == 403, response.text


# -- private conversations ----------------------------------------------------------------
# "author" and "suspended" are in the conversation "target" began; "member", "moderator" and
# "admin" are not, and must not learn it exists.
PARTICIPANTS = {"author", "suspended"}
CONVERSATION_ALLOWED: dict[str, set[str]] = {
    "read conversation": PARTICIPANTS,
    "send message": {"author"},
    "leave conversation": PARTICIPANTS,
    "mute conversation": PARTICIPANTS,
    "report message": {"author"},
}
CONVERSATION_CASES = [(action, actor) for action in CONVERSATION_ALLOWED for actor in ACTORS]


@dataclass
class Talk:
    conversation: int
    message: int  # written by "target", so the participants may report it


@pytest.fixture
async def talk(forum, scene: Scene) -> Talk:
    m = scene.members
    conversation = await conversation_actions.start(forum, m["target"], ["author", "suspended"],
                                                    "Secret plans", "Hello both")
    message = (await conversation_actions.send(forum, m["target"], conversation, "Are you there?"))["id"]
    return Talk(conversation, message)


def conversation_api_request(action: str, t: Talk) -> tuple[str, str, dict[str, Any] | None]:
    c = f"/api/v1/conversations/{t.conversation}"
    return {
        "read conversation": ("GET", c, None),
        "send message": ("POST", f"{c}/messages", {"body": "Hi"}),
        "leave conversation": ("POST", f"{c}/leave", None),
        "mute conversation": ("POST", f"{c}/mute", {"muted": True}),
        "report message": ("POST", f"{c}/messages/{t.message}/report", {"reason": "Rude"}),
    }[action]


def conversation_form_request(action: str, t: Talk) -> tuple[str, dict[str, Any]]:
    c = f"/messages/{t.conversation}"
    return {
        "read conversation": (c, {}),
        "send message": (c, {"body": "Hi"}),
        "leave conversation": (f"{c}/leave", {}),
        "mute conversation": (f"{c}/mute", {"muted": "1"}),
        "report message": (f"{c}/report/{t.message}", {"reason": "Rude"}),
    }[action]


@pytest.mark.parametrize("action,actor", CONVERSATION_CASES)
async def test_conversation_api(client: httpx.AsyncClient, forum, scene: Scene, talk: Talk,
                                action: str, actor: str):
    headers = {}
    if actor != "anonymous":
        headers["Authorization"] = "Bearer " + await sessions.create_api_token(
            forum.db, scene.members[actor].id
        )
    method, path, body = conversation_api_request(action, talk)
    response = await client.request(method, path, headers=headers, json=body)
    if actor in CONVERSATION_ALLOWED[action]:
        assert response.status_code in (200, 201, 204), response.text
        return
    expected = 401 if actor == "anonymous" else 403 if actor in PARTICIPANTS else 404
    assert response.status_code == expected, response.text
    assert response.json()["error"]["message"]
    assert "Are you there?" not in response.text


@pytest.mark.parametrize("action,actor", CONVERSATION_CASES)
async def test_conversation_forms(client: httpx.AsyncClient, forum, scene: Scene, talk: Talk,
                                  action: str, actor: str):
    if actor != "anonymous":
        token = await sessions.create_session(forum.db, scene.members[actor].id)
        client.cookies.set(SESSION_COOKIE, forum.signer.sign_session(token))
    path, data = conversation_form_request(action, talk)
    if action == "read conversation":
        response = await client.get(path)
    else:
        response = await client.post(path, data={**data, "csrf_token": await csrf_token(client)})
    if actor in CONVERSATION_ALLOWED[action]:
        assert response.status_code in (200, 303), response.text
        if response.status_code == 303:
            assert not response.headers["location"].startswith("/login")
    elif actor == "anonymous":
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    else:
        assert response.status_code == (403 if actor in PARTICIPANTS else 404), response.text
        if actor not in PARTICIPANTS:
            assert "Are you there?" not in response.text and "Secret plans" not in response.text
