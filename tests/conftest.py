"""Fixtures: a real database per test (a SQLite file; PostgreSQL too when
FORUM_TEST_POSTGRES_URL is set), the app with its lifespan, and clients."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from forum.app import create_app
from forum.db.migrate import migrate
from forum.settings import Settings
from tests.forum_command import CHEAP_HASHER

POSTGRES_URL = os.environ.get("FORUM_TEST_POSTGRES_URL")
POSTGRES_SKIP = ("PostgreSQL tests need FORUM_TEST_POSTGRES_URL=postgresql://user@host/db "
                 "(an existing database the tests may create databases beside); .ci/run sets it")
TEST_SECRET = "test-secret-key-not-for-production"
# .ci/run sets this: there, a missing service or browser is a failure, not a skip.
REQUIRE_ALL = os.environ.get("FORUM_TEST_REQUIRE_ALL") == "1"


def skip_unless_required(reason: str) -> None:
    if REQUIRE_ALL:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


# -- databases ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once; each test copies the file (a fresh database in a millisecond)."""
    path = tmp_path_factory.mktemp("template") / "forum.db"
    migrate(f"sqlite:///{path}")
    return path


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """One database for the session, migrated once; each test empties it first."""
    if not POSTGRES_URL:
        skip_unless_required(POSTGRES_SKIP)
    name = f"forum_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = re.sub(r"/[^/]*$", f"/{name}", POSTGRES_URL)
    migrate(url)
    yield url
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _empty_postgres(url: str) -> None:
    """Every table emptied and every id sequence back at its start, as TRUNCATE ... RESTART
    IDENTITY CASCADE leaves them. DELETE, children first, because the tables hold a test's few
    rows: TRUNCATE makes new files for each of the 30 tables and their indexes, 0.5 to 1.3 s a
    test here against DELETE's 0.03 s. (The search tables go with their rows' ON DELETE CASCADE.)"""
    import asyncpg

    from forum.db.tables import metadata

    conn = await asyncpg.connect(url)
    try:
        await conn.execute("".join(f'DELETE FROM "{t.name}";' for t in reversed(metadata.sorted_tables))
                           + "SELECT setval(seqrelid, seqstart, false) FROM pg_sequence;")
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "forum.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    asyncio.run(_empty_postgres(url))
    return url


# -- upload stores ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """One moto S3 server for the session; each test that uses it gets its own bucket."""
    from tests.s3_server import s3_server

    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def uploads_url(tmp_path: Path) -> str:
    """Files in this test's own directory, whatever the database (PostgreSQL has no file beside
    which the default would put them)."""
    return f"file://{tmp_path / 'uploads'}"


@pytest.fixture
def s3_uploads_url(s3_endpoint: str) -> str:
    from tests.s3_server import new_bucket

    return f"s3://{new_bucket(s3_endpoint)}?endpoint={s3_endpoint}"


@pytest.fixture
def settings(database_url: str, uploads_url: str) -> Settings:
    """Argon2's cheapest profile for every password: see tests/forum_command.py."""
    return Settings(database_url=database_url, secret_key=TEST_SECRET, rate_limits=False,
                    password_hasher=CHEAP_HASHER, uploads_url=uploads_url)


# -- the app in-process -------------------------------------------------------------------
LIFESPAN_SHUTDOWN_SECONDS = 30

@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)
    # The app's shutdown lets the hub finish the read it is in and closes the pool; with three
    # workers on two cores that has taken over asgi-lifespan's default 5 s once (CI, PostgreSQL).
    # A shutdown that hangs still fails, after LIFESPAN_SHUTDOWN_SECONDS.
    async with LifespanManager(application, shutdown_timeout=LIFESPAN_SHUTDOWN_SECONDS) as manager:
        manager.forum = manager._state["forum"]  # type: ignore[attr-defined]
        manager.starlette = application  # type: ignore[attr-defined]
        yield manager


@pytest.fixture
def forum(app: Any) -> Any:
    """The app's services (db, hub, templates) for arranging data and checking results."""
    return app.forum


def make_client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app.app),
                             base_url="http://testserver", follow_redirects=False)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as c:
        yield c


@pytest.fixture
def live_server(database_url: str, uploads_url: str, tmp_path: Path) -> Iterator[Any]:
    """`forum serve` as a real process on a free port, on this test's database."""
    from tests.servers import ServerProcess

    server = ServerProcess(database_url, log_path=tmp_path / "server.log",
                           extra_env={"FORUM_UPLOADS_URL": uploads_url}).start()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) on a free port, holding what it receives."""
    from tests.mail_server import SmtpServer

    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Debian's Chromium through Playwright, one per test (tests/browser.py starts it)."""
    from tests.browser import CHROMIUM_MISSING, chromium, chromium_path

    if not chromium_path():
        skip_unless_required(CHROMIUM_MISSING)
    async with chromium() as b:
        yield b


@pytest.fixture
async def other_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser, with its own cookies."""
    async with make_client(app) as c:
        yield c


# -- running in parallel (pytest-xdist, --dist loadgroup) -----------------------------------
# Tests in one group run one after another on one worker: the browser tests (one Chromium at a
# time, one axe-core install), the multi-process tests (they share one Redis), and the tests
# that load the machine on purpose (their timings assume they have it to themselves).
SERIAL_GROUPS = {"test_browser_pages": "browser", "test_browser_live": "browser",
                 "test_browser_xss": "browser", "test_browser_composing": "browser",
                 "test_browser_mail": "browser", "test_browser_editing": "browser",
                 "test_browser_events": "browser", "test_browser_uploads": "browser",
                 "test_browser_messages": "browser",
                 "test_scale": "redis", "test_forum_id": "redis",
                 "test_crash": "load", "test_faults": "load", "test_live": "load",
                 "test_html_valid": "html"}  # one checker install and one Java at a time


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        group = SERIAL_GROUPS.get(item.module.__name__.rsplit(".", 1)[-1]) if item.module else None
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
