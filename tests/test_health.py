"""/healthz names the dependency that is down: Redis refusing connections, PostgreSQL cut off
(through the TCP proxy tests/test_scale.py uses too)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.helpers import api_token, reply, start_thread
from tests.servers import ServerProcess, free_port
from tests.tcp_proxy import TcpProxy


async def test_all_well(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def start_answering(database_url: str, broadcast_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    """`forum serve`, waited for until /healthz answers at all (a 503 included)."""
    port = free_port()
    env = {**os.environ, "FORUM_DATABASE_URL": database_url, "FORUM_BROADCAST_URL": broadcast_url,
           "FORUM_SECRET_KEY": "health-test", "FORUM_RATE_LIMITS": "off"}
    with open(log, "wb") as out:
        command = [sys.executable, "-m", "tests.forum_command", "serve", "--port", str(port)]
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"{base_url}/healthz", timeout=5)
            return process, base_url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"forum serve never answered: {log.read_text()[-2000:]}")


async def test_redis_down_is_named_and_posting_goes_on(database_url: str, tmp_path: Path) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    process, base_url = await asyncio.to_thread(start_answering, database_url, closed, tmp_path / "log")
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            health = await http.get("/healthz")
            assert health.status_code == 503
            assert health.json() == {"status": "unavailable", "down": ["redis"],
                                     "database": "ok", "redis": "not answering"}
            author = await api_token(http, "stillhere")
            thread = await start_thread(http, author)
            await reply(http, author, thread["id"], "Redis is away, the forum is not")
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_postgres_down_is_named(postgres_database: str, tmp_path: Path) -> None:
    match = re.match(r"postgresql://([^@]+@)?([^:/]+)(?::(\d+))?/(.+)", postgres_database)
    assert match, postgres_database
    proxy = await TcpProxy(match.group(2), int(match.group(3) or 5432)).start()
    proxied = f"postgresql://{match.group(1) or ''}127.0.0.1:{proxy.port}/{match.group(4)}"
    server = await asyncio.to_thread(ServerProcess(proxied, log_path=tmp_path / "server.log").start)
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
            await proxy.cut()
            health = await http.get("/healthz")
            assert health.status_code == 503
            assert health.json() == {"status": "unavailable", "down": ["database"],
                                     "database": "not answering"}
            await proxy.restore()
            async with asyncio.timeout(30):
                while (await http.get("/healthz")).status_code != 200:  # noqa: ASYNC110 (another process)
                    await asyncio.sleep(0.2)
    finally:
        await asyncio.to_thread(server.stop)
