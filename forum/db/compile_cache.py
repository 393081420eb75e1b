"""A compiled-statement cache for `databases`, which compiles every statement afresh.

`databases` 0.9 calls `query.compile(..., render_postcompile=True)` on each execution, with no
cache: about a third of a request's CPU went there. This does what SQLAlchemy's own Connection
does instead: compile each statement shape once, keyed on its cache key, and per execution only
fill in that execution's values (and expand its IN lists).

It relies on `databases` 0.9 internals: each backend connection's `_compile(query)` and what it
returns (SQLite: sql, args, result map, CompilationContext; PostgreSQL: $n-numbered sql, args,
result map), and on the backend's `_dialect` and `connection()`. tests/test_compile_cache.py
checks them against the uncached `_compile` and fails if they change.
"""

from __future__ import annotations

import logging
import sys
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, NamedTuple

from databases.backends.common.records import create_column_maps
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.ddl import DDLElement

# Distinct statement shapes kept compiled; the forum has a few hundred at most.
COMPILE_CACHE_SIZE = 500

logger = logging.getLogger("databases")  # where `databases` logs each query


class KeptResult:
    """What a cached statement's results need that depends only on the statement: the column
    lookup maps `databases` would rebuild on every fetch (stringifying every column), and the
    result metadata forum/db/sqlite_statements.py fills in on its first fetch."""

    __slots__ = ("columns", "column_maps", "metadata")

    def __init__(self, columns: Any) -> None:
        self.columns = columns
        self.column_maps = create_column_maps(columns)
        self.metadata: tuple[Any, Any] | None = None  # (cursor description, metadata)


# Keyed on the statement's result-column list, which the statement keeps while it is cached.
_KEPT: dict[int, KeptResult] = {}


class CachedStatement(NamedTuple):
    compiled: SQLCompiler
    # IN lists (and literal-execute values) change the SQL per execution.
    expands: bool
    # For a statement that does not expand: the SQL as sent and its parameter names in order.
    sql: str
    order: Sequence[str]


class CompiledStatementCache:
    """Compiled statements for one dialect, least recently used dropped first."""

    def __init__(self, dialect: Dialect, *, numbered_params: bool, size: int = COMPILE_CACHE_SIZE) -> None:
        self.dialect = dialect
        self.size = size
        # PostgreSQL's backend turns the dialect's named parameters into asyncpg's $1, $2, ...
        self._numbered_params = numbered_params
        self._entries: OrderedDict[Any, CachedStatement | None] = OrderedDict()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, query: ClauseElement) -> tuple[CachedStatement, Any] | None:
        """The compiled statement and this execution's cache key; None if it cannot be cached."""
        if isinstance(query, DDLElement):
            return None
        cache_key = query._generate_cache_key()
        if cache_key is None:
            return None
        shape = cache_key[0]
        if shape in self._entries:
            self.hits += 1
            self._entries.move_to_end(shape)
            entry = self._entries[shape]
            return None if entry is None else (entry, cache_key)
        self.misses += 1
        entry = self._compile(query, cache_key)
        self._entries[shape] = entry
        if entry is not None:
            columns = entry.compiled._result_columns
            _KEPT[id(columns)] = KeptResult(columns)
        if len(self._entries) > self.size:
            _, dropped = self._entries.popitem(last=False)
            if dropped is not None:
                _KEPT.pop(id(dropped.compiled._result_columns), None)
        return None if entry is None else (entry, cache_key)

    def _compile(self, query: ClauseElement, cache_key: Any) -> CachedStatement | None:
        compiled = query.compile(dialect=self.dialect, cache_key=cache_key)
        assert isinstance(compiled, SQLCompiler)
        if compiled.escaped_bind_names:  # names needing escapes: rare, left to `databases`
            return None
        expands = bool(compiled.literal_execute_params or compiled.post_compile_params)
        order: Sequence[str] = ()
        sql = compiled.string
        if not expands:
            if self._numbered_params:
                order = sorted(set(compiled.bind_names.values()))
                sql = _number_params(sql, order)
            else:
                order = tuple(compiled.positiontup or ())
        return CachedStatement(compiled, expands, sql, order)

    def bind(self, entry: CachedStatement, cache_key: Any) -> tuple[str, list[Any]]:
        """The SQL and driver arguments for one execution, as `databases`' `_compile` makes them."""
        compiled = entry.compiled
        params = compiled.construct_params(
            params=getattr(cache_key, "params", None) or None,  # values from `.params()` (SQLAlchemy 2.1)
            extracted_parameters=cache_key[1], escape_names=False)
        processors: Mapping[str, Any] = compiled._bind_processors
        sql, order = entry.sql, entry.order
        if entry.expands:
            expanded = compiled._process_parameters_for_postcompile(params)
            params, sql = expanded.parameters, expanded.statement  # type: ignore[assignment]
            processors = {**processors, **expanded.processors}
            if self._numbered_params:
                order = sorted(params)
                sql = _number_params(sql, order)
            else:
                order = expanded.positiontup or ()
        args = [processors[name](params[name]) if name in processors else params[name] for name in order]
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("Query: %s Args: %s", sql.replace(" \n", " ").replace("\n", " "), repr(tuple(args)))
        return sql, args


def _number_params(sql: str, names: Sequence[str]) -> str:
    """`%(name)s` -> `$n`, numbered in sorted name order as `databases`' PostgreSQL backend does."""
    return sql % {name: f"${number}" for number, name in enumerate(names, start=1)}


def _compile_sqlite(cache: CompiledStatementCache, uncached: Callable[[ClauseElement], Any],
                    query: ClauseElement) -> tuple[str, list[Any], Any, Any]:
    found = cache.lookup(query)
    if found is None:
        return uncached(query)  # type: ignore[no-any-return]
    from databases.backends.sqlite import CompilationContext

    entry, cache_key = found
    sql, args = cache.bind(entry, cache_key)
    compiled = entry.compiled
    # Read by SQLAlchemy's CursorResultMetaData to type the result rows (timestamps etc.).
    context = cache.dialect.execution_ctx_cls()
    context.dialect = cache.dialect
    context.result_column_struct = (
        compiled._result_columns, compiled._ordered_columns, compiled._textual_ordered_columns,
        compiled._ad_hoc_textual, compiled._loose_column_name_matching)
    return sql, args, compiled._result_columns, CompilationContext(context)


def _compile_postgres(cache: CompiledStatementCache, uncached: Callable[[ClauseElement], Any],
                      query: ClauseElement) -> tuple[str, list[Any], Any]:
    found = cache.lookup(query)
    if found is None:
        return uncached(query)  # type: ignore[no-any-return]
    entry, cache_key = found
    sql, args = cache.bind(entry, cache_key)
    return sql, args, entry.compiled._result_columns


def kept_result(result_columns: Any) -> KeptResult | None:
    """What is kept for a cached statement's result columns; None for any other."""
    kept = _KEPT.get(id(result_columns))
    return kept if kept is not None and kept.columns is result_columns else None


def column_maps(result_columns: Any) -> Any:
    """`databases`' create_column_maps, answered from the cache when it can be."""
    kept = kept_result(result_columns)
    return kept.column_maps if kept is not None else create_column_maps(result_columns)


def install(backend: Any) -> CompiledStatementCache | None:
    """Make every connection `backend` (a `databases` backend) hands out compile through one
    cache; returns it, or None for a backend this does not know."""
    dialect = backend._dialect
    compile_with: Callable[..., Any]
    if dialect.name == "sqlite":
        compile_with, numbered = _compile_sqlite, False
    elif dialect.name == "postgresql":
        compile_with, numbered = _compile_postgres, True
    else:
        return None
    cache = CompiledStatementCache(dialect, numbered_params=numbered)
    sys.modules[type(backend).__module__].create_column_maps = column_maps  # type: ignore[attr-defined]
    make_connection = backend.connection

    def connection() -> Any:
        made = make_connection()
        made._compile = partial(compile_with, cache, made._compile)
        return made

    backend.connection = connection
    return cache
