"""The forum's id (forum/db/forum_id.py) and what it keeps apart: forums sharing one Redis, even
with one secret key, hear none of each other's typing or presence and count their rate limits
apart, while the processes of one forum still hear and count together."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from forum.app import create_app
from forum.db.engine import Database
from forum.db.forum_id import forum_id
from forum.db.migrate import migrate
from forum.ratelimit.limits import SIGNUPS_PER_ADDRESS
from forum.settings import Settings
from tests.conftest import _empty_postgres, _pg_admin, make_client, skip_unless_required
from tests.helpers import PASSWORD, api_token, start_thread
from tests.live_helpers import LiveClient, session_cookie
from tests.servers import ServerProcess


@pytest.fixture(scope="session")
def neighbour_postgres_database(postgres_database: str) -> Iterator[str]:
    """A second PostgreSQL database beside the session's: another forum's."""
    name = f"forum_test_neighbour_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = re.sub(r"/[^/]*$", f"/{name}", postgres_database)
    migrate(url)
    yield url
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def neighbour_database_url(database_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Another forum's database, on the same engine as this test's."""
    if database_url.startswith("sqlite"):
        path = tmp_path / "neighbour.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("neighbour_postgres_database")
    asyncio.run(_empty_postgres(url))
    return url


async def test_one_database_one_id_whoever_asks_first(database_url, neighbour_database_url):
    """Three processes' connections asking at once on a new forum agree; another forum's differs."""
    ours = [Database(database_url) for _ in range(3)]
    theirs = Database(neighbour_database_url)
    for db in (*ours, theirs):
        await db.connect()
    try:
        ids = await asyncio.gather(*(forum_id(db) for db in ours for _ in range(3)))
        assert len(set(ids)) == 1
        assert await forum_id(ours[0]) == ids[0]  # kept, not made again
        assert await forum_id(theirs) != ids[0]
    finally:
        for db in (*ours, theirs):
            await db.disconnect()


# -- forums sharing one Redis ---------------------------------------------------------------
REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL")
# Copied from one forum's settings to the other's: the forum id, not the key, must tell them apart.
SHARED_SECRET = "one-secret-key-copied-between-forums"


@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        skip_unless_required("forums sharing a Redis need FORUM_TEST_REDIS_URL=redis://host:6379/0; "
                             ".ci/run sets it")
    return REDIS_URL


def on_redis_database(url: str, number: int) -> str:
    return re.sub(r"/\d*$", f"/{number}", url)


async def signed_in(server: ServerProcess, username: str) -> LiveClient:
    return await LiveClient.open(server.ws_url, cookie=await session_cookie(server.base_url, username))


@pytest.mark.parametrize("their_redis", ["same redis database", "another redis database"])
async def test_forums_sharing_a_redis_see_none_of_each_others_typing_or_presence(
        database_url, neighbour_database_url, redis_url, their_redis, tmp_path):
    """Pub/sub ignores Redis database numbers, so another number alone keeps nothing apart."""
    theirs_url = redis_url if their_redis == "same redis database" else on_redis_database(redis_url, 13)
    ours = [ServerProcess(database_url, broadcast_url=redis_url, secret_key=SHARED_SECRET,
                          log_path=tmp_path / f"ours{i}.log") for i in range(2)]
    theirs = ServerProcess(neighbour_database_url, broadcast_url=theirs_url, secret_key=SHARED_SECRET,
                           log_path=tmp_path / "theirs.log")
    clients: list[LiveClient] = []
    try:
        for server in (*ours, theirs):
            server.start()
        threads = []
        for server in (ours[0], theirs):
            async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
                threads.append(await start_thread(http, await api_token(http, "opener")))
        assert threads[0]["id"] == threads[1]["id"]  # thread N on both forums
        channel = f"thread:{threads[0]['id']}"

        watcher = await LiveClient.open(ours[0].ws_url)
        their_watcher = await LiveClient.open(theirs.ws_url)
        stranger = await signed_in(theirs, "stranger")
        clients += [watcher, their_watcher, stranger]
        for client in clients:
            await client.subscribe([channel])
        await stranger.send({"type": "typing", "channel": channel})
        # Their own forum heard it back through Redis: by now it has gone out to every
        # listener of their topic, ours too if we shared it.
        assert (await their_watcher.receive_type("typing"))["user"] == "stranger"

        neighbour = await signed_in(ours[1], "neighbour")
        clients.append(neighbour)
        await neighbour.subscribe([channel])
        assert (await watcher.receive_type("presence"))["users"] == ["neighbour"]
        await neighbour.send({"type": "typing", "channel": channel})
        assert (await watcher.receive_type("typing"))["user"] == "neighbour"  # one forum, two processes
        assert not [frame for frame in watcher.frames if "stranger" in json.dumps(frame)]
    finally:
        for client in clients:
            await client.close()
        for server in (*ours, theirs):
            server.stop()


async def test_rate_limits_of_forums_sharing_a_redis_and_a_secret_key_count_apart(
        database_url, neighbour_database_url, redis_url):
    """Two apps on one database (two processes of one forum) count sign-ups together; a third on
    another database (another forum, same secret key, same Redis) counts its own."""
    def app_on(url: str) -> Starlette:
        return create_app(Settings(database_url=url, broadcast_url=redis_url, secret_key=SHARED_SECRET,
                                   rate_limits=True))

    allowed, _window = SIGNUPS_PER_ADDRESS
    async with contextlib.AsyncExitStack() as stack:
        ours = [await stack.enter_async_context(LifespanManager(app_on(database_url))) for _ in range(2)]
        theirs = await stack.enter_async_context(LifespanManager(app_on(neighbour_database_url)))
        our_clients = [await stack.enter_async_context(make_client(app)) for app in ours]
        their_client = await stack.enter_async_context(make_client(theirs))

        async def sign_up(client: httpx.AsyncClient, username: str) -> int:
            response = await client.post("/api/v1/users", json={"username": username, "password": PASSWORD})
            return response.status_code

        for i in range(allowed):  # alternating between our two processes
            assert await sign_up(our_clients[i % 2], f"member{i}") == 201
        assert await sign_up(our_clients[0], "onemore") == 429
        assert await sign_up(our_clients[1], "onemore") == 429
        assert await sign_up(their_client, "member0") == 201
