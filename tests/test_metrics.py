"""/metrics: who may read it, and that what it says moves with what the forum does. The text
is read with prometheus_client's own parser, as a Prometheus server would."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from prometheus_client.parser import text_string_to_metric_families

from forum.app import create_app
from forum.settings import Settings
from tests.helpers import api_token, make_member, reply, sign_up, start_thread
from tests.live_helpers import LiveClient, StalledClient
from tests.servers import ServerProcess


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample, keyed by its name and labels."""
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


async def admin_headers(client: httpx.AsyncClient, forum: Any) -> dict[str, str]:
    await make_member(forum, "boss", role="admin")
    return await api_token(client, "boss", signup=False)


async def scrape(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> str:
    response = await client.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return response.text


async def test_visitors_and_members_are_refused(client: httpx.AsyncClient) -> None:
    visitor = await client.get("/metrics")
    assert visitor.status_code == 403
    assert "forum_http_requests" not in visitor.text
    await sign_up(client, "plain")
    member = await client.get("/metrics")
    assert member.status_code == 403
    token = await api_token(client, "plainapi")
    assert (await client.get("/metrics", headers=token)).status_code == 403


def template_of(app: Any, name: str) -> str:
    """A route's path as the route table writes it (converters and all)."""
    [route] = [r for r in app.starlette.routes if getattr(r, "name", None) == name]
    return route.path


async def test_an_admin_reads_requests_counted_by_route_template(app: Any, client: httpx.AsyncClient,
                                                                 forum: Any) -> None:
    thread_template = template_of(app, "thread")
    assert thread_template.startswith("/t/{")
    admin = await admin_headers(client, forum)
    thread = await start_thread(client, admin)
    before = await scrape(client, admin)
    for _ in range(2):
        assert (await client.get(f"/t/{thread['id']}")).status_code == 200
    assert (await client.get("/api/v1/me", headers=admin)).status_code == 200
    assert (await client.get("/no/such/page/12345")).status_code == 404
    after = await scrape(client, admin)

    page = {"route": thread_template, "method": "GET", "status": "200"}
    requests = "forum_http_requests_total"
    assert value(after, requests, **page) - value(before, requests, **page) == 2
    api = {"route": "/api/v1/me", "method": "GET", "status": "200"}
    assert value(after, requests, **api) - value(before, requests, **api) == 1
    assert value(after, requests, route="(unmatched)", method="GET", status="404") == 1
    latency = "forum_http_request_duration_seconds_count"
    assert value(after, latency, route=thread_template) == value(before, latency, route=thread_template) + 2
    # Labels are route templates: no path a visitor typed becomes a label.
    routes = {dict(labels).get("route") for _, labels in samples(after)}
    assert f"/t/{thread['id']}" not in routes and "/no/such/page/12345" not in routes


@pytest.fixture
async def app_with_metrics_from(settings: Settings) -> AsyncIterator[Any]:
    """The in-process client arrives from 127.0.0.1; a second app trusts another range."""
    trusting = create_app(dataclasses.replace(settings, metrics_from=(ip_network("127.0.0.0/8"),)))
    elsewhere = create_app(dataclasses.replace(settings, metrics_from=(ip_network("10.1.0.0/16"),)))
    async with LifespanManager(trusting) as with_trust, LifespanManager(elsewhere) as without:
        yield with_trust.app, without.app


async def test_an_address_in_metrics_from_needs_no_account(app_with_metrics_from: Any) -> None:
    trusting, elsewhere = app_with_metrics_from
    transport = httpx.ASGITransport(app=trusting, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        text = await scrape(client)
    assert value(text, "forum_live_connections") == 0
    transport = httpx.ASGITransport(app=elsewhere, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/metrics")).status_code == 403


def test_metrics_from_accepts_addresses_and_ranges_and_refuses_nonsense() -> None:
    settings = Settings.from_env({"FORUM_METRICS_FROM": "10.0.0.5, 192.168.0.0/24,::1",
                                  "FORUM_SECRET_KEY": "k"})
    assert [str(n) for n in settings.metrics_from] == ["10.0.0.5/32", "192.168.0.0/24", "::1/128"]
    with pytest.raises(ValueError, match="FORUM_METRICS_FROM"):
        Settings.from_env({"FORUM_METRICS_FROM": "not-an-address", "FORUM_SECRET_KEY": "k"})


@pytest.fixture
def scraped_server(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(database_url, log_path=tmp_path / "server.log",
                           extra_env={"FORUM_METRICS_FROM": "127.0.0.1"}).start()
    yield server
    server.stop()


async def test_live_connections_events_and_dropped_readers_are_counted(scraped_server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=scraped_server.base_url, timeout=30) as http:
        author = await api_token(http, "writer")
        thread = await start_thread(http, author)
        channel = f"thread:{thread['id']}"
        before = await scrape(http)
        readers = [await LiveClient.open(scraped_server.ws_url) for _ in range(2)]
        for reader in readers:
            await reader.subscribe([channel])
        assert value(await scrape(http), "forum_live_connections") == 2
        await reply(http, author, thread["id"], "Counted twice")
        for reader in readers:
            await reader.receive_type("event")
        during = await scrape(http)
        handed_out = "forum_live_events_handed_out_total"
        assert value(during, handed_out) - value(before, handed_out) == 2
        for reader in readers:
            await reader.close()
        await wait_for_metric(http, "forum_live_connections", 0)

        stalled = StalledClient(scraped_server.port)
        await stalled.subscribe([channel])
        big = "x" * 40_000  # far more than one reader's send queue holds, in a few dozen replies
        for i in range(200):
            await reply(http, author, thread["id"], f"{i} {big}")
            if i % 10 == 9 and value(await scrape(http), "forum_live_readers_dropped_total") == 1:
                break
        assert value(await scrape(http), "forum_live_readers_dropped_total") == 1
        assert await stalled.was_dropped()


async def wait_for_metric(http: httpx.AsyncClient, name: str, expected: float, seconds: float = 5) -> None:
    async with asyncio.timeout(seconds):
        while value(await scrape(http), name) != expected:  # noqa: ASYNC110 (another process)
            await asyncio.sleep(0.05)


async def test_the_mail_outbox_is_counted_waiting_retrying_and_given_up(client, forum) -> None:
    from datetime import timedelta

    from forum.clock import utcnow
    from forum.db import mail_outbox

    headers = await admin_headers(client, forum)
    later = utcnow() + timedelta(days=1)  # due tomorrow: no sender takes them during the test
    async with forum.db.transaction():
        ids = [await mail_outbox.insert(forum.db, kind="test", user_id=None, recipient=f"{n}@example.org",
                                        message="Subject: hi\n\nhello\n", now=utcnow(), due_at=later)
               for n in ("a", "b", "c")]
    await mail_outbox.retry_later(forum.db, ids[1], "SMTPConnectError", later)
    await forum.db.execute("UPDATE mail_outbox SET attempts = 1 WHERE id = :id", {"id": ids[1]})
    [given_up] = await forum.db.fetch_all("SELECT * FROM mail_outbox WHERE id = :id", {"id": ids[2]})
    await mail_outbox.give_up(forum.db, given_up, "550 no such user", utcnow())
    text = await scrape(client, headers)
    assert value(text, "forum_mail_outbox_messages", state="waiting") == 2
    assert value(text, "forum_mail_outbox_messages", state="retrying") == 1
    assert value(text, "forum_mail_outbox_messages", state="failed") == 1


async def test_each_request_s_wait_for_a_database_connection_is_measured(client, forum) -> None:
    headers = await admin_headers(client, forum)
    before = value(await scrape(client, headers), "forum_db_connection_wait_seconds_count")
    for _ in range(3):
        assert (await client.get("/")).status_code == 200
    after = value(await scrape(client, headers), "forum_db_connection_wait_seconds_count")
    assert after >= before + 3
