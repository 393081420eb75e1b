"""The JSON API of ../shared/design.md, its errors and its OpenAPI document."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Mount, Route

from forum.routes.api.openapi import DOCUMENT
from tests.helpers import PASSWORD, api_token, csrf_token, reply, sign_up, start_thread


async def test_sign_up_token_and_me(client):
    created = await client.post("/api/v1/users", json={
        "username": "Ann", "password": PASSWORD, "display_name": "Ann Hughes"})
    assert created.status_code == 201
    assert created.json()["username"] == "Ann" and created.json()["display_name"] == "Ann Hughes"
    headers = await api_token(client, "ann", signup=False)
    me = await client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json()["username"] == "Ann"
    assert (await client.get("/api/v1/me")).status_code == 401


@pytest.mark.parametrize("body,field", [
    ({"username": "ab", "password": PASSWORD}, "username"),
    ({"username": "has space", "password": PASSWORD}, "username"),
    ({"username": "okname", "password": "short"}, "password"),
    ({"username": 5, "password": PASSWORD}, "username"),
    ({"password": PASSWORD}, "username"),
])
async def test_sign_up_errors_name_the_field(client, body, field):
    response = await client.post("/api/v1/users", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"] and error["message"]


async def test_duplicate_username_any_case(client):
    await client.post("/api/v1/users", json={"username": "Zed", "password": PASSWORD})
    response = await client.post("/api/v1/users", json={"username": "zED", "password": PASSWORD})
    assert response.status_code == 400 and "username" in response.json()["error"]["fields"]


async def test_bad_json_and_bad_credentials(client):
    response = await client.post("/api/v1/users", content=b"{not json",
                                 headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"
    response = await client.post("/api/v1/tokens", json={"username": "nobody", "password": "x" * 9})
    assert response.status_code == 401 and "password" in response.json()["error"]["fields"]


async def test_categories(client):
    response = await client.get("/api/v1/categories")
    slugs = [c["slug"] for c in response.json()]
    assert slugs == ["welcome", "announcements", "general-chat", "tools-methods",
                     "evaluation-impact", "values-principles"]
    assert set(response.json()[0]) >= {"slug", "name", "description", "thread_count"}


async def test_threads_and_posts_round_trip(client):
    headers = await api_token(client, "bea")
    body = "Costs £250 — “curly” ‘quotes’ 😀 Diolch yn fawr, Ceud mìle fàilte"
    thread = await start_thread(client, headers, title="Budgets £ and “quotes”", body=body,
                                categories=["general-chat", "tools-methods", "values-principles"])
    assert thread["categories"] == ["general-chat", "tools-methods", "values-principles"]
    first = await reply(client, headers, thread["id"], "First reply")
    nested = await reply(client, headers, thread["id"], "Nested **reply**", first["id"])
    assert nested["parent_id"] == first["id"] and "<strong>reply</strong>" in nested["html"]
    page = await client.get(f"/api/v1/threads/{thread['id']}")
    data = page.json()
    assert data["thread"]["title"] == "Budgets £ and “quotes”"
    assert [p["id"] for p in data["posts"]][1:] == [first["id"], nested["id"]]
    opening = data["posts"][0]
    assert opening["body"] == body and opening["parent_id"] is None
    assert set(opening) >= {"id", "parent_id", "author", "body", "html", "created_at", "edited_at"}
    assert data["next_cursor"] is None
    listing = (await client.get("/api/v1/categories/tools-methods/threads")).json()
    assert listing["threads"][0]["id"] == thread["id"] and listing["next_cursor"] is None
    assert (await client.get(f"/api/v1/posts/{first['id']}")).json()["body"] == "First reply"


async def test_thread_api_pages_by_cursor(client):
    headers = await api_token(client, "cal")
    thread = await start_thread(client, headers)
    for i in range(60):
        await reply(client, headers, thread["id"], f"r{i}")
    first = (await client.get(f"/api/v1/threads/{thread['id']}")).json()
    assert len(first["posts"]) == 50 and first["next_cursor"]
    second = (await client.get(f"/api/v1/threads/{thread['id']}",
                               params={"cursor": first["next_cursor"]})).json()
    assert len(second["posts"]) == 11 and second["next_cursor"] is None
    ids = [p["id"] for p in first["posts"] + second["posts"]]
    assert len(set(ids)) == 61
    bad = await client.get(f"/api/v1/threads/{thread['id']}", params={"cursor": "x"})
    assert bad.status_code == 400 and "cursor" in bad.json()["error"]["fields"]


@pytest.mark.parametrize("payload,field", [
    ({"title": "", "body": "b", "categories": ["general-chat"]}, "title"),
    ({"title": "t" * 201, "body": "b", "categories": ["general-chat"]}, "title"),
    ({"title": "t", "body": " ", "categories": ["general-chat"]}, "body"),
    ({"title": "t", "body": "b" * 50_001, "categories": ["general-chat"]}, "body"),
    ({"title": "t", "body": "b", "categories": []}, "categories"),
    ({"title": "t", "body": "b", "categories": ["no-such"]}, "categories"),
    ({"title": "t", "body": "b", "categories": "general-chat"}, None),
])
async def test_thread_validation(client, payload, field):
    headers = await api_token(client, "dee")
    response = await client.post("/api/v1/threads", headers=headers, json=payload)
    if field is None:  # a single slug is taken as a list of one
        assert response.status_code == 201
        return
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


async def test_boundary_lengths_are_accepted(client):
    headers = await api_token(client, "eli")
    thread = await start_thread(client, headers, title="t" * 200, body="b" * 50_000)
    assert len(thread["title"]) == 200
    one = await start_thread(client, headers, title="t", body="b")
    assert one["title"] == "t"


async def test_edit_and_delete_need_the_author_or_a_moderator(client, forum):
    author = await api_token(client, "fox")
    stranger = await api_token(client, "gem")
    thread = await start_thread(client, author)
    post = await reply(client, author, thread["id"], "original")
    denied = await client.patch(f"/api/v1/posts/{post['id']}", headers=stranger, json={"body": "x"})
    assert denied.status_code == 403
    assert (await client.delete(f"/api/v1/posts/{post['id']}", headers=stranger)).status_code == 403
    edited = await client.patch(f"/api/v1/posts/{post['id']}", headers=author, json={"body": "better"})
    assert edited.status_code == 200 and edited.json()["body"] == "better" and edited.json()["edited_at"]
    empty = await client.patch(f"/api/v1/posts/{post['id']}", headers=author, json={"body": ""})
    assert empty.status_code == 400 and "body" in empty.json()["error"]["fields"]
    assert (await client.delete(f"/api/v1/posts/{post['id']}", headers=author)).status_code == 204
    assert (await client.get(f"/api/v1/posts/{post['id']}")).json()["deleted"] is True


async def test_reply_to_a_post_in_another_thread_is_refused(client):
    headers = await api_token(client, "hal")
    one = await start_thread(client, headers)
    two = await start_thread(client, headers)
    post = await reply(client, headers, one["id"], "in one")
    response = await client.post(f"/api/v1/threads/{two['id']}/posts", headers=headers,
                                 json={"body": "x", "parent_id": post["id"]})
    assert response.status_code == 400 and "parent_id" in response.json()["error"]["fields"]
    response = await client.post(f"/api/v1/threads/{two['id']}/posts", headers=headers,
                                 json={"body": "x", "parent_id": "abc"})
    assert response.status_code == 400 and "parent_id" in response.json()["error"]["fields"]


async def test_moderator_thread_controls(client, forum):
    from tests.helpers import make_member

    member = await api_token(client, "ivy")
    await make_member(forum, "mod", role="moderator")
    moderator = await api_token(client, "mod", signup=False)
    thread = await start_thread(client, member)
    assert (await client.post(f"/api/v1/threads/{thread['id']}/pin", headers=member)).status_code == 403
    for action, field, value in [("pin", "pinned", True), ("unpin", "pinned", False),
                                 ("lock", "locked", True), ("unlock", "locked", False)]:
        response = await client.post(f"/api/v1/threads/{thread['id']}/{action}", headers=moderator)
        assert response.status_code == 200 and response.json()[field] is value
    moved = await client.post(f"/api/v1/threads/{thread['id']}/move", headers=moderator,
                              json={"categories": ["tools-methods"]})
    assert moved.json()["categories"] == ["tools-methods"]


async def test_cookie_authenticated_writes_need_the_csrf_header(client):
    await sign_up(client, "jem")
    payload = {"title": "t", "body": "b", "categories": ["general-chat"]}
    refused = await client.post("/api/v1/threads", json=payload)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    token = await csrf_token(client)
    accepted = await client.post("/api/v1/threads", json=payload, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 201
    assert (await client.get("/api/v1/me")).status_code == 200  # reads need no token


async def test_not_found_is_json(client):
    for path in ("/api/v1/threads/999", "/api/v1/posts/999", "/api/v1/users/nobody",
                 "/api/v1/categories/nope/threads"):
        response = await client.get(path)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


async def test_public_profile(client):
    headers = await api_token(client, "kit")
    await start_thread(client, headers)
    profile = (await client.get("/api/v1/users/KIT")).json()
    assert profile["username"] == "kit" and profile["threads"] == 1
    assert "password_hash" not in profile and "id" not in profile


def _served_api_operations(app) -> set[tuple[str, str]]:
    mount = next(r for r in app.routes if isinstance(r, Mount) and r.path == "/api/v1")
    operations = set()
    for route in mount.routes:
        assert isinstance(route, Route)
        path = re.sub(r":\w+}", "}", route.path)  # "{post_id:id}" is "{post_id}" in the document
        for method in route.methods or ():
            if method != "HEAD":
                operations.add((method.lower(), path))
    return operations


async def test_openapi_document_matches_the_routes(client, app):
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document == DOCUMENT
    documented = {(method, path) for path, ops in document["paths"].items() for method in ops}
    assert documented == _served_api_operations(app.starlette)
