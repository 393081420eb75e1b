"""The forum behind Debian's nginx, configured by deploy/nginx/forum.conf itself: HTTPS ends at
nginx, the forum sees it through X-Forwarded-Proto, the live socket is upgraded through it, and
static files come from disk."""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from forum.auth import SESSION_COOKIE
from forum.routes._common import MAX_FORM_BYTES
from forum.routes.api._common import MAX_JSON_BYTES
from forum.web.static_files import STATIC_DIR, version
from tests.conftest import skip_unless_required
from tests.helpers import CSRF_META, PASSWORD, api_token, reply, start_thread
from tests.live_helpers import LiveClient
from tests.nginx_proxy import FORUM_CONF, NGINX_SKIP, NginxProxy, available
from tests.servers import ServerProcess


@pytest.fixture
def proxied(database_url: str, tmp_path: Path) -> Iterator[NginxProxy]:
    if not available():
        skip_unless_required(NGINX_SKIP)
    server = ServerProcess(database_url, log_path=tmp_path / "server.log").start()
    proxy_dir = tmp_path / "nginx"
    proxy_dir.mkdir()
    try:
        proxy = NginxProxy(forum_port=server.port, directory=proxy_dir).start()
        try:
            yield proxy
        finally:
            proxy.stop()
    finally:
        server.stop()


def tls_for(proxy: NginxProxy) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(proxy.certificate))


def client_for(proxy: NginxProxy) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=proxy.base_url, verify=tls_for(proxy))


def set_cookie_named(response: httpx.Response, name: str) -> str:
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    return header


def test_body_limit_matches_the_forums_own() -> None:
    """nginx refuses what the forum would refuse anyway, and nothing the forum accepts."""
    [limit] = re.findall(r"client_max_body_size\s+(\d+)k;", FORUM_CONF.read_text())
    assert int(limit) * 1024 == MAX_FORM_BYTES == MAX_JSON_BYTES


async def test_signing_up_and_in_through_the_proxy_gives_secure_cookies(proxied: NginxProxy) -> None:
    async with client_for(proxied) as http:
        token = CSRF_META.search((await http.get("/signup")).text).group(1)
        signed_up = await http.post("/signup", data={"username": "proxied", "password": PASSWORD,
                                                     "display_name": "", "csrf_token": token})
        assert signed_up.status_code == 303, signed_up.text
        assert "; secure" in set_cookie_named(signed_up, SESSION_COOKIE).lower()
        assert (await http.get("/api/v1/me")).json()["username"] == "proxied"

    async with client_for(proxied) as http:  # a fresh browser logs in
        first = await http.get("/login")
        assert "; secure" in set_cookie_named(first, "forum_csrf").lower()
        token = CSRF_META.search(first.text).group(1)
        logged_in = await http.post("/login", data={"username": "proxied", "password": PASSWORD,
                                                    "csrf_token": token})
        assert logged_in.status_code == 303, logged_in.text
        assert "; secure" in set_cookie_named(logged_in, SESSION_COOKIE).lower()
        me = await http.get("/api/v1/me")
        assert me.status_code == 200 and me.json()["username"] == "proxied"


async def test_plain_http_is_sent_to_https(proxied: NginxProxy) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.get(f"http://127.0.0.1:{proxied.http_port}/t/1?x=1")
    assert response.status_code == 301
    assert response.headers["location"] == f"https://127.0.0.1:{proxied.http_port}/t/1?x=1"


async def test_a_reply_reaches_a_live_reader_through_the_proxy(proxied: NginxProxy) -> None:
    async with client_for(proxied) as http:
        headers = await api_token(http, "writer")
        thread = await start_thread(http, headers, title="Through the proxy")
        live = await LiveClient.open(f"wss://127.0.0.1:{proxied.https_port}/ws", ssl=tls_for(proxied),
                                     origin=proxied.base_url)
        try:
            await live.subscribe([f"thread:{thread['id']}"])
            posted = await reply(http, headers, thread["id"], "Heard through nginx")
            event = await live.receive_type("event")
        finally:
            await live.close()
    assert event["event"] == "post.created"
    assert event["data"]["post_id"] == posted["id"]


async def test_static_files_come_from_disk_cached_by_their_hash(proxied: NginxProxy) -> None:
    async with client_for(proxied) as http:
        hashed = await http.get(f"/static/forum.css?v={version('forum.css')}")
        bare = await http.get("/static/forum.css")
        missing = await http.get("/static/nothing-here.css")
    assert hashed.status_code == 200 and hashed.content == (STATIC_DIR / "forum.css").read_bytes()
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert bare.headers["cache-control"] == "public, max-age=600"
    # nginx answered, not the forum: the forum puts a Content-Security-Policy on everything.
    assert "content-security-policy" not in hashed.headers
    assert hashed.headers["x-content-type-options"] == "nosniff"
    assert missing.status_code == 404


async def test_a_body_over_the_limit_is_refused_by_nginx(proxied: NginxProxy) -> None:
    async with client_for(proxied) as http:
        response = await http.post("/api/v1/tokens", content=b"x" * (MAX_JSON_BYTES + 1),
                                   headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "nginx" in response.text  # its own error page: the forum never saw the body
