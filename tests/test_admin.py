"""/admin: administrators see the forum's numbers, right; nobody else sees the page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from forum.actions import moderation as moderation_actions
from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.clock import utcnow
from forum.db.tables import posts, users
from forum.settings import sqlite_path
from tests.helpers import PASSWORD, api_token, make_member, submit
from tests.live_helpers import LiveClient
from tests.servers import ServerProcess


def shown(page: str, element_id: str) -> str:
    [text] = re.findall(rf'id="{element_id}"[^>]*>(?:<a [^>]*>)?([^<]*)<', page)
    return text


def per_day_table(page: str) -> dict[str, int]:
    [table] = re.findall(r'<table id="posts-per-day">(.*?)</table>', page, re.S)
    return {day: int(count) for day, count in re.findall(r"<td>([\d-]+)</td><td>(\d+)</td>", table)}


async def age(forum: Any, table: sa.Table, row_id: int, days: int) -> None:
    await forum.db.execute(sa.update(table).where(table.c.id == row_id)
                           .values(created_at=utcnow() - timedelta(days=days)))


async def sign_in(client: httpx.AsyncClient, username: str) -> None:
    response = await submit(client, "/login", {"username": username, "password": PASSWORD}, "/login")
    assert response.status_code == 303, response.text


async def test_admins_see_members_posts_flags_and_the_database_size(client, forum, database_url) -> None:
    admin = await make_member(forum, "boss", role="admin")
    newcomer = await make_member(forum, "newcomer")
    veteran = await make_member(forum, "veteran")
    await age(forum, users, admin.id, days=30)
    await age(forum, users, veteran.id, days=8)  # just outside the week

    thread_id = await thread_actions.create_thread(forum, newcomer, "Hello", "Opening", ["general-chat"])
    today = [(await post_actions.reply(forum, veteran, thread_id, f"Today {n}"))["id"] for n in range(3)]
    earlier = [(await post_actions.reply(forum, veteran, thread_id, f"Earlier {n}"))["id"] for n in range(2)]
    for post_id in earlier:
        await age(forum, posts, post_id, days=3)
    too_old = (await post_actions.reply(forum, veteran, thread_id, "Long ago"))["id"]
    await age(forum, posts, too_old, days=45)
    await post_actions.delete(forum, veteran, today[0])
    await moderation_actions.flag_post(forum, newcomer, today[1], "Spam")
    await moderation_actions.flag_post(forum, newcomer, today[2], "Rude")

    await sign_in(client, "boss")
    response = await client.get("/admin")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    page = response.text
    assert shown(page, "joined-this-week") == "1"  # newcomer alone
    assert shown(page, "open-flags") == "2"
    assert shown(page, "live-connections") == "0"

    by_day = per_day_table(page)
    day = utcnow().date()
    assert len(by_day) == 30 and min(by_day) == (day - timedelta(days=29)).isoformat()
    # The opening post and two replies today (one deleted); two replies three days ago.
    assert by_day[day.isoformat()] == 3
    assert by_day[(day - timedelta(days=3)).isoformat()] == 2
    assert sum(by_day.values()) == 5

    # The chart draws the same numbers: one bar a day, the busiest reaching the top margin.
    [svg] = re.findall(r"<svg class=\"bar-chart\".*?</svg>", page, re.S)
    assert 'role="img"' in svg and "<desc" in svg and "5 posts in all; the busiest day had 3" in svg
    bar = r'<rect class="bar-chart-bar"[^>]* height="([\d.]+)"><title>([\d-]+): (\d+)</title>'
    bars = re.findall(bar, svg)
    assert len(bars) == 30
    assert {label: int(value) for _, label, value in bars} == by_day
    heights = {label: float(height) for height, label, _ in bars}
    assert heights[day.isoformat()] == 146.0 and heights[(day - timedelta(days=1)).isoformat()] == 0.0
    assert "style=" not in page and "<script>" not in page

    reported = int(re.findall(r'data-bytes="(\d+)"', page)[0])
    path = sqlite_path(database_url)
    if path is not None:
        on_disk = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
        assert 0 < reported <= on_disk  # nothing but this test writes between the two
        assert reported >= path.stat().st_size
    else:
        size = await forum.db.fetch_val("SELECT pg_database_size(current_database())")
        assert abs(reported - size) < size * 0.05


async def test_the_header_links_admin_for_admins_only(client, forum) -> None:
    await make_member(forum, "boss", role="admin")
    await make_member(forum, "mod", role="moderator")
    await sign_in(client, "mod")
    assert 'href="/admin"' not in (await client.get("/")).text
    await submit(client, "/logout", {})
    await sign_in(client, "boss")
    assert 'href="/admin"' in (await client.get("/")).text


@pytest.mark.parametrize("role", [None, "member", "moderator"])
async def test_everyone_else_is_refused(client, forum, role) -> None:
    if role is not None:
        await make_member(forum, "someone", role=role)
        await sign_in(client, "someone")
    response = await client.get("/admin")
    assert response.status_code == 403
    assert "joined-this-week" not in response.text and "bar-chart" not in response.text
    if role is not None:  # a token is refused the same
        headers = await api_token(client, "someone", signup=False)
        assert (await client.get("/admin", headers=headers)).status_code == 403


@pytest.fixture
def server_with_admin(database_url: str, tmp_path: Path):
    """A real `forum serve` (live connections are its sockets) and an admin made as an
    operator makes one, with the command line."""
    server = ServerProcess(database_url, log_path=tmp_path / "server.log").start()
    try:
        made = subprocess.run([sys.executable, "-m", "tests.forum_command", "user", "create", "boss",
                               "--role", "admin", "--password-stdin"], input=PASSWORD, text=True,
                              capture_output=True, timeout=120,
                              env={**os.environ, "FORUM_DATABASE_URL": database_url})
        assert made.returncode == 0, made.stderr
        yield server
    finally:
        server.stop()


async def test_live_connections_are_the_servers_open_sockets(server_with_admin: ServerProcess) -> None:
    server = server_with_admin
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
        admin = await api_token(http, "boss", signup=False)
        readers = [await LiveClient.open(server.ws_url) for _ in range(2)]
        try:
            for reader in readers:
                await reader.subscribe(["category:general-chat"])
            page = (await http.get("/admin", headers=admin)).text
            assert shown(page, "live-connections") == "2"
        finally:
            for reader in readers:
                await reader.close()
