"""The forum's id (forum/db/forum_id.py) and what it keeps apart: forums sharing one Redis, even
with one secret key, hear none of each other's typing or presence and count their rate limits
apart, while the processes of one forum still hear and count together."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from forum.db.engine import Database
from forum.db.forum_id import forum_id
from forum.db.migrate import migrate
from tests.conftest import _empty_postgres, _pg_admin


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
