"""`forum export` and `forum import`: a whole forum as JSON lines, one row a line.

The file: a header line {"format": "forum-export", "version": 1, "schema": <Alembic revision>,
...}, then {"table": name, "row": {...}} lines, parents before children, then a footer with
each table's row count, so a file cut short is told apart from a small forum. Uploaded files
come between the rows and the footer, one line each (forum/db/export_files.py), counted in the
footer too."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import IO, Any

import sqlalchemy as sa

from forum.clock import as_utc, isoformat, utcnow
from forum.db import bulk, export_files, message_search, search
from forum.db.engine import Database
from forum.db.tables import live_log, metadata, users
from forum.storage import Storage

FORMAT = "forum-export"
VERSION = 1

# Transient: state a running forum makes and can do without. The community's history is
# everything else (members, channels, threads, posts, revisions, flags, moderation log,
# banners, notifications, read marks, events and registrations).
TRANSIENT = {
    "sessions": "sign-ins: members log in again",
    "api_tokens": "API tokens: members make new ones",
    "live_log": "the live-update log: open pages reload",
    "meta": "facts about the database: how far the event log was pruned, the forum's id in Redis",
    "account_tokens": "mailed confirmation and reset links: members ask for new ones",
    "mail_outbox": "emails waiting to go out, and those sent",
}
EXPORTED = [table for table in metadata.sorted_tables if table.name not in TRANSIENT]

# argon2 never produces this, so nobody can log in with it: a member imported without a
# hash must be given a new password before they can sign in again.
UNUSABLE_PASSWORD_HASH = "!imported-without-password"

ProgressBar = Callable[[int], Any]  # advanced by rows (export) or bytes (import)


class ExportFileError(bulk.BulkError):
    """The file is not a forum export this version can read, or it was cut short."""


def schema_revision() -> str:
    """The Alembic head this code migrates to."""
    from alembic.script import ScriptDirectory

    from forum.db.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None, "the migrations have one head"
    return head


def _to_json(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        return isoformat(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _from_json(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        return as_utc(str(value))
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64decode(value)
    return value


def json_row(table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
    return {name: _to_json(table.c[name], value) for name, value in row.items()}


async def total_rows(db: Database) -> int:
    return sum([await bulk.count_rows(db, table) for table in EXPORTED])


async def export_forum(db: Database, out: IO[str], *, with_password_hashes: bool = False,
                       progress: ProgressBar = lambda rows: None, store: Storage | None = None,
                       ) -> dict[str, int]:
    """Write every exported table to `out`, as of one moment, and with a `store`, the files its
    uploads name. Returns {table: rows}, and "files" when files were written."""
    counts: dict[str, int] = {}
    files: dict[str, Any] = {}
    async with bulk.snapshot(db):
        header = {"format": FORMAT, "version": VERSION, "schema": schema_revision(),
                  "exported_at": isoformat(utcnow()), "password_hashes": with_password_hashes,
                  "tables": [table.name for table in EXPORTED], "excluded": TRANSIENT,
                  "last_event_id": await db.fetch_val(sa.select(sa.func.max(live_log.c.id))) or 0}
        out.write(json.dumps(header) + "\n")
        for table in EXPORTED:
            counts[table.name] = 0
            async for rows in bulk.batches(db, table):
                for row in rows:
                    if table is users and not with_password_hashes:
                        del row["password_hash"]
                    out.write(json.dumps({"table": table.name, "row": json_row(table, row)},
                                         ensure_ascii=False) + "\n")
                counts[table.name] += len(rows)
                progress(len(rows))
        if store is not None:
            written, missing = await export_files.write_files(db, store, out)
            files = {"files": written, "missing_files": missing}
    out.write(json.dumps({"format": FORMAT, "end": True, "rows": counts, **files}) + "\n")
    return {**counts, **({"files": files["files"], "missing_files": len(files["missing_files"])}
                         if files else {})}


def _lines(source: IO[str], progress: ProgressBar) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(source, start=1):
        progress(len(line.encode()))
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            raise ExportFileError(f"Line {number} is not JSON: the file is damaged or cut short.") from None
        if not isinstance(item, dict):
            raise ExportFileError(f"Line {number} is not a forum export line.")
        yield number, item


def check_header(header: dict[str, Any]) -> None:
    if header.get("format") != FORMAT:
        raise ExportFileError("This is not a forum export (made by `forum export`).")
    if header.get("version") != VERSION:
        raise ExportFileError(f"This export is format version {header.get('version')}; "
                              f"this forum reads version {VERSION}.")
    if header.get("schema") != schema_revision():
        raise ExportFileError(
            f"This export was made at schema revision {header.get('schema')}, and this forum is at "
            f"{schema_revision()}: import it with the forum version that made it, then upgrade "
            "(`forum migrate`) and export again.")


def _row_for(table: sa.Table, row: Any, number: int) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise ExportFileError(f"Line {number}: the row is not an object.")
    unknown = set(row) - set(table.c.keys())
    if unknown:
        raise ExportFileError(f"Line {number}: {table.name} has no column {sorted(unknown)[0]}.")
    values = {name: _from_json(table.c[name], value) for name, value in row.items()}
    if table is users and "password_hash" not in values:
        values["password_hash"] = UNUSABLE_PASSWORD_HASH
    return values


async def import_forum(db: Database, source: IO[str], progress: ProgressBar = lambda size: None,
                       store: Storage | None = None) -> dict[str, int]:
    """Restore an export into an empty, migrated database, all in one transaction (a bad file
    leaves the database as it was), and its files into `store`. Returns {table: rows}, and
    "files" when the export carried any. (Files stored before a later line is refused stay in
    the store: they are named by their contents, and the next import finds them there.)"""
    lines = _lines(source, progress)
    number, header = next(lines, (0, {}))
    if not number:
        raise ExportFileError("The file is empty.")
    check_header(header)
    by_name = {table.name: table for table in EXPORTED}
    counts = {table.name: 0 for table in EXPORTED}
    footer = None
    files = 0
    async with db.transaction():  # on SQLite this holds the write lock: nobody slips in
        await bulk.require_empty(db, "import")
        await bulk.clear(db, EXPORTED)
        pending: list[dict[str, Any]] = []
        pending_table: sa.Table | None = None
        for number, item in lines:
            if item.get("end"):
                footer = item
                break
            if "file" in item:
                await _insert(db, pending_table, pending, number)
                pending, pending_table = [], None
                await _store_file(store, item, number)
                files += 1
                continue
            table = by_name.get(str(item.get("table")))
            if table is None:
                raise ExportFileError(f"Line {number}: unknown table {item.get('table')!r}.")
            if table is not pending_table or len(pending) >= bulk.BATCH_ROWS:
                await _insert(db, pending_table, pending, number)
                pending, pending_table = [], table
            pending.append(_row_for(table, item.get("row"), number))
            counts[table.name] += 1
        await _insert(db, pending_table, pending, number)
        if footer is None:
            raise ExportFileError("The file ends before its last line: it was cut short. "
                                  "Nothing was imported.")
        if next(lines, None) is not None:
            raise ExportFileError("There are lines after the end of the export. Nothing was imported.")
        if footer.get("rows") != counts or footer.get("files", 0) != files:
            raise ExportFileError("The row counts in the file do not match its rows and files. "
                                  "Nothing was imported.")
        await bulk.reset_sequences(db, EXPORTED)
        await _continue_event_ids(db, header.get("last_event_id"))
        await search.rebuild_index(db)
        await message_search.rebuild_index(db)
    return {**counts, **({"files": files} if files else {})}


async def _store_file(store: Storage | None, item: dict[str, Any], number: int) -> None:
    if store is None:
        raise ExportFileError("This export carries uploaded files, and no upload store was given.")
    try:
        await export_files.store_file(store, item)
    except export_files.FileLineError as error:
        raise ExportFileError(f"Line {number}: {error}. Nothing was imported.") from None


async def _continue_event_ids(db: Database, last_event_id: Any) -> None:
    """The live-update log is left out, but its ids carry on from the old forum's: a page open
    before the move knows ids up to there and would take newer, smaller ones as already seen."""
    if not isinstance(last_event_id, int) or last_event_id <= 0:
        return
    if (await db.fetch_val(sa.select(sa.func.max(live_log.c.id))) or 0) >= last_event_id:
        return
    if db.is_sqlite:  # an AUTOINCREMENT table: its next id comes from sqlite_sequence
        await db.execute("DELETE FROM sqlite_sequence WHERE name = 'live_log'")
        await db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('live_log', :last)",
                         {"last": last_event_id})
    else:
        await db.execute("SELECT setval(pg_get_serial_sequence('live_log', 'id'), :last)",
                         {"last": last_event_id})


async def _insert(db: Database, table: sa.Table | None, rows: list[dict[str, Any]], number: int) -> None:
    if table is None or not rows:
        return
    try:
        await db.execute_many(table.insert(), rows)
    except Exception as error:  # a row the database refuses (a broken link, a bad value)
        raise ExportFileError(f"The {table.name} rows before line {number} could not be written "
                              f"({type(error).__name__}: {error}). Nothing was imported.") from error
