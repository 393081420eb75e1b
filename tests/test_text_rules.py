"""One set of text rules for forms and the API: control characters (NUL above all, which
PostgreSQL cannot store) and bytes that are not UTF-8 are refused, naming the field, and a
refused form comes back with what was typed still in it."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote_from_bytes, urlencode

import pytest

from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.characters import CONTROL_MESSAGE, NOT_UTF8
from forum.validation import ValidationError, check_bio, check_body, check_title
from tests.helpers import PASSWORD, api_token, csrf_token, make_member, submit

EVENT = {"title": "Values workshop", "body": "An afternoon.", "starts_at": "2031-01-15T13:00+00:00",
         "ends_at": "2031-01-15T17:00+00:00", "location": "Cardiff", "capacity": "",
         "categories": "general-chat"}
PROFILE = {"display_name": "Text Moderator", "bio": "", "organisation": "", "location": ""}


def form_cases(scene: dict[str, Any]) -> list[tuple[str, dict[str, str], str]]:
    """(path, the other fields, the field under test) for every form that takes free text."""
    post, thread = scene["post"], scene["thread"]
    return [
        (f"/t/{thread}/reply", {}, "body"),
        (f"/p/{scene['own_post']}/edit", {}, "body"),
        ("/c/general-chat/new", {"title": "A title", "body": "Words", "categories": "general-chat"}, "title"),
        ("/c/general-chat/new", {"title": "A title", "body": "Words", "categories": "general-chat"}, "body"),
        ("/u/text_mod/edit", PROFILE, "display_name"),
        ("/u/text_mod/edit", PROFILE, "bio"),
        ("/u/text_mod/edit", PROFILE, "organisation"),
        ("/u/text_mod/edit", PROFILE, "location"),
        ("/welcome", {}, "body"),
        ("/events/new", {**EVENT, "timezone": ""}, "title"),
        ("/events/new", {**EVENT, "timezone": ""}, "location"),
        (f"/p/{post}/flag", {}, "reason"),
        (f"/p/{post}/hide", {}, "reason"),
    ]


@pytest.fixture
async def scene(client: Any, forum: Any) -> dict[str, Any]:
    author = await make_member(forum, "text_author")
    moderator = await make_member(forum, "text_mod", role="moderator")
    thread = await thread_actions.create_thread(forum, author, "Budgets", "Opening", ["general-chat"])
    post = (await post_actions.reply(forum, author, thread, "Words about budgets"))["id"]
    own_post = (await post_actions.reply(forum, moderator, thread, "My own words"))["id"]
    logged_in = await submit(client, "/login", {"username": "text_mod", "password": PASSWORD}, "/login")
    assert logged_in.status_code == 303
    return {"thread": thread, "post": post, "own_post": own_post}


def test_message_bodies_keep_tabs_and_line_breaks_and_use_one_line_ending() -> None:
    assert check_body("a\r\nb\rc\n\td") == "a\nb\nc\n\td"
    assert check_bio("one\r\ntwo") == "one\ntwo"
    assert check_title("A\ttitle\r\nsplit") == "A title split"  # one line: whitespace collapsed
    for text in ("a\x00b", "a\x07b", "a\x1bb", "a\x7fb", "a\x85b", "a\udcffb"):
        with pytest.raises(ValidationError):
            check_body(text)


@pytest.mark.parametrize("bad", ["Hello\x00world", "Hello\x07world", "Hello\x9bworld"])
async def test_every_form_refuses_control_characters_and_keeps_the_text(client, scene, bad):
    for path, others, field in form_cases(scene):
        response = await submit(client, path, {**others, field: bad}, path)
        assert response.status_code == 400, (path, field, response.status_code)
        assert CONTROL_MESSAGE in response.text, (path, field)
        assert bad in response.text, (path, field)  # what was typed is there to correct


async def post_raw(client: Any, path: str, fields: dict[str, str], field: str, raw: bytes) -> Any:
    """A urlencoded form whose `field` holds `raw`, bytes no browser on a UTF-8 page would send."""
    body = urlencode({**fields, "csrf_token": await csrf_token(client, path)})
    return await client.post(path, content=f"{body}&{field}={quote_from_bytes(raw)}".encode(),
                             headers={"content-type": "application/x-www-form-urlencoded"})


async def test_every_form_refuses_bytes_that_are_not_utf8_and_keeps_what_it_can(client, scene, forum):
    before = await forum.db.fetch_val("SELECT COUNT(*) FROM posts")
    for path, others, field in form_cases(scene):
        response = await post_raw(client, path, others, field, b"Hello \xff\xfeworld \xc3\xa9")
        assert response.status_code == 400, (path, field, response.status_code)
        assert NOT_UTF8 in response.text.replace("&#39;", "'"), (path, field)
        assert "Hello \ufffd\ufffdworld é" in response.text, (path, field)
    assert await forum.db.fetch_val("SELECT COUNT(*) FROM posts") == before  # nothing garbled stored


async def test_multipart_forms_follow_the_same_rules(client, scene):
    path = f"/t/{scene['thread']}/reply"
    token = await csrf_token(client, path)
    for raw, message in ((b"Hello \xff world", NOT_UTF8), (b"Hello \x00 world", CONTROL_MESSAGE)):
        response = await client.post(path, files={"csrf_token": (None, token), "body": (None, raw)})
        assert response.status_code == 400 and message in response.text.replace("&#39;", "'")
    fine = await client.post(path, files={"csrf_token": (None, token), "body": (None, "Grüß dich".encode())})
    assert fine.status_code == 303


async def test_banner_and_search_box_refuse_control_characters(client, scene):
    banner = await submit(client, "/mod/banner", {"text": "Closed\x00today"}, "/mod")
    assert banner.status_code == 400 and CONTROL_MESSAGE in banner.text and "Closed\x00today" in banner.text
    for query in ("q=a%00b", "q=x&author=a%00b", "q=x&channel=a%00b"):
        found = await client.get(f"/search?{query}")
        assert found.status_code == 400, query
        assert CONTROL_MESSAGE in found.text or "author" in query
        api = await client.get(f"/api/v1/search?{query}")
        assert api.status_code == 400, query


async def test_log_in_with_unreadable_or_nul_text_is_a_wrong_password(client, scene):
    for raw in (b"text_mod\xff", b"text\x00mod"):
        response = await post_raw(client, "/login", {"password": PASSWORD}, "username", raw)
        assert response.status_code == 400, response.text
    response = await post_raw(client, "/login", {"username": "text_mod"}, "password", b"pass\xffword")
    assert response.status_code == 400


def api_cases(scene: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], str]]:
    post, thread = scene["post"], scene["thread"]
    event = {**EVENT, "categories": ["general-chat"], "capacity": None}
    return [
        ("POST", f"/api/v1/threads/{thread}/posts", {}, "body"),
        ("PATCH", f"/api/v1/posts/{scene['own_post']}", {}, "body"),
        ("POST", "/api/v1/threads", {"title": "T", "body": "B", "categories": ["general-chat"]}, "title"),
        ("POST", "/api/v1/threads", {"title": "T", "body": "B", "categories": ["general-chat"]}, "body"),
        ("PATCH", "/api/v1/me", {}, "display_name"),
        ("PATCH", "/api/v1/me", {}, "bio"),
        ("POST", "/api/v1/events", event, "title"),
        ("POST", "/api/v1/events", event, "location"),
        ("POST", f"/api/v1/posts/{post}/flag", {}, "reason"),
        ("POST", f"/api/v1/posts/{post}/hide", {}, "reason"),
        ("POST", "/api/v1/banner", {}, "text"),
        ("POST", "/api/v1/users", {"username": "new_one", "password": PASSWORD}, "display_name"),
    ]


@pytest.mark.parametrize("bad", ["Hello\x00world", "Hello\x07world", "Hello\x9bworld", "Hello\udcffworld"])
async def test_the_api_refuses_the_same_text_with_the_same_words(client, scene, bad):
    headers = await api_token(client, "text_mod", signup=False)
    message = NOT_UTF8 if "\udcff" in bad else CONTROL_MESSAGE
    for method, path, others, field in api_cases(scene):
        response = await client.request(method, path, content=json.dumps({**others, field: bad}),
                                        headers={**headers, "content-type": "application/json"})
        assert response.status_code == 400, (path, field, response.text)
        assert response.json()["error"]["fields"].get(field) == message, (path, field, response.text)
