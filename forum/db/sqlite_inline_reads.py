"""Short SQLite reads run on the event loop's own thread, on a connection of their own.

A statement sent to a connection's thread costs two thread switches, and a read of many rows
costs far more: Python's sqlite3 lets go of the GIL for every row and must win it back each
time from the event loop, busy serving everyone else. Measured on a member's thread page (50
posts), that read cost 1.8 ms of CPU on its thread against 0.23 ms run directly.

A read outside a transaction sees whatever is committed, on any connection, so one connection
here serves every such read in the process, one at a time (each runs to its end without
yielding). It is opened read-only (`query_only`), with no busy wait, and a read may use at
most BUDGET_SECONDS of the loop's CPU (CPU, not the clock: a process the machine paused is
not a heavy read): SQLite interrupts one that runs longer, the statement runs
again on the request's own connection, on its thread, and its shape goes there from then on
(a search over a large forum, say). A read SQLite refuses here for any other reason (the file
locked by another process's recovery, say) runs on the thread as well, which can wait.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The most CPU one read may take on the event loop before it is sent to a thread instead.
BUDGET_SECONDS = 0.002
# SQLite asks whether to go on every this many virtual-machine steps.
CHECK_EVERY_STEPS = 1_000
HEAVY_SHAPES_MAX = 1_000


class SentToThread(Exception):
    """This read must run on the request's connection's thread."""


class InlineReads:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._deadline = 0.0
        # Statement shapes (their SQL) that once overran the budget.
        self.heavy: set[str] = set()
        self.reads = 0  # run here to the end (tests and benchmarks read it)

    def open(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA query_only = ON")
        connection.execute("PRAGMA busy_timeout = 0")
        connection.set_progress_handler(self._over_budget, CHECK_EVERY_STEPS)
        self._connection = connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def takes(self, sql: str) -> bool:
        return self._connection is not None and sql not in self.heavy and sql.startswith("SELECT")

    def run(self, statement: Callable[[sqlite3.Connection, str, Any, str], Any], sql: str, args: Any,
            fetch: str) -> Any:
        """`statement(connection, sql, args, fetch)` (forum/db/sqlite_statements.py's `run_statement`)
        on this connection, within the budget."""
        assert self._connection is not None
        self._deadline = time.thread_time() + BUDGET_SECONDS
        try:
            result = statement(self._connection, sql, args, fetch)
            self.reads += 1
            return result
        except sqlite3.OperationalError as error:
            if "interrupted" in str(error) and len(self.heavy) < HEAVY_SHAPES_MAX:
                self.heavy.add(sql)
            raise SentToThread from error

    def _over_budget(self) -> bool:
        return time.thread_time() > self._deadline
