"""OPTIONS, and the Allow header of a 405, list every method a path takes, though several route
entries may serve one path (GET /api/v1/events and POST /api/v1/events are two)."""

from __future__ import annotations

import re
import shutil

import pytest

from forum.routes.api.openapi import DOCUMENT

# Values for the document's path parameters.
PARAMS = {"thread_id": "1", "post_id": "1", "flag_id": "1", "event_id": "1", "session_id": "1",
          "token_id": "1", "username": "someone", "slug": "general-chat", "emoji": "heart",
          "conversation_id": "1", "message_id": "1", "token": "not-a-real-token",
          "tag": "evaluation"}


@pytest.fixture
def database_url(tmp_path, sqlite_template):
    """Routing reads no table: one engine is enough."""
    path = tmp_path / "forum.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def _allow(header: str) -> set[str]:
    return {m.strip() for m in header.split(",") if m.strip()}


def _documented(operations: dict) -> set[str]:
    methods = {m.upper() for m in operations}
    return methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())


@pytest.mark.parametrize("path", sorted(DOCUMENT["paths"]))
async def test_options_lists_every_method_the_document_lists(client, path):
    url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], path)
    response = await client.options(url)
    assert response.status_code == 204, (url, response.status_code, response.text)
    assert _allow(response.headers["allow"]) == _documented(DOCUMENT["paths"][path]), url


@pytest.mark.parametrize("path", sorted(DOCUMENT["paths"]))
async def test_a_405_allows_every_method_the_document_lists(client, path):
    url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], path)
    # A method the path does not serve: PUT, unless it does (a reaction is set with PUT).
    method = next(m for m in ("PUT", "PATCH") if m.lower() not in DOCUMENT["paths"][path])
    response = await client.request(method, url)
    assert response.status_code == 405, (url, response.status_code)
    assert _allow(response.headers["allow"]) == _documented(DOCUMENT["paths"][path]), url
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_a_page_served_by_two_routes_allows_both(client):
    """/t/1/lock is the moderators' POST and also a thread's slug address (GET)."""
    response = await client.options("/t/1/lock")
    assert response.status_code == 204
    assert _allow(response.headers["allow"]) == {"GET", "HEAD", "POST", "OPTIONS"}


async def test_options_on_nothing_is_a_404(client):
    assert (await client.options("/api/v1/nothing-here")).status_code == 404
    assert (await client.options("/t/2147483648")).status_code == 404
