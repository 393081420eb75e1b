"""Hot reads in plain SQL, through the driver's own connection (`databases`' public
`Connection.raw_connection`): aiosqlite's `execute_fetchall` on SQLite (one trip to the
connection's thread), asyncpg's `fetch` on PostgreSQL. No statement is compiled per call and
rows are read by position into PageRows.

Each RawSelect names the SQLAlchemy columns its SQL returns, in order: their keys name the
fields and their types convert the values as SQLAlchemy Core would (SQLite hands timestamps
back as text; asyncpg converts its own). tests/test_raw_reads.py compares each one with the
Core statement it stands for, row for row, on both engines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.sqlite import pysqlite
from sqlalchemy.sql import ColumnElement
from sqlalchemy.types import TypeEngine

from forum.db.engine import Database
from forum.db.sqlite_statements import result_converters


class PageRow(dict):
    """A database row read once into a dict. A page looks each post's fields up dozens of times,
    and a `databases` Record re-runs the column's type conversion (e.g. parsing a SQLite
    timestamp) on every lookup. Fields read as `row.name` in templates and `row["name"]` in code."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


_SQLITE = pysqlite.dialect(paramstyle="qmark")


def _numbered(sql: str) -> str:
    """`?` placeholders -> asyncpg's `$1`, `$2`, ... in order (the SQL holds no literal `?`)."""
    numbers = iter(range(1, sql.count("?") + 1))
    return re.sub(r"\?", lambda _: f"${next(numbers)}", sql)


class RawSelect:
    """One SELECT, written once with `?` placeholders, and the columns it returns."""

    def __init__(self, sql: str, columns: Sequence[ColumnElement[Any]],
                 parameter_types: Sequence[TypeEngine[Any] | None] = ()) -> None:
        """`parameter_types`: if given, the type of every `?` in order, for those SQLite needs
        converted as SQLAlchemy would (a timestamp is stored as text in SQLAlchemy's form);
        None for a value sent as given."""
        self.sqlite_sql = sql
        self.postgres_sql = _numbered(sql)
        self.names = tuple(column.key for column in columns)
        self._converters = result_converters([column.type for column in columns], _SQLITE)
        self._bind = tuple(
            None if kind is None else kind.dialect_impl(_SQLITE).bind_processor(_SQLITE)
            for kind in parameter_types)

    async def fetch_all(self, db: Database, *args: Any) -> list[PageRow]:
        names = self.names
        async with db.connection() as connection:
            driver = connection.raw_connection
            if not db.is_sqlite:
                rows = await driver.fetch(self.postgres_sql, *args)
                return [PageRow(zip(names, row, strict=True)) for row in rows]
            if self._bind:
                args = tuple(value if bind is None else bind(value)
                             for value, bind in zip(args, self._bind, strict=True))
            rows = await driver.execute_fetchall(self.sqlite_sql, args)
        converters = self._converters
        read = []
        for row in rows:
            values = list(row)
            for position, convert in converters:
                values[position] = convert(values[position])
            read.append(PageRow(zip(names, values, strict=True)))
        return read

    async def fetch_one(self, db: Database, *args: Any) -> PageRow | None:
        rows = await self.fetch_all(db, *args)
        return rows[0] if rows else None

    async def fetch_value(self, db: Database, *args: Any) -> Any:
        """The first row's first value; None when there is no row."""
        rows = await self.fetch_all(db, *args)
        return rows[0][self.names[0]] if rows else None


def columns_sql(table: Table) -> str:
    """Every column of `table`, in tables.py's order, as a SELECT list (`SELECT *` would follow
    the file's order, which migrations that add columns can make differ)."""
    return ", ".join(f"{table.name}.{column.name}" for column in table.columns)
