"""Each `databases` statement on SQLite in one trip to the connection's thread.

aiosqlite runs every call on its connection's own thread, and `databases`' own SQLite connection
makes three such calls per statement (execute, fetch, close the cursor): each a thread hand-off
both ways, which is where most of a short statement's wall time went. OneTripConnection, the
`databases.interfaces.ConnectionBackend` forum/db/sqlite_backend.py hands out, makes one:
aiosqlite's `execute_fetchall` for rows, its `execute` for a write (rowcount and lastrowid are
read off the finished cursor). Statements are compiled through SQLAlchemy's public
`construct_expanded_state`, and rows come back as SQLiteRecords, which read as `databases`'
Records do. tests/test_sqlite_statements.py compares the two on the same statements.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncGenerator, Callable, Iterator, KeysView, Mapping, Sequence, ValuesView
from typing import Any, Protocol

import aiosqlite
from databases.interfaces import ConnectionBackend, Record, TransactionBackend
from sqlalchemy import Column
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.schema import DDLElement
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement, Label
from sqlalchemy.sql.expression import GenerativeSelect, ReturnsRows
from sqlalchemy.types import TypeEngine


class SQLitePool(Protocol):
    """What OneTripConnection needs of a pool (forum/db/sqlite_backend.py's is the one)."""

    async def acquire(self) -> aiosqlite.Connection: ...

    async def release(self, connection: aiosqlite.Connection) -> None: ...


def result_converters(types: Sequence[TypeEngine[Any]],
                      dialect: Dialect) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    """(position, converter) for each column whose SQLite value SQLAlchemy converts (SQLite
    hands timestamps back as text, booleans as integers, JSON as text)."""
    found = []
    for position, kind in enumerate(types):
        convert = kind.dialect_impl(dialect).result_processor(dialect, None)
        if convert is not None:
            found.append((position, convert))
    return tuple(found)


class Statement:
    """A statement compiled for one execution: its SQL, its values in order (each converted by
    its type, IN-list elements too), and what its rows hold, when SQLAlchemy knows."""

    __slots__ = ("sql", "args", "columns", "is_write", "changes_rows")

    def __init__(self, query: ClauseElement, dialect: Dialect) -> None:
        compiled = query.compile(dialect=dialect)
        self.columns: Sequence[ColumnElement[Any]] | None = (
            list(query.exported_columns) if isinstance(query, ReturnsRows) else None)
        if isinstance(query, DDLElement) or not isinstance(compiled, SQLCompiler):
            self.sql, self.args = compiled.string, ()
            self.is_write = self.changes_rows = False
            return
        expanded = compiled.construct_expanded_state()
        unescaped = {escaped: name for name, escaped in compiled.escaped_bind_names.items()}
        args = []
        for name in expanded.positiontup or ():
            value = expanded.parameters[name]
            convert = expanded.processors.get(name)  # an IN list's elements
            if convert is None:
                bind = compiled.binds.get(unescaped.get(name, name))
                if bind is not None:
                    convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            args.append(value if convert is None else convert(value))
        self.sql, self.args = expanded.statement, tuple(args)
        self.is_write = bool(compiled.isinsert or compiled.isupdate or compiled.isdelete)
        # UPDATE and DELETE answer rows changed; INSERT its row's id (as `databases` does).
        self.changes_rows = bool(compiled.isupdate or compiled.isdelete)

    def shape(self, names: Sequence[str], dialect: Dialect) -> RowShape:
        return RowShape(tuple(names), self.columns, dialect)


class RowShape:
    """What every row of one result shares: its field names, where each name and each selected
    table column sits, and the converters SQLAlchemy's types call for."""

    __slots__ = ("names", "by_name", "by_column", "converters")

    def __init__(self, names: tuple[str, ...], columns: Sequence[ColumnElement[Any]] | None,
                 dialect: Dialect) -> None:
        self.names = names
        self.by_name = {name: position for position, name in enumerate(names)}
        self.by_column: dict[str, int] = {}
        self.converters: tuple[tuple[int, Callable[[Any], Any]], ...] = ()
        if not columns:  # plain SQL: values as SQLite gives them, found by name or position
            return
        if len(columns) != len(names):
            raise RuntimeError(f"the statement selects {len(columns)} columns, SQLite returned {names}")
        for position, column in enumerate(columns):
            source = column.element if isinstance(column, Label) else column
            if isinstance(source, Column):  # found by the column, as `databases` finds it
                self.by_column[str(source)] = position
        self.converters = result_converters([column.type for column in columns], dialect)

    def record(self, row: Sequence[Any]) -> SQLiteRecord:
        values = list(row)
        for position, convert in self.converters:
            values[position] = convert(values[position])
        return SQLiteRecord(self, tuple(values))

    def position(self, key: Any) -> int:
        if isinstance(key, str):
            return self.by_name[key]
        if isinstance(key, Column):
            return self.by_column[str(key)]
        raise KeyError(key)


class SQLiteRecord(Record):
    """A row as `databases`' Record reads: by name, by position or by table column, as
    attributes, `keys()`, `values()` and `_mapping`; iterating gives the names, as theirs does.
    Values are converted once, when the row is read."""

    __slots__ = ("_shape", "_values")

    def __init__(self, shape: RowShape, values: tuple[Any, ...]) -> None:
        self._shape = shape
        self._values = values

    @property
    def _mapping(self) -> Mapping[Any, Any]:
        return RecordMapping(self._shape, self._values)

    def keys(self) -> KeysView[Any]:
        return self._mapping.keys()

    def values(self) -> ValuesView[Any]:
        return self._mapping.values()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, (int, slice)):
            return self._values[key]
        return self._values[self._shape.position(key)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._shape.names)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # our own slots, never fields
            raise AttributeError(name)
        try:
            return self._values[self._shape.by_name[name]]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"<SQLiteRecord {dict(zip(self._shape.names, self._values, strict=True))!r}>"


class RecordMapping(Mapping[Any, Any]):
    """A record's fields by name (or table column)."""

    __slots__ = ("_shape", "_values")

    def __init__(self, shape: RowShape, values: tuple[Any, ...]) -> None:
        self._shape = shape
        self._values = values

    def __getitem__(self, key: Any) -> Any:
        return self._values[self._shape.position(key)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._shape.names)

    def __len__(self) -> int:
        return len(self._values)


class OneTripConnection(ConnectionBackend):
    """`databases`' connection interface over one pooled aiosqlite connection, a statement a trip."""

    def __init__(self, pool: SQLitePool, dialect: Dialect) -> None:
        self.pool = pool
        self.dialect = dialect
        self.connection: aiosqlite.Connection | None = None

    async def acquire(self) -> None:
        assert self.connection is None, "Connection is already acquired"
        self.connection = await self.pool.acquire()

    async def release(self) -> None:
        assert self.connection is not None, "Connection is not acquired"
        connection, self.connection = self.connection, None
        await self.pool.release(connection)

    @property
    def raw_connection(self) -> aiosqlite.Connection:
        assert self.connection is not None, "Connection is not acquired"
        return self.connection

    async def fetch_all(self, query: ClauseElement) -> list[Record]:
        statement = Statement(query, self.dialect)
        rows: Sequence[sqlite3.Row] = list(
            await self.raw_connection.execute_fetchall(statement.sql, statement.args))
        if not rows:
            return []
        shape = statement.shape(rows[0].keys(), self.dialect)
        return [shape.record(row) for row in rows]

    async def fetch_one(self, query: ClauseElement) -> Record | None:
        # One row is all that is read, so SQLite stops after it and the trip carries only it.
        # (A SELECT's first row is the same with LIMIT 1; plain SQL is read whole.)
        if isinstance(query, GenerativeSelect):
            query = query.limit(1)
        records = await self.fetch_all(query)
        return records[0] if records else None

    async def execute(self, query: ClauseElement) -> Any:
        statement = Statement(query, self.dialect)
        cursor = await self.raw_connection.execute(statement.sql, statement.args)
        if cursor.description is not None:  # it returned rows: close it, or SQLite holds a read open
            await cursor.close()
        if statement.changes_rows:
            return cursor.rowcount
        # As `databases` answers: the new row's id, or the row count when there is none.
        return cursor.rowcount if cursor.lastrowid == 0 else cursor.lastrowid

    async def execute_many(self, queries: list[ClauseElement]) -> None:
        statements = [Statement(query, self.dialect) for query in queries]
        if not statements:
            return
        first = statements[0]
        if first.is_write and not first.columns and all(s.sql == first.sql for s in statements):
            # The same SQL (returning no rows) with each row's values: one trip for them all.
            await self.raw_connection.executemany(first.sql, [s.args for s in statements])
            return
        for statement in statements:
            await self.raw_connection.execute(statement.sql, statement.args)

    async def iterate(self, query: ClauseElement) -> AsyncGenerator[Any, None]:
        # Streamed a chunk a trip, so a large result never sits in memory whole.
        statement = Statement(query, self.dialect)
        async with self.raw_connection.execute(statement.sql, statement.args) as cursor:
            shape = statement.shape([field[0] for field in cursor.description or ()], self.dialect)
            async for row in cursor:
                yield shape.record(row)

    def transaction(self) -> TransactionBackend:
        return OneTripTransaction(self)


class OneTripTransaction(TransactionBackend):
    """`databases`' transactions (savepoints when nested), a statement a trip."""

    def __init__(self, connection: OneTripConnection) -> None:
        self.connection = connection
        self.savepoint: str | None = None

    async def _run(self, sql: str) -> None:
        await self.connection.raw_connection.execute(sql)

    async def start(self, is_root: bool, extra_options: dict[Any, Any]) -> None:
        if is_root:
            await self._run("BEGIN")
        else:
            self.savepoint = f"FORUM_SAVEPOINT_{uuid.uuid4().hex}"
            await self._run(f"SAVEPOINT {self.savepoint}")

    async def commit(self) -> None:
        await self._run("COMMIT" if self.savepoint is None else f"RELEASE SAVEPOINT {self.savepoint}")

    async def rollback(self) -> None:
        await self._run("ROLLBACK" if self.savepoint is None else f"ROLLBACK TO SAVEPOINT {self.savepoint}")
