"""Ids from outside (paths, query strings, forms, JSON bodies) go through one bounded parser:
a path id no row can have is a 404, a query or form value that is no id is a 400 naming the
field, and nothing out of range ever reaches the database (a 2**31 overflows PostgreSQL's
32-bit integer columns inside asyncpg: a 500)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from forum.db import notifications
from forum.ids import MAX_ID, parse_id
from tests.helpers import PASSWORD, api_token, csrf_token, make_member, reply, start_thread

HUGE = "9" * 23
PAST_MAX = str(MAX_ID + 1)
# Digits to str.isdigit() or int(), but no id: a superscript two, Arabic-Indic three, a
# full-width one, and a number with a sign, a space, an underscore or a newline.
NOT_IDS = ["²", "٣", "１", "-1", "+1", " 1", "1_0", "1\n", "0", "01", "", HUGE, PAST_MAX, "1.5", "1e3"]


@pytest.mark.parametrize("text", NOT_IDS)
def test_the_parser_refuses_what_is_no_id(text: str) -> None:
    assert parse_id(text) is None


@pytest.mark.parametrize("value", [True, False, 0, -1, MAX_ID + 1, 1.0, None, [1], {"id": 1}])
def test_the_parser_refuses_json_values_that_are_no_id(value: Any) -> None:
    assert parse_id(value) is None


@pytest.mark.parametrize("text, number", [("1", 1), ("42", 42), (str(MAX_ID), MAX_ID),
                                          ("999999999", 999999999), ("1000000000", 1000000000),
                                          ("2147483639", 2147483639)])
def test_the_parser_reads_every_id(text: str, number: int) -> None:
    assert parse_id(text) == number
    assert parse_id(number) == number


def test_the_path_pattern_agrees_with_the_parser_at_every_boundary() -> None:
    from starlette.convertors import CONVERTOR_TYPES

    import forum.routes  # noqa: F401  (registers the convertor)

    pattern = __import__("re").compile(CONVERTOR_TYPES["id"].regex)
    edges = {str(n) for k in range(11) for n in (10**k - 1, 10**k, 10**k + 1)}
    edges |= {str(MAX_ID + d) for d in range(-12, 12)} | {str(n) for n in range(0, 300)}
    edges |= {"2099999999", "2100000000", "2147400000", "2147483599", "2147483600", "3000000000"}
    for text in sorted(edges) + NOT_IDS:
        assert (pattern.fullmatch(text) is not None) == (parse_id(text) is not None), text


# -- against the app ----------------------------------------------------------------------
async def _log_in(client: httpx.AsyncClient, username: str) -> None:
    token = await csrf_token(client, "/login")
    response = await client.post("/login", data={"username": username, "password": PASSWORD,
                                                  "csrf_token": token})
    assert response.status_code == 303, response.text


@pytest.fixture
async def scene(client: httpx.AsyncClient, forum: Any) -> dict[str, Any]:
    """A moderator signed in (so no permission check comes before the id), a thread with a
    reply, an event."""
    await make_member(forum, "idsmod", role="moderator")
    headers = await api_token(client, "idsmod", signup=False)
    thread = await start_thread(client, headers)
    post = await reply(client, headers, thread["id"], "A reply")
    event = await client.post("/api/v1/events", headers=headers, json={
        "title": "Meet", "body": "Come", "starts_at": "2099-01-01T10:00:00+00:00",
        "ends_at": "2099-01-01T12:00:00+00:00", "location": "Online", "capacity": 3,
        "categories": ["general-chat"]})
    assert event.status_code == 201, event.text
    await _log_in(client, "idsmod")
    return {"thread": thread["id"], "post": post["id"], "event": event.json()["id"],
            "csrf": await csrf_token(client)}


PAGES = ["/t/{n}", "/t/{n}/a-slug", "/t/{n}/reply", "/t/{n}/move", "/p/{n}/edit", "/p/{n}/delete",
         "/p/{n}/hide", "/p/{n}/history", "/p/{n}/flag", "/events/{n}", "/events/{n}.ics",
         "/events/{n}/edit", "/events/{n}/attendees", "/events/{n}/attendees.csv",
         "/api/v1/threads/{n}", "/api/v1/posts/{n}", "/api/v1/posts/{n}/revisions", "/api/v1/events/{n}"]
FORMS = ["/t/{n}/reply", "/t/{n}/move", "/t/{n}/lock", "/p/{n}/edit", "/p/{n}/delete", "/p/{n}/hide",
         "/p/{n}/restore", "/p/{n}/flag", "/mod/flags/{n}", "/events/{n}/edit", "/events/{n}/register",
         "/account/sessions/{n}/end", "/account/tokens/{n}/revoke"]
API_WRITES = [("POST", "/api/v1/threads/{n}/posts"), ("POST", "/api/v1/threads/{n}/pin"),
              ("PATCH", "/api/v1/posts/{n}"), ("DELETE", "/api/v1/posts/{n}"),
              ("POST", "/api/v1/posts/{n}/flag"), ("POST", "/api/v1/flags/{n}/resolve"),
              ("PATCH", "/api/v1/events/{n}"), ("POST", "/api/v1/events/{n}/registration")]
# These two name the field when it is not digits at all (tests/test_sessions.py).
API_FIELD_NAMING = ["/api/v1/me/sessions/{n}", "/api/v1/me/tokens/{n}"]
PATH_IDS = [HUGE, PAST_MAX, "%C2%B2", "%D9%A3", "0", "-1"]


@pytest.mark.parametrize("n", PATH_IDS)
async def test_a_path_id_no_row_can_have_is_a_404(client, scene, n: str) -> None:
    for page in PAGES:
        response = await client.get(page.format(n=n))
        assert response.status_code == 404, (page, n, response.status_code)
    for form in FORMS:
        response = await client.post(form.format(n=n), data={"csrf_token": scene["csrf"], "body": "x"})
        assert response.status_code == 404, (form, n, response.status_code)
    for method, path in API_WRITES:
        response = await client.request(method, path.format(n=n), json={"body": "x"},
                                         headers={"X-CSRF-Token": scene["csrf"]})
        assert response.status_code == 404, (method, path, n, response.status_code)
        assert response.json()["error"]["code"] == "not_found"
    for path in API_FIELD_NAMING:
        response = await client.delete(path.format(n=n), headers={"X-CSRF-Token": scene["csrf"]})
        assert response.status_code == (404 if n.isdigit() else 400), (path, n, response.status_code)


@pytest.mark.parametrize("value", ["²", HUGE, PAST_MAX, "٣", "abc"])
async def test_a_query_value_that_is_no_id_is_a_400_naming_it(client, scene, value: str) -> None:
    thread_page = await client.get(f"/t/{scene['thread']}", params={"at": value})
    assert thread_page.status_code == 400, thread_page.text
    assert "at:" in thread_page.text
    reply_page = await client.get(f"/t/{scene['thread']}/reply", params={"to": value})
    assert reply_page.status_code == 400, reply_page.text
    assert "to:" in reply_page.text


async def test_a_post_id_that_names_nothing_is_still_a_404(client, scene) -> None:
    response = await client.get(f"/t/{scene['thread']}", params={"at": str(MAX_ID)})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["²", HUGE, PAST_MAX, "٣", "abc"])
async def test_a_reply_form_with_a_bad_parent_id_comes_back_with_the_text_kept(client, scene, value) -> None:
    response = await client.post(f"/t/{scene['thread']}/reply", data={
        "csrf_token": scene["csrf"], "body": "What I typed, kept", "parent_id": value})
    assert response.status_code == 400, response.text
    assert "What I typed, kept" in response.text
    assert "must be a post id" in response.text


@pytest.mark.parametrize("value", ["²", HUGE, PAST_MAX, 10**30, -1, 0, True, 1.5])
async def test_an_api_reply_with_a_bad_parent_id_is_a_400_naming_it(client, scene, value) -> None:
    headers = {"X-CSRF-Token": scene["csrf"]}
    response = await client.post(f"/api/v1/threads/{scene['thread']}/posts", headers=headers,
                                 json={"body": "x", "parent_id": value})
    assert response.status_code == 400, response.text
    assert "parent_id" in response.json()["error"]["fields"]


@pytest.mark.parametrize("value", ["²", HUGE, PAST_MAX, "abc"])
async def test_dismissing_a_banner_with_a_bad_id_is_a_400(client, scene, value) -> None:
    response = await client.post("/banner/dismiss", data={"csrf_token": scene["csrf"], "banner_id": value})
    assert response.status_code == 400, response.text
    assert "banner_id:" in response.text


async def test_marking_a_bad_notification_id_read_is_a_400_and_marks_nothing(other_client, forum) -> None:
    """It was read as "no id", which means "mark them all read"."""
    member = await make_member(forum, "idsreader")
    await notifications.add(forum.db, user_id=member.id, kind="mention", actor_id=None)
    await _log_in(other_client, "idsreader")
    token = await csrf_token(other_client)
    for value in ["²", HUGE, PAST_MAX, "abc"]:
        response = await other_client.post("/notifications/read", data={"csrf_token": token, "id": value})
        assert response.status_code == 400, response.text
        assert "id:" in response.text
    assert await notifications.unread_count(forum.db, member.id) == 1


async def test_an_id_inside_a_cursor_goes_through_the_parser(client, scene) -> None:
    """A cursor is the last row's key, ids included: a made-up one must not reach the database."""
    from forum.db import cursors

    for bad_id in [MAX_ID + 1, 10**20, -1, "²", True]:
        lists = {f"/c/general-chat?cursor={cursors.encode(False, '2020-01-01T00:00:00+00:00', bad_id)}",
                 f"/api/v1/categories/general-chat/threads?cursor="
                 f"{cursors.encode(False, '2020-01-01T00:00:00+00:00', bad_id)}",
                 f"/members?cursor={cursors.encode('2020-01-01T00:00:00+00:00', bad_id)}",
                 f"/api/v1/users?sort=name&cursor={cursors.encode('x', bad_id)}",
                 f"/api/v1/search?q=reply&cursor={cursors.encode(1, 0.5, bad_id)}",
                 f"/notifications?cursor={cursors.encode(bad_id)}"}
        for url in lists:
            response = await client.get(url)
            assert response.status_code == 400, (url, bad_id, response.status_code)
