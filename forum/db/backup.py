"""`forum backup`: a consistent copy of a running SQLite forum, taken with SQLite's online
backup API (it reads one snapshot, so writers carry on, WAL or not)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from forum.db.bulk import BulkError
from forum.db.engine import SQLITE_BUSY_TIMEOUT_SECONDS
from forum.settings import sqlite_path


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the forum's SQLite file to `target` (which must not exist yet) and check the copy.
    Returns its size in bytes."""
    source_path = sqlite_path(database_url)
    if source_path is None:
        raise BulkError("`forum backup` copies a SQLite forum. For PostgreSQL use pg_dump, e.g. "
                        "`pg_dump --format=custom --file=forum.dump DATABASE_URL`, or `forum export`.")
    if not source_path.exists():
        raise BulkError(f"There is no forum database at {source_path}.")
    if target.exists():
        raise BulkError(f"{target} already exists: give a new file name (backups are never overwritten).")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        verdict = _copy(source_path, partial)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BulkError(f"The backup to {target} failed: {error}.") from error
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BulkError(f"The copy failed SQLite's integrity check ({verdict}); nothing was kept.")
    os.replace(partial, target)  # the backup appears whole or not at all
    return target.stat().st_size


def _copy(source_path: Path, partial: Path) -> str:
    """Copy, then return SQLite's verdict on the copy ("ok" when sound)."""
    # A plain connection, not `mode=ro`: a read-only one cannot open a WAL file whose -shm
    # is missing (no server running). The backup only reads from it.
    source = sqlite3.connect(source_path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one consistent snapshot
            # One self-contained file: the copy needs no -wal beside it.
            copy.execute("PRAGMA journal_mode = DELETE")
            return copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        source.close()
