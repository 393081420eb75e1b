"""The forum's one-trip SQLite connection (forum/db/sqlite_statements.py): each statement is one
trip to the connection's thread, and what comes back reads exactly as `databases`' own SQLite
connection's Records read (by name, position and column, keys, values, `_mapping`, attributes),
with the same values of the same types, on the same statements."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import databases
import pytest
import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.sqlite_backend import ForumDatabases
from forum.db.sqlite_statements import SQLiteRecord
from forum.db.tables import live_log, meta, users

T0 = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
async def url(sqlite_template, tmp_path) -> str:
    """SQLite only: PostgreSQL's connections are `databases`' own."""
    shutil.copy(sqlite_template, tmp_path / "forum.db")
    return f"sqlite:///{tmp_path / 'forum.db'}"


@pytest.fixture
async def db(url: str) -> AsyncIterator[Database]:
    database = Database(url)
    await database.connect()
    yield database
    await database.disconnect()


@pytest.fixture
async def theirs(url: str) -> AsyncIterator[databases.Database]:
    """`databases`' own SQLite backend on the same file, to compare with."""
    database = databases.Database(url)
    await database.connect()
    yield database
    await database.disconnect()


async def add_user(db: Database, name: str, days: int = 0, **values: Any) -> int:
    return await db.execute(users.insert().values(
        username=name, username_key=name.lower(), display_name=name.title(), password_hash="x",
        created_at=T0 + timedelta(days=days), **values))


async def some_users(db: Database) -> None:
    await add_user(db, "ann", greeter=True, organisation="Ann's Trust")
    await add_user(db, "bob", days=1, suspended_at=T0 + timedelta(days=2))
    await add_user(db, "cy", days=2, dismissed_banner_id=4)


class Trips(logging.Handler):
    """Counts calls run on aiosqlite's connection threads, from aiosqlite's debug log (one
    "executing" line per call)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "executing %s":
            self.count += 1


@pytest.fixture
def trips() -> Iterator[Trips]:
    log = logging.getLogger("aiosqlite")
    handler, level = Trips(), log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    yield handler
    log.removeHandler(handler)
    log.setLevel(level)


def read(record: Any, columns: list[Any]) -> dict[str, Any]:
    """Everything a caller can read off a record, with each value's type."""
    names = list(record.keys())
    typed = lambda value: (type(value), value)  # noqa: E731
    return {
        "keys": names, "iterated": list(record), "len": len(record),
        "values": [typed(v) for v in record.values()],
        "by name": [typed(record[name]) for name in names],
        "by position": [typed(record[i]) for i in range(len(record))],
        "as attributes": [typed(getattr(record, name)) for name in names],
        "mapping": {name: typed(value) for name, value in dict(record._mapping).items()},
        "spread": {name: typed(value) for name, value in {**record._mapping}.items()},
        "by column": [typed(record[column]) for column in columns],
    }


U2 = users.alias("u2")
STATEMENTS: list[tuple[str, Any, list[Any]]] = [
    ("a whole table", sa.select(users).order_by(users.c.id),
     [users.c.id, users.c.created_at, users.c.greeter]),
    ("some columns, filtered", sa.select(users.c.username, users.c.suspended_at)
     .where(users.c.created_at > T0).order_by(users.c.username.desc()), [users.c.suspended_at]),
    ("one name twice", sa.select(users.c.id, U2.c.id, U2.c.created_at)
     .join_from(users, U2, U2.c.id > users.c.id).order_by(users.c.id, U2.c.id),
     [users.c.id, U2.c.created_at]),
    ("labels and functions", sa.select(users.c.id.label("uid"), sa.func.count().label("n"),
                                       sa.func.max(users.c.created_at), sa.func.count())
     .group_by(users.c.id).order_by(users.c.id), [users.c.id]),
    ("literals", sa.select(sa.literal({"a": [1, "é"]}, sa.JSON).label("j"), sa.literal(True).label("t"),
                           sa.literal_column("'x'").label("x"),
                           sa.literal(T0, sa.DateTime).label("when")), []),
    ("an IN list", sa.select(users.c.username).where(users.c.username_key.in_(["bob", "cy", "zed"]))
     .order_by(users.c.id), []),
    ("limit and offset", sa.select(users.c.username).order_by(users.c.id).limit(2).offset(1), []),
    ("a union", sa.select(users.c.id, users.c.created_at).where(users.c.id < 2)
     .union_all(sa.select(users.c.id, users.c.created_at).where(users.c.id > 2)), []),
    ("typed plain SQL", sa.text("SELECT id, created_at FROM users ORDER BY id")
     .columns(users.c.id, users.c.created_at), [users.c.created_at]),
    ("plain SQL", sa.text("SELECT id, username, created_at AS made FROM users WHERE id > :n ORDER BY id")
     .bindparams(n=1), []),
    ("no rows", sa.select(users.c.id).where(users.c.id < 0), []),
]


@pytest.mark.parametrize(("kind", "statement", "columns"), STATEMENTS, ids=[s[0] for s in STATEMENTS])
async def test_records_read_as_databases_own_records_read(db, theirs, kind, statement, columns):
    await some_users(db)
    ours = await db.fetch_all(statement)
    expected = await theirs.fetch_all(statement)
    assert all(isinstance(record, SQLiteRecord) for record in ours)
    assert [read(r, columns) for r in ours] == [read(r, columns) for r in expected]
    one, their_one = await db.fetch_one(statement), await theirs.fetch_one(statement)
    assert (one is None) == (their_one is None) == (not expected)
    if one is not None:
        assert read(one, columns) == read(their_one, columns)
        assert await db.fetch_val(statement) == await theirs.fetch_val(statement)


async def test_a_missing_field_is_a_key_error_and_an_attribute_error(db):
    await some_users(db)
    record = await db.fetch_one(sa.select(users.c.id, users.c.username).order_by(users.c.id))
    with pytest.raises(KeyError):
        record["nope"]
    with pytest.raises(KeyError):
        record[users.c.created_at]
    with pytest.raises(AttributeError):
        record.nope  # noqa: B018
    assert record.username == record["username"] == record[users.c.username] == record[1] == "ann"


async def test_every_statement_is_one_trip(db, trips):
    await db.fetch_val("SELECT 1")  # the pooled connection is open
    work = [
        lambda: add_user(db, "ann"),
        lambda: db.execute(users.update().values(display_name="Annie")),
        lambda: db.fetch_all(sa.select(users)),
        lambda: db.fetch_one(sa.select(users).order_by(users.c.id)),
        lambda: db.fetch_val(sa.select(sa.func.count()).select_from(users)),
        lambda: db.fetch_val("SELECT username FROM users"),
        lambda: db.execute_many(meta.insert(), [{"key": f"k{n}", "value": str(n)} for n in range(5)]),
    ]
    for do in work:
        trips.count = 0
        await do()
        assert trips.count == 1


async def test_a_transaction_is_a_trip_to_begin_one_a_statement_and_one_to_commit(db, trips):
    await add_user(db, "ann")
    trips.count = 0
    async with db.transaction():
        await db.execute(users.update().values(display_name="Annie"))
        await db.execute(users.update().values(organisation="Trust"))
    assert trips.count == 4


async def test_insert_answers_its_id_update_and_delete_the_rows_they_changed(db):
    """On a reused connection too: sqlite3's lastrowid stays from the last insert, so `databases`'
    own rule (the id when it is not 0) answered an UPDATE or DELETE with a stale id."""
    first, second = await add_user(db, "ann"), await add_user(db, "bob")
    assert (first, second) == (1, 2)
    assert await db.execute(users.update().values(display_name="Same")) == 2
    assert await db.execute(users.update().where(users.c.id == first).values(display_name="A")) == 1
    assert await db.execute(users.delete().where(users.c.id > 99)) == 0
    assert await add_user(db, "cy") == 3
    assert await db.execute(users.delete().where(users.c.id >= second)) == 2
    assert await db.execute("UPDATE users SET organisation = 'x'") in (1, 3)  # plain SQL: as `databases`


async def test_a_write_that_returns_rows_gives_its_id_and_leaves_no_read_open(db):
    new_id = await db.execute(live_log.insert().values(channel="c", type="t", data="{}", created_at=T0)
                              .returning(live_log.c.id))
    assert new_id == await db.fetch_val(sa.select(sa.func.max(live_log.c.id)))
    async with db.connection() as connection:
        assert not connection.raw_connection.in_transaction
    async with db.transaction():  # the write lock is free
        await db.execute(live_log.delete())
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(live_log)) == 0


async def test_execute_many_writes_every_row_with_its_own_values(db):
    await db.execute_many(meta.insert(), [{"key": f"k{n}", "value": str(n * n)} for n in range(4)])
    await db.execute_many("UPDATE meta SET value = :value WHERE key = :key",  # plain SQL: one at a time
                          [{"key": "k1", "value": "one"}, {"key": "k3", "value": "three"}])
    await db.execute_many(meta.insert(), [])
    rows = await db.fetch_all(sa.select(meta.c.key, meta.c.value).where(meta.c.key.like("k%"))
                              .order_by(meta.c.key))
    assert [(r["key"], r["value"]) for r in rows] == [
        ("k0", "0"), ("k1", "one"), ("k2", "4"), ("k3", "three")]


async def test_fetch_one_keeps_the_statements_own_order_and_offset(db):
    await some_users(db)
    newest = sa.select(users.c.username).order_by(users.c.created_at.desc())
    assert await db.fetch_val(newest) == "cy"
    assert await db.fetch_val(newest.offset(1)) == "bob"
    assert await db.fetch_val(newest.limit(5).offset(2)) == "ann"
    assert await db.fetch_one(newest.offset(3)) is None
    limit = sa.select(users.c.username).order_by(users.c.id).limit(sa.bindparam("n"))
    assert await db.fetch_val(limit.params(n=2)) == "ann"


async def test_iterate_streams_the_rows_fetch_all_reads(db, url):
    for n in range(150):  # past aiosqlite's chunk of 64
        await add_user(db, f"user{n:03}", days=n)
    query = sa.select(users.c.username, users.c.created_at).order_by(users.c.id)
    database = ForumDatabases(url)
    await database.connect()
    try:
        streamed = [read(r, [users.c.created_at]) async for r in database.iterate(query)]
    finally:
        await database.disconnect()
    assert streamed == [read(r, [users.c.created_at]) for r in await db.fetch_all(query)]
    assert len(streamed) == 150


async def test_databases_transactions_and_savepoints(url):
    """`databases`' own transaction API on this backend: a nested one rolls back alone."""
    database = ForumDatabases(url)
    await database.connect()
    try:
        async with database.transaction():
            await database.execute(meta.insert().values(key="kept", value="1"))
            try:
                async with database.transaction():
                    await database.execute(meta.insert().values(key="dropped", value="2"))
                    raise RuntimeError("roll the inner one back")
            except RuntimeError:
                pass
        with pytest.raises(RuntimeError):
            async with database.transaction():
                await database.execute(meta.insert().values(key="outer", value="3"))
                raise RuntimeError("roll it all back")
        keys = await database.fetch_all(
            sa.select(meta.c.key).where(meta.c.key.in_(["kept", "dropped", "outer"])))
        assert [r["key"] for r in keys] == ["kept"]
    finally:
        await database.disconnect()


async def test_ddl_runs(db):
    note = sa.Table("notes", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("at", sa.DateTime))
    await db.execute(sa.schema.CreateTable(note))
    await db.execute(note.insert().values(at=T0.replace(tzinfo=None)))
    assert await db.fetch_val(sa.select(note.c.at)) == T0.replace(tzinfo=None)
    await db.execute(sa.schema.DropTable(note))
