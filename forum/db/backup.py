"""`forum backup`: a consistent copy of a running SQLite forum, taken with SQLite's online
backup API (it reads one snapshot, so writers carry on, WAL or not), and the uploaded files in
a folder beside it when they are on this machine."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from forum.db.bulk import BulkError
from forum.db.sqlite_backend import SQLITE_BUSY_TIMEOUT_SECONDS
from forum.settings import sqlite_path
from forum.storage import KEY


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


def uploads_folder_for(target: Path) -> Path:
    """Where the backup's uploaded files go: beside it, named after it."""
    return target.with_name(target.name + ".uploads")


def backup_uploads(root: Path, target: Path) -> int:
    """Copy the upload store's files (a folder on this machine) beside the backup `target`.
    Taken after the database: files are never changed under their keys, so every file the
    database copy names is there (the sweep removes only files no post uses); the few uploaded
    meanwhile come along unused. Returns how many files were copied."""
    folder = uploads_folder_for(target)
    if folder.exists():
        raise BulkError(f"{folder} already exists: give the backup a new name.")
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    copied = 0
    for path in sorted(root.glob("??/*")) if root.is_dir() else []:
        if KEY.fullmatch(path.name):  # not a half-written ".incoming-" file
            (partial / path.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, partial / path.parent.name / path.name)
            copied += 1
    partial.mkdir(exist_ok=True)
    os.replace(partial, folder)
    return copied
