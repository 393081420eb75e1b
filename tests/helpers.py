"""Acting as a person would: read the CSRF token from the page, submit forms, use the API."""

from __future__ import annotations

import re
from typing import Any

import httpx

CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')
PASSWORD = "correct horse battery"


async def csrf_token(client: httpx.AsyncClient, path: str = "/") -> str:
    response = await client.get(path)
    match = CSRF_META.search(response.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


async def submit(client: httpx.AsyncClient, path: str, data: dict[str, Any],
                 form_page: str | None = None) -> httpx.Response:
    token = await csrf_token(client, form_page or "/")
    return await client.post(path, data={**data, "csrf_token": token})


async def sign_up(client: httpx.AsyncClient, username: str, password: str = PASSWORD,
                  display_name: str = "") -> httpx.Response:
    response = await submit(client, "/signup", {"username": username, "password": password,
                                                "display_name": display_name}, "/signup")
    assert response.status_code == 303, response.text
    return response


async def api_token(client: httpx.AsyncClient, username: str, password: str = PASSWORD,
                    signup: bool = True) -> dict[str, str]:
    if signup:
        created = await client.post("/api/v1/users", json={"username": username, "password": password})
        assert created.status_code == 201, created.text
    response = await client.post("/api/v1/tokens", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def make_member(forum: Any, username: str, role: str = "member") -> Any:
    """An account made as the command line makes one, so names like "mod" are allowed."""
    from forum.actions.accounts import sign_up as do_sign_up

    return await do_sign_up(forum, username, PASSWORD, role=role, allow_reserved=True)


async def start_thread(client: httpx.AsyncClient, headers: dict[str, str], title: str = "A thread",
                       body: str = "Opening post", categories: list[str] | None = None) -> dict[str, Any]:
    response = await client.post("/api/v1/threads", headers=headers, json={
        "title": title, "body": body, "categories": categories or ["general-chat"]})
    assert response.status_code == 201, response.text
    return response.json()


async def reply(client: httpx.AsyncClient, headers: dict[str, str], thread_id: int, body: str,
                parent_id: int | None = None) -> dict[str, Any]:
    response = await client.post(f"/api/v1/threads/{thread_id}/posts", headers=headers,
                                 json={"body": body, "parent_id": parent_id})
    assert response.status_code == 201, response.text
    return response.json()
