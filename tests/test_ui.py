"""The page's delivery: the Markdown preview API, the weight of a thread page, cache headers on
static files, and compression that leaves the WebSocket alone."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser

import httpx
import pytest
from websockets.asyncio.client import connect

from forum.actions import threads as thread_actions
from forum.validation import BODY_MAX
from tests.helpers import PASSWORD, make_member, submit
from tests.live_helpers import LiveClient

PAGE_BUDGET_BYTES = 60 * 1024
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


@pytest.fixture
async def thread_id(forum) -> int:
    author = await make_member(forum, "author")
    return await thread_actions.create_thread(forum, author, "Budgets for small groups",
                                              "How do you **plan** them?", ["general-chat"])


# -- preview ---------------------------------------------------------------------------------
async def test_preview_renders_markdown_as_a_post_would(client):
    response = await client.post("/api/v1/preview", json={
        "body": "**bold** and [a link](https://example.org)\n\n<script>alert(1)</script>"})
    assert response.status_code == 200
    html = response.json()["html"]
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert "<script" not in html and "&lt;script&gt;" in html


async def test_preview_needs_no_sign_in_and_takes_an_empty_body(client):
    response = await client.post("/api/v1/preview", json={"body": ""})
    assert response.status_code == 200 and response.json() == {"html": ""}


async def test_preview_accepts_the_longest_message(client):
    response = await client.post("/api/v1/preview", json={"body": "a" * BODY_MAX})
    assert response.status_code == 200


@pytest.mark.parametrize("body", ["a" * (BODY_MAX + 1), 42, ["text"]])
async def test_preview_refuses_a_bad_body_naming_the_field(client, body):
    response = await client.post("/api/v1/preview", json={"body": body})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) == {"body"}


async def test_preview_refuses_what_is_not_json(client):
    response = await client.post("/api/v1/preview", content=b"not json",
                                 headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


# -- weight ----------------------------------------------------------------------------------
async def test_a_thread_page_with_its_css_and_script_stays_under_the_budget(client, thread_id):
    page = await client.get(f"/t/{thread_id}", headers={"Accept-Encoding": "identity"})
    assert page.status_code == 200
    assets = ASSET.findall(page.text)
    assert any("forum.css" in a for a in assets) and any("forum.js" in a for a in assets)
    sizes = {f"/t/{thread_id}": len(page.content)}
    # Every stylesheet and script the page links counts; what forum.js fetches only when a
    # reader edits or attaches a file (data-edit, data-attach) is not linked, and does not.
    for path in assets:
        if path.endswith((".css", ".js")) or ".css?" in path or ".js?" in path:
            response = await client.get(path, headers={"Accept-Encoding": "identity"})
            assert response.status_code == 200
            sizes[path] = len(response.content)
    assert sum(sizes.values()) < PAGE_BUDGET_BYTES, sizes


# -- caching ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["forum.css", "forum.js"])
async def test_static_files_carry_cache_headers_and_revalidate(client, name):
    first = await client.get(f"/static/{name}")
    assert first.status_code == 200
    assert re.search(r"max-age=\d+", first.headers["cache-control"])
    etag = first.headers["etag"]
    again = await client.get(f"/static/{name}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    assert "max-age" in again.headers["cache-control"]


async def test_pages_link_static_files_by_content_so_they_cache_for_a_year(client):
    page = await client.get("/")
    assets = ASSET.findall(page.text)
    assert len(assets) == 3 and all("?v=" in a for a in assets), assets  # css, script, icon
    for url in assets:
        response = await client.get(url)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    # A version that is not the file's current one is not promised for a year.
    stale = await client.get("/static/forum.css?v=000000000000")
    assert stale.status_code == 200 and "immutable" not in stale.headers["cache-control"]


# -- compression -----------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/static/forum.css", "/static/forum.js", "/api/v1/openapi.json"])
async def test_responses_are_compressed_for_clients_that_accept_it(client, path):
    raw = await client.get(path, headers={"Accept-Encoding": "gzip"})
    assert raw.status_code == 200
    assert raw.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in raw.headers["vary"].lower()
    plain = await client.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    if path.startswith("/static/"):
        assert raw.content == plain.content  # httpx has already unzipped it
    # Security headers survive the compression layer.
    assert raw.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_real_server_compresses_pages_and_still_speaks_websocket(live_server):
    async with httpx.AsyncClient(base_url=live_server.base_url) as http:
        response = await http.get("/static/forum.css", headers={"Accept-Encoding": "gzip"})
        assert response.headers["content-encoding"] == "gzip"
        # Decode by hand to prove the bytes on the wire really are gzip.
        async with http.stream("GET", "/", headers={"Accept-Encoding": "gzip"}) as streamed:
            wire = b"".join([chunk async for chunk in streamed.aiter_raw()])
        assert gzip.decompress(wire).startswith(b"<!doctype html>")
    # Browsers send Accept-Encoding on the WebSocket handshake too.
    connection = await connect(live_server.ws_url, origin=live_server.base_url,
                               additional_headers={"Accept-Encoding": "gzip, deflate, br"})
    live = LiveClient(connection)
    try:
        subscribed = await live.subscribe(["category:general-chat"])
        assert subscribed["channels"] == ["category:general-chat"]
    finally:
        await live.close()


# -- form errors are tied to their fields ---------------------------------------------------------
class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.errors: set[str] = set()
        self.described: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "field-error" in (found.get("class") or "").split():
            self.errors.add(found.get("id") or "")
        for ref in (found.get("aria-describedby") or "").split():
            self.described[ref] = {"tag": tag, **found}


def assert_errors_tied_to_fields(html: str, expected: set[str]) -> None:
    fields = _Fields()
    fields.feed(html)
    assert fields.errors == {f"{name}-error" for name in expected}
    for error_id in fields.errors:
        owner = fields.described.get(error_id)
        assert owner, f"nothing points at #{error_id} with aria-describedby"
        if owner["tag"] != "fieldset":
            assert owner.get("aria-invalid") == "true", owner


async def test_rejected_forms_tie_each_message_to_its_field(client, thread_id):
    signup = await submit(client, "/signup", {"username": "ab", "password": "short"}, "/signup")
    assert signup.status_code == 400
    assert_errors_tied_to_fields(signup.text, {"username", "password"})

    login = await submit(client, "/login", {"username": "author", "password": "wrong password"}, "/login")
    assert login.status_code in (400, 401)
    assert_errors_tied_to_fields(login.text, {"password"})

    await submit(client, "/login", {"username": "author", "password": PASSWORD}, "/login")
    new_thread = await submit(client, "/c/general-chat/new", {"title": "", "body": ""},
                              "/c/general-chat/new")
    assert new_thread.status_code == 400
    assert_errors_tied_to_fields(new_thread.text, {"title", "body", "categories"})

    reply = await submit(client, f"/t/{thread_id}/reply", {"body": " "}, f"/t/{thread_id}")
    assert reply.status_code == 400
    assert_errors_tied_to_fields(reply.text, {"body"})

    search = await client.get("/search", params={"q": "budgets", "from": "last week"})
    assert search.status_code == 400
    assert_errors_tied_to_fields(search.text, {"from"})
    search = await client.get("/search", params={"q": "budgets", "channel": "nowhere"})
    assert_errors_tied_to_fields(search.text, {"channel"})
