"""The compiled-statement cache: each statement shape compiled once, every execution still
sent with its own values, and result rows typed as before, on both engines."""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import databases
import pytest
import sqlalchemy as sa
from databases.backends.common.records import create_column_maps
from databases.backends.postgres import PostgresConnection
from databases.backends.sqlite import SQLiteConnection

from forum.db.engine import Database
from forum.db.tables import events, meta, users

T0 = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.connect()
    yield database
    await database.disconnect()


def cache_of(db: Database) -> Any:
    assert db.compile_cache is not None
    return db.compile_cache


async def add_user(db: Database, name: str, created_at: datetime = T0, suspended_at: datetime | None = None,
                   dismissed_banner_id: int | None = None) -> int:
    return await db.execute(users.insert().values(
        username=name, username_key=name.lower(), display_name=name.title(), password_hash="x",
        created_at=created_at, suspended_at=suspended_at, dismissed_banner_id=dismissed_banner_id))


def as_utc(value: datetime) -> datetime:
    """SQLite hands timestamps back naive (in UTC, as stored); PostgreSQL aware."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def test_one_shape_with_different_values_returns_each_executions_rows(db):
    ids = {name: await add_user(db, name) for name in ("ann", "bob", "cy", "dee")}
    cache = cache_of(db)
    misses = cache.misses
    for name in ("dee", "ann", "cy", "bob", "nobody", "ann"):
        row = await db.fetch_one(sa.select(users.c.id, users.c.username).where(users.c.username_key == name))
        if name in ids:
            assert (row["id"], row["username"]) == (ids[name], name)
        else:
            assert row is None
    assert cache.misses == misses + 1  # compiled once, run six times
    assert cache.hits >= 5


async def test_in_lists_of_any_length_share_one_compiled_statement(db):
    ids = {name: await add_user(db, name) for name in ("ann", "bob", "cy", "dee")}
    cache = cache_of(db)
    size = len(cache)

    async def named(names: list[str]) -> list[str]:
        rows = await db.fetch_all(sa.select(users.c.username).where(users.c.username_key.in_(names))
                                  .where(users.c.id > 0).order_by(users.c.id))
        return [r["username"] for r in rows]

    assert await named(["cy"]) == ["cy"]
    assert await named(["dee", "ann", "bob"]) == ["ann", "bob", "dee"]
    assert await named([]) == []
    assert await named(["bob", "zed"]) == ["bob"]
    assert len(cache) == size + 1
    # An IN list in an UPDATE, as the forum bumps channel counters.
    changed = [ids["ann"], ids["cy"]]
    await db.execute(users.update().where(users.c.id.in_(changed))
                     .values(post_count=users.c.post_count + 7))
    counts = await db.fetch_all(sa.select(users.c.username, users.c.post_count).order_by(users.c.id))
    assert [(r["username"], r["post_count"]) for r in counts] == [
        ("ann", 7), ("bob", 0), ("cy", 7), ("dee", 0)]


async def test_in_list_of_timestamps_is_converted_like_any_other_timestamp(db):
    """SQLAlchemy converts each IN-list element with its type's bind processor; `databases`'
    own compile did not (a SQLite timestamp would be sent in the wrong text form)."""
    await add_user(db, "ann", created_at=T0)
    await add_user(db, "bob", created_at=T0 + timedelta(days=1))
    rows = await db.fetch_all(sa.select(users.c.username).where(
        users.c.created_at.in_([T0 + timedelta(days=1), T0 + timedelta(days=9)])))
    assert [r["username"] for r in rows] == ["bob"]


async def test_none_and_timestamps_round_trip_with_their_types(db):
    later = T0 + timedelta(hours=5, microseconds=7)
    await add_user(db, "ann", suspended_at=None, dismissed_banner_id=None)
    await add_user(db, "bob", suspended_at=later, dismissed_banner_id=3)
    await add_user(db, "cy", suspended_at=None, dismissed_banner_id=None)
    for _ in range(2):  # the second round runs from the cache
        rows = await db.fetch_all(sa.select(users).order_by(users.c.id))
        assert [r["suspended_at"] for r in rows][0::2] == [None, None]
        assert [r["dismissed_banner_id"] for r in rows] == [None, 3, None]
        assert isinstance(rows[1]["suspended_at"], datetime)
        assert as_utc(rows[1]["suspended_at"]) == later
        assert [as_utc(r["created_at"]) for r in rows] == [T0] * 3
        assert rows[1][users.c.suspended_at] == rows[1]["suspended_at"]  # by column, as the forum reads
    for when, expected in ((later, ["bob"]), (T0, []), (later + timedelta(microseconds=1), [])):
        rows = await db.fetch_all(sa.select(users.c.username).where(users.c.suspended_at == when))
        assert [r["username"] for r in rows] == expected


async def test_json_round_trips_with_its_type(db):
    for value in ({"a": [1, "é"]}, {"b": None}, [3, 4]):
        got = await db.fetch_val(sa.select(sa.literal(value, sa.JSON).label("j")))
        assert got == value


async def test_insert_update_delete_and_returning(db):
    first = await add_user(db, "ann")
    second = await add_user(db, "bob")
    assert isinstance(first, int) and second == first + 1  # the new id, as posts.py relies on
    returned = await db.fetch_one(users.update().where(users.c.id == second)
                                  .values(display_name="Robert").returning(users.c.id, users.c.display_name))
    assert (returned["id"], returned["display_name"]) == (second, "Robert")
    returned = await db.fetch_one(users.update().where(users.c.id == first)
                                  .values(display_name="Annie").returning(users.c.id, users.c.display_name))
    assert (returned["id"], returned["display_name"]) == (first, "Annie")
    event_ids = [await db.fetch_val(events.insert().returning(events.c.id)
                                    .values(channel=f"c{n}", type="t", data="{}", created_at=T0))
                 for n in range(4)]
    assert event_ids == sorted(event_ids) and len(set(event_ids)) == 4
    await db.execute(events.delete().where(events.c.id <= event_ids[1]))
    await db.execute(events.delete().where(events.c.id == event_ids[3]))
    left = await db.fetch_all(sa.select(events.c.id, events.c.channel))
    assert [(r["id"], r["channel"]) for r in left] == [(event_ids[2], "c2")]
    names = await db.fetch_all(sa.select(users.c.display_name).order_by(users.c.id))
    assert [r["display_name"] for r in names] == ["Annie", "Robert"]


async def test_limit_and_offset_values_differ_between_executions(db):
    ids = [await db.fetch_val(events.insert().values(channel="c", type="t", data="{}", created_at=T0)
                              .returning(events.c.id)) for _ in range(6)]
    for limit, offset in ((2, 0), (3, 2), (1, 5), (4, 4), (10, 0)):
        rows = await db.fetch_all(sa.select(events.c.id).order_by(events.c.id).limit(limit).offset(offset))
        assert [r["id"] for r in rows] == ids[offset:offset + limit]


async def test_text_statements_with_bound_values(db):
    ids = {name: await add_user(db, name) for name in ("ann", "bob")}
    for name in ("bob", "ann", "nobody"):
        sql = "SELECT id FROM users WHERE username_key = :key"
        by_text = await db.fetch_val(sa.text(sql).bindparams(key=name))
        by_string = await db.fetch_val(sql, {"key": name})
        assert by_text == by_string == ids.get(name)
    await db.execute("INSERT INTO meta (key, value) VALUES (:key, :value)", {"key": "k1", "value": "one"})
    await db.execute("INSERT INTO meta (key, value) VALUES (:key, :value)", {"key": "k2", "value": "two"})
    rows = await db.fetch_all(sa.select(meta).order_by(meta.c.key))
    assert [(r["key"], r["value"]) for r in rows] == [("k1", "one"), ("k2", "two")]


async def test_named_bind_parameters_given_by_params(db):
    ids = {name: await add_user(db, name) for name in ("ann", "bob")}
    by_key = sa.select(users.c.id).where(users.c.username_key == sa.bindparam("key"))
    for name in ("bob", "ann", "bob"):
        assert await db.fetch_val(by_key.params(key=name)) == ids[name]


async def test_literal_columns_and_sql_functions(db):
    for name in ("Ann", "bob", "CY"):
        await add_user(db, name)
    for wanted, tag in (("ann", "'first'"), ("cy", "'second'")):
        row = await db.fetch_one(sa.select(
            users.c.username, sa.literal_column(tag).label("tag"),
            (sa.func.length(users.c.username) + 1).label("length_plus_one"),
        ).where(sa.func.lower(users.c.username) == wanted))
        assert (row["username"].lower(), row["tag"], row["length_plus_one"]) == (wanted, tag.strip("'"),
                                                                                   len(wanted) + 1)
    for floor in (0, 2):
        counted = await db.fetch_one(sa.select(sa.func.count().label("n"),
                                               sa.func.coalesce(sa.func.max(users.c.id), floor).label("top"))
                                     .where(users.c.id > floor))
        assert (counted["n"], counted["top"]) == (3 - floor, 3)
    assert await db.fetch_val(sa.select(sa.func.coalesce(sa.func.max(events.c.id), 0))) == 0


async def test_the_cache_stays_bounded_and_recompiles_what_it_dropped(db):
    cache = cache_of(db)
    cache.size = 3
    ann = await add_user(db, "ann")
    columns = [users.c.id, users.c.username, users.c.display_name, users.c.role, users.c.bio]
    for _ in range(2):
        for column in columns:  # five shapes through a cache of three
            assert await db.fetch_val(sa.select(column).where(users.c.id == ann)) is not None
            assert len(cache) <= 3
    misses = cache.misses
    assert await db.fetch_val(sa.select(users.c.bio).where(users.c.id == ann)) == ""  # the newest: kept
    assert cache.misses == misses
    assert await db.fetch_val(sa.select(users.c.id).where(users.c.id == ann)) == ann  # the oldest: dropped
    assert cache.misses == misses + 1


# -- what it relies on in `databases` --------------------------------------------------------
CONNECTIONS = {"sqlite": SQLiteConnection, "postgresql": PostgresConnection}


def test_the_databases_internals_it_wraps_are_as_expected():
    """forum/db/compile_cache.py replaces `_compile` on `databases` 0.9 backend connections.
    If this fails, `databases` changed: check compile_cache.py against the new version."""
    assert databases.__version__.startswith("0.9."), databases.__version__
    for connection_class in CONNECTIONS.values():
        assert list(inspect.signature(connection_class._compile).parameters) == ["self", "query"]
        source = inspect.getsource(connection_class)
        assert "self._compile(" in source
        assert 'compile_kwargs={"render_postcompile": True}' in inspect.getsource(connection_class._compile)
        # Each fetch builds its column maps through the backend module's `create_column_maps`.
        assert "column_maps = create_column_maps(result_columns)" in source


def _comparable(compiled: tuple) -> tuple:
    """Anonymous labels carry the id of the object they were made from: alike, not equal."""
    sql, args, result_map = compiled[:3]
    columns = None if result_map is None else [
        (entry.keyname, re.sub(r"%\(\d+ ", "%(", entry.name), type(entry.type)) for entry in result_map]
    return sql, list(args), columns


async def test_the_cache_gives_databases_own_compile_output(db):
    """Against the uncached `_compile` of this engine's `databases` backend, statement by statement,
    with values that differ from those the cached statement was compiled with."""
    connection = db._db._backend.connection()
    uncached = CONNECTIONS[db.compile_cache.dialect.name]._compile

    def statements(n: int) -> list[Any]:
        return [
            sa.select(users).where(users.c.username_key == f"u{n}").limit(n + 1).offset(n),
            sa.select(users.c.id).where(users.c.id.in_(list(range(n))), users.c.role != "x"),
            sa.select(sa.func.count().label("n")).select_from(users).where(users.c.created_at > T0),
            users.insert().values(username=f"u{n}", username_key=f"u{n}", display_name="U", password_hash="x",
                                  created_at=T0, suspended_at=None),
            users.update().where(users.c.id == n).values(bio=f"b{n}").returning(users.c.id),
            events.delete().where(events.c.id <= n),
            sa.text("SELECT id FROM users WHERE id = :id AND bio = ''").bindparams(id=n),
            sa.select(sa.literal_column("1").label("one"), sa.func.lower(users.c.bio)).where(users.c.id == n),
        ]

    backend_module = sys.modules[type(db._db._backend).__module__]
    for n in (0, 1, 3, 2):
        for statement in statements(n):
            cached = connection._compile(statement)
            assert _comparable(cached) == _comparable(uncached(connection, statement)), statement
            if cached[2] is not None:  # the kept column maps are the ones `databases` would build
                assert backend_module.create_column_maps(cached[2]) == create_column_maps(cached[2])
            if db.is_sqlite:
                context, expected = cached[3].context, uncached(connection, statement)[3].context
                assert context.dialect is expected.dialect
                assert context.result_column_struct[1:] == expected.result_column_struct[1:]
    assert db.compile_cache.hits >= 3 * len(statements(0))


# -- one trip per statement on SQLite (forum/db/sqlite_statements.py) --------------------------
def test_the_sqlite_internals_one_trip_relies_on_are_as_expected():
    """It calls aiosqlite's `_execute(fn, ...)` with the `sqlite3` connection `_conn`, and
    replaces fetch_all, fetch_one and execute on `databases`' SQLite backend connection."""
    import aiosqlite

    assert list(inspect.signature(aiosqlite.Connection._execute).parameters)[:2] == ["self", "fn"]
    assert "self._conn" in inspect.getsource(aiosqlite.Connection)
    for name in ("fetch_all", "fetch_one", "execute"):
        assert list(inspect.signature(getattr(SQLiteConnection, name)).parameters) == ["self", "query"]
    source = inspect.getsource(SQLiteConnection)
    assert "self._connection" in source and "self._dialect" in source
    assert "return cursor.rowcount" in source and "return cursor.lastrowid" in source


async def test_one_trip_statements_answer_as_databases_own_methods(tmp_path):
    """Row for row, value for value (timestamps, None, booleans, labels), and execute's
    lastrowid or rowcount, against the unreplaced `databases` SQLite methods."""
    db = Database(f"sqlite:///{tmp_path / 'one-trip.db'}")
    await db.connect()
    try:
        async with db.connection():
            await db.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, at TIMESTAMP, "
                                     "flag BOOLEAN)"))
        table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                         sa.Column("name", sa.String), sa.Column("at", sa.DateTime),
                         sa.Column("flag", sa.Boolean))
        async with db.connection():
            backend_connection = db._db.connection()._connection
            own = {name: partial(getattr(SQLiteConnection, name), backend_connection)
                   for name in ("fetch_all", "fetch_one", "execute")}
            for n in range(3):
                inserted = table.insert().values(name=f"n{n}", at=T0 + timedelta(hours=n) if n else None,
                                                 flag=n % 2 == 0)
                assert await backend_connection.execute(inserted) == n * 2 + 1
                assert await own["execute"](inserted) == n * 2 + 2
            statements = [
                sa.select(table).order_by(table.c.id),
                sa.select(table.c.name.label("who"), sa.func.count().label("n")).group_by(table.c.name),
                sa.select(table).where(table.c.id == 99),
            ]
            for statement in statements:
                mine = await backend_connection.fetch_all(statement)
                theirs = await own["fetch_all"](statement)
                assert [_values(r) for r in mine] == [_values(r) for r in theirs]
                one, other = await backend_connection.fetch_one(statement), await own["fetch_one"](statement)
                assert _values(one) == _values(other)
            update = table.update().where(table.c.id > 2).values(flag=True)
            # Like `databases`: an UPDATE answers the connection's last inserted row id, not its row count.
            assert await backend_connection.execute(update) == await own["execute"](update)
    finally:
        await db.disconnect()


def _values(record: Any) -> Any:
    """Every way a page reads a row: by name, by position, as attributes, as a mapping."""
    if record is None:
        return None
    keys = list(record.keys())
    return (keys, [record[k] for k in keys], [record[i] for i in range(len(keys))],
            [getattr(record, k) for k in keys], [type(record[k]) for k in keys], list(record._mapping))
