"""Statements through the database layer: every execution sent with its own values, and result
rows typed as the columns say, on both engines. (Was the compiled-statement cache's test; the
cache went with issue 19, what it had to keep true stays.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from forum.db.engine import Database
from forum.db.tables import live_log, meta, users

T0 = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.connect()
    yield database
    await database.disconnect()


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
    for name in ("dee", "ann", "cy", "bob", "nobody", "ann"):
        row = await db.fetch_one(sa.select(users.c.id, users.c.username).where(users.c.username_key == name))
        if name in ids:
            assert (row["id"], row["username"]) == (ids[name], name)
        else:
            assert row is None


async def test_in_lists_of_any_length_share_one_compiled_statement(db):
    ids = {name: await add_user(db, name) for name in ("ann", "bob", "cy", "dee")}

    async def named(names: list[str]) -> list[str]:
        rows = await db.fetch_all(sa.select(users.c.username).where(users.c.username_key.in_(names))
                                  .where(users.c.id > 0).order_by(users.c.id))
        return [r["username"] for r in rows]

    assert await named(["cy"]) == ["cy"]
    assert await named(["dee", "ann", "bob"]) == ["ann", "bob", "dee"]
    assert await named([]) == []
    assert await named(["bob", "zed"]) == ["bob"]
    # An IN list in an UPDATE, as the forum bumps channel counters.
    changed = [ids["ann"], ids["cy"]]
    await db.execute(users.update().where(users.c.id.in_(changed))
                     .values(post_count=users.c.post_count + 7))
    counts = await db.fetch_all(sa.select(users.c.username, users.c.post_count).order_by(users.c.id))
    assert [(r["username"], r["post_count"]) for r in counts] == [
        ("ann", 7), ("bob", 0), ("cy", 7), ("dee", 0)]


async def test_in_list_of_timestamps_is_converted_like_any_other_timestamp(db):
    """Each IN-list element is converted with its type's bind processor, on both engines.
    (`databases` 0.9's own SQLite connection sent them in sqlite3's text form, which matched
    nothing stored; the forum's one-trip connection converts them as SQLAlchemy would.)"""
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
    for _ in range(2):  # the same statement shape twice
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
    event_ids = [await db.fetch_val(live_log.insert().returning(live_log.c.id)
                                    .values(channel=f"c{n}", type="t", data="{}", created_at=T0))
                 for n in range(4)]
    assert event_ids == sorted(event_ids) and len(set(event_ids)) == 4
    await db.execute(live_log.delete().where(live_log.c.id <= event_ids[1]))
    await db.execute(live_log.delete().where(live_log.c.id == event_ids[3]))
    left = await db.fetch_all(sa.select(live_log.c.id, live_log.c.channel))
    assert [(r["id"], r["channel"]) for r in left] == [(event_ids[2], "c2")]
    names = await db.fetch_all(sa.select(users.c.display_name).order_by(users.c.id))
    assert [r["display_name"] for r in names] == ["Annie", "Robert"]


async def test_limit_and_offset_values_differ_between_executions(db):
    ids = [await db.fetch_val(live_log.insert().values(channel="c", type="t", data="{}", created_at=T0)
                              .returning(live_log.c.id)) for _ in range(6)]
    for limit, offset in ((2, 0), (3, 2), (1, 5), (4, 4), (10, 0)):
        rows = await db.fetch_all(sa.select(live_log.c.id).order_by(live_log.c.id)
                                  .limit(limit).offset(offset))
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
    assert await db.fetch_val(sa.select(sa.func.coalesce(sa.func.max(live_log.c.id), 0))) == 0
