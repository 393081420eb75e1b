"""The `forum` command, run as a person would run it: a real process on a real database
(through tests/forum_command.py, for argon2's cheapest profile)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from forum.demo.timeline import members

MEMBERS = members()


def run_forum(database_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "FORUM_DATABASE_URL": database_url, "FORUM_SECRET_KEY": "cli-test"}
    return subprocess.run([sys.executable, "-m", "tests.forum_command", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """The sqlite variant starts from no file at all: `forum migrate` must create it."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'fresh' / 'forum.db'}"
    return database_url


def test_help_lists_commands_and_settings(database_url):
    result = run_forum(database_url, "--help")
    assert result.returncode == 0
    for word in ("serve", "migrate", "demo", "user", "FORUM_DATABASE_URL", "FORUM_BROADCAST_URL"):
        assert word in result.stdout


def test_migrate_then_user_create_and_role(empty_database_url):
    assert run_forum(empty_database_url, "migrate").returncode == 0
    created = run_forum(empty_database_url, "user", "create", "Admin_Ann", "--role", "admin",
                        "--password-stdin", stdin="a long enough password\n")
    assert created.returncode == 0, created.stderr
    assert "Created Admin_Ann (admin)" in created.stdout
    again = run_forum(empty_database_url, "user", "create", "admin_ann", "--password-stdin",
                      stdin="a long enough password\n")
    assert again.returncode == 2 and "taken" in again.stderr
    short = run_forum(empty_database_url, "user", "create", "bob", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "password" in short.stderr
    role = run_forum(empty_database_url, "user", "role", "ADMIN_ANN", "moderator")
    assert role.returncode == 0 and "now moderator" in role.stdout
    missing = run_forum(empty_database_url, "user", "role", "nobody", "admin")
    assert missing.returncode == 2


async def test_user_password_sets_a_new_one_and_ends_sessions_and_tokens(app, client, database_url):
    from tests.helpers import api_token

    headers = await api_token(client, "forgetful")
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    def set_password(name: str, password: str):
        return run_forum(database_url, "user", "password", name, "--password-stdin", stdin=password + "\n")

    short = set_password("forgetful", "short")
    assert short.returncode == 2 and "password" in short.stderr
    nobody = set_password("nobody", "long enough pw")
    assert nobody.returncode == 2 and "No member" in nobody.stderr
    done = set_password("FORGETFUL", "a brand new one")
    assert done.returncode == 0, done.stderr
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    login = await client.post("/api/v1/tokens", json={"username": "forgetful", "password": "a brand new one"})
    assert login.status_code == 201


def test_the_tests_command_and_server_hash_with_the_cheap_hasher(empty_database_url, tmp_path):
    """tests/forum_command.py hands argon2's cheapest profile to every path that hashes: demo
    loading, `user create`, `user password` and the server it starts."""
    import asyncio

    import httpx

    from forum.db.engine import Database
    from forum.db.tables import users
    from tests.forum_command import CHEAP_HASHER
    from tests.servers import ServerProcess

    assert run_forum(empty_database_url, "demo").returncode == 0
    for command in ("create", "password"):
        done = run_forum(empty_database_url, "user", command, "cli_cleo", "--password-stdin",
                         stdin="a long enough password\n")
        assert done.returncode == 0, done.stderr
    server = ServerProcess(empty_database_url, log_path=tmp_path / "server.log").start()
    try:
        signed_up = httpx.post(f"{server.base_url}/api/v1/users",
                               json={"username": "served_sam", "password": "a long enough password"})
        assert signed_up.status_code == 201
        logged_in = httpx.post(f"{server.base_url}/api/v1/tokens",
                               json={"username": "cli_cleo", "password": "a long enough password"})
        assert logged_in.status_code == 201
    finally:
        server.stop()

    async def hashes() -> dict[str, str]:
        db = Database(empty_database_url)
        await db.connect()
        try:
            rows = await db.fetch_all(sa.select(users.c.username, users.c.password_hash))
            return {row["username"]: row["password_hash"] for row in rows}
        finally:
            await db.disconnect()

    cheap = f"m={CHEAP_HASHER.memory_cost},t={CHEAP_HASHER.time_cost},p={CHEAP_HASHER.parallelism}"
    found = asyncio.run(hashes())
    assert {"cli_cleo", "served_sam", MEMBERS[0]["username"]} <= set(found)
    assert [name for name, value in found.items() if cheap not in value] == []


def test_demo_is_idempotent_and_complete(empty_database_url):
    first = run_forum(empty_database_url, "demo")
    assert first.returncode == 0, first.stderr
    assert "Demo content loaded" in first.stdout
    second = run_forum(empty_database_url, "demo")
    assert second.returncode == 0 and "already there" in second.stdout
    check = run_forum(empty_database_url, "user", "create", MEMBERS[0]["username"], "--password-stdin",
                      stdin="another password\n")
    assert check.returncode == 2  # the demo members exist once


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_copy_a_sqlite_forum_to_postgresql(database_url, tmp_path):
    """Moving an existing SQLite forum to PostgreSQL: every row, counts checked, and it works."""
    sqlite_url = f"sqlite:///{tmp_path / 'small.db'}"
    assert run_forum(sqlite_url, "demo").returncode == 0
    copied = run_forum(sqlite_url, "copy-to", database_url)
    assert copied.returncode == 0, copied.stderr
    assert "the counts match" in copied.stdout and "MISMATCH" not in copied.stdout
    assert "posts" in copied.stdout and "events" in copied.stdout
    again = run_forum(sqlite_url, "copy-to", database_url)
    assert again.returncode == 2 and "empty forum" in again.stderr
    # The copy is a working forum: new rows get fresh ids, and search finds old posts.
    added = run_forum(database_url, "user", "create", "after_move", "--password-stdin",
                      stdin="a long enough password\n")
    assert added.returncode == 0, added.stderr
    import asyncio

    from forum.db import search
    from forum.db.engine import Database
    from forum.search_query import parse

    async def find() -> list:
        db = Database(database_url)
        await db.connect()
        try:
            rows, _ = await search.search(db, parse("welcome"))
            return rows
        finally:
            await db.disconnect()

    assert asyncio.run(find())


def test_the_served_app_freezes_what_it_holds_once_started(database_url):
    """`forum serve`'s app (forum.asgi) moves its start-up heap out of the garbage collector's
    walks; an app built for tests or tools does not."""
    script = (
        "import asyncio, gc\n"
        "from asgi_lifespan import LifespanManager\n"
        "from forum.app import create_app\n"
        "async def frozen_after_start(app):\n"
        "    async with LifespanManager(app):\n"
        "        return gc.get_freeze_count()\n"
        "print(asyncio.run(frozen_after_start(create_app())))\n"
        "from forum.asgi import app\n"
        "print(asyncio.run(frozen_after_start(app)))\n")
    env = {**os.environ, "FORUM_DATABASE_URL": database_url, "FORUM_SECRET_KEY": "cli-test"}
    assert run_forum(database_url, "migrate").returncode == 0
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    plain, served = map(int, result.stdout.split())
    assert plain == 0 and served > 10_000


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_copy_to_postgresql_removes_nul_that_older_versions_stored_on_sqlite(database_url, tmp_path):
    """A row the forum once accepted must not stop a move: PostgreSQL text cannot hold NUL."""
    import asyncio
    import sqlite3

    sqlite_path = tmp_path / "old.db"
    sqlite_url = f"sqlite:///{sqlite_path}"
    assert run_forum(sqlite_url, "migrate").returncode == 0
    created = run_forum(sqlite_url, "user", "create", "old_timer", "--password-stdin",
                        stdin="a long enough password\n")
    assert created.returncode == 0, created.stderr
    with sqlite3.connect(sqlite_path) as db:
        db.execute("UPDATE users SET display_name = 'Old' || char(0) || 'Timer',"
                   " bio = char(0) || 'Hello' WHERE username = 'old_timer'")
    copied = run_forum(sqlite_url, "copy-to", database_url)
    assert copied.returncode == 0, copied.stderr
    assert "users: removed NUL characters from 2 text values" in copied.stdout
    assert "the counts match" in copied.stdout

    from forum.db.engine import Database

    async def stored() -> tuple[str, str]:
        db = Database(database_url)
        await db.connect()
        try:
            row = await db.fetch_one("SELECT display_name, bio FROM users WHERE username = 'old_timer'")
            return row["display_name"], row["bio"]
        finally:
            await db.disconnect()

    assert asyncio.run(stored()) == ("OldTimer", "Hello")


def test_the_command_line_may_create_reserved_names(database_url):
    """The site refuses "admin" to visitors; an admin at the command line makes the real one."""
    assert run_forum(database_url, "migrate").returncode == 0
    created = run_forum(database_url, "user", "create", "admin", "--role", "admin", "--password-stdin",
                        stdin="a long enough password\n")
    assert created.returncode == 0 and "Created admin (admin)" in created.stdout, created.stderr
    refused = run_forum(database_url, "user", "create", "___", "--password-stdin",
                        stdin="a long enough password\n")
    assert refused.returncode != 0 and "letter or digit" in refused.stdout + refused.stderr


def test_user_create_on_a_database_never_migrated_migrates_it_first(empty_database_url):
    """An administrator's first command on a new server may be `forum user create`: it used to
    fail on the missing tables and then hang instead of exiting."""
    result = run_forum(empty_database_url, "user", "create", "alice", "--role", "admin",
                       "--password-stdin", stdin="a long password\n")
    assert result.returncode == 0, result.stderr
    assert "Created alice (admin)." in result.stdout
