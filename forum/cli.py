"""The `forum` command: serve, migrate, demo, user create, user role, copy-to, export, import,
backup, mail test."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from forum.settings import SETTINGS_HELP, Settings

# Heartbeats: a WebSocket ping this often finds dead peers (a phone that lost signal) and
# keeps proxies, which drop idle connections after 60 s or so, from cutting live pages off.
WS_PING_SECONDS = 20.0
WS_PING_TIMEOUT_SECONDS = 20.0
# Big enough that an oversized frame reaches the app and gets a clear error frame back
# (the app's own limit is smaller); beyond this the server just closes the socket.
WS_MAX_MESSAGE_BYTES = 1024 * 1024


def _settings_epilog() -> str:
    lines = ["settings (environment variables):"]
    for name, (default, help_text) in SETTINGS_HELP.items():
        lines.append(f"  {name:<24} {help_text}" + (f" (default {default})" if default else ""))
    return "\n".join(lines)


async def _with_forum(settings: Settings, work: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run `work(forum)` against an opened database, without serving HTTP. Rate limits guard
    the web against strangers; the local administrator loading demo content is not one."""
    from forum.app import create_app

    app = create_app(dataclasses.replace(settings, rate_limits=False))
    async with app.router.lifespan_context(app) as state:
        assert state is not None  # forum.app's lifespan yields its state
        return await work(state["forum"])


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from forum.db.migrate import migrate

    migrate(settings.database_url)
    print("Database is up to date.")
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from forum.db.migrate import migrate
    from forum.demo import load_demo

    migrate(settings.database_url)
    created = asyncio.run(_with_forum(settings, load_demo))
    print("Demo content loaded." if created else "Demo content was already there.")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from uvicorn.config import LOGGING_CONFIG

    from forum.db.migrate import migrate
    from forum.logging_setup import configure_logging
    from forum.serving import serve

    json_logs = configure_logging(settings.log_format)  # before migrating: its lines too
    migrate(settings.database_url)
    if args.demo:
        cmd_demo(settings, args)
    # Links in emails point where the forum is served unless FORUM_BASE_URL says otherwise;
    # the server processes read their settings from the environment.
    os.environ.setdefault("FORUM_BASE_URL", f"http://{args.host}:{args.port}")
    print(f"Forum running at http://{args.host}:{args.port}/ (Ctrl+C to stop)", flush=True)
    print(_where_mail_goes(settings), flush=True)
    # Behind a proxy, X-Forwarded-Proto and -For are trusted from FORWARDED_ALLOW_IPS
    # (uvicorn's own setting, 127.0.0.1 by default). JSON logs include the access log.
    # Live frames are not compressed (no permessage-deflate, which every browser offers): each
    # connection would keep its own compressor (tens of KB) and compress every frame again for
    # itself, for frames of a few KB that gzip would hardly shrink. Pages are still gzipped.
    started = serve(args.asgi_app, host=args.host, port=args.port, workers=args.workers,
                    proxy_headers=True, log_config=json_logs or LOGGING_CONFIG,
                    log_level="info" if json_logs else "warning", ws_max_size=WS_MAX_MESSAGE_BYTES,
                    ws_ping_interval=WS_PING_SECONDS, ws_ping_timeout=WS_PING_TIMEOUT_SECONDS,
                    ws_per_message_deflate=False)
    return 0 if started else 3  # uvicorn's own exit status when the app would not start


def _where_mail_goes(settings: Settings) -> str:
    from forum.mail.transports import MaildirTransport, transport_for

    try:
        transport = transport_for(settings.smtp_url, settings.database_url)
    except ValueError as error:
        return f"Email is not sent: {error}"
    if isinstance(transport, MaildirTransport):
        return (f"Email is written to the Maildir {transport.path.resolve()} "
                "(any mail program that opens a Maildir reads it; FORUM_SMTP_URL sends real mail)")
    return f"Email goes through {transport.describe()}"


def _member_command(settings: Settings, work: Callable[[Any], Awaitable[Any]],
                    done: Callable[[Any], str]) -> int:
    """Run an account action; print its field errors and exit 2 if it refuses."""
    from forum.db.migrate import migrate
    from forum.validation import ValidationError

    # An administrator's first command on a new server may well be `forum user create`: the
    # database is brought up to date first (it used to fail on missing tables, then hang).
    migrate(settings.database_url)
    try:
        member = asyncio.run(_with_forum(settings, work))
    except ValidationError as error:
        for field, message in error.fields.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    print(done(member))
    return 0


def cmd_user_create(settings: Settings, args: argparse.Namespace) -> int:
    from forum.actions.accounts import sign_up

    password = _read_password(args)
    return _member_command(settings, lambda forum: sign_up(forum, args.name, password, role=args.role,
                                                             allow_reserved=True),
                           lambda m: f"Created {m.username} ({m.role}).")


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass("Password: ")


def cmd_user_password(settings: Settings, args: argparse.Namespace) -> int:
    from forum.actions.accounts import reset_password

    password = _read_password(args)
    return _member_command(settings, lambda forum: reset_password(forum, args.name, password),
                           lambda m: f"Set a new password for {m.username}; their sessions and tokens ended.")


def cmd_user_role(settings: Settings, args: argparse.Namespace) -> int:
    from forum.actions.accounts import set_role

    return _member_command(settings, lambda forum: set_role(forum, args.name, args.role),
                           lambda m: f"{m.username} is now {m.role}.")


def cmd_mail_test(settings: Settings, args: argparse.Namespace) -> int:
    """One email straight through FORUM_SMTP_URL (not the outbox), and what became of it."""
    from forum.db.engine import Database
    from forum.mail.addresses import check_email
    from forum.mail.mailer import Mailer
    from forum.mail.transports import SendFailed
    from forum.validation import ValidationError

    try:
        address = check_email(args.address)
        mailer = Mailer(settings, Database(settings.database_url))  # not connected: no outbox here
    except (ValidationError, ValueError) as error:
        print(f"Not sent: {error}", file=sys.stderr)
        return 2
    try:
        asyncio.run(mailer.send_test(address))
    except SendFailed as error:
        how = "refused for good" if error.permanent else "failed (the forum would retry)"
        print(f"Not sent: {mailer.transport.describe()} {how}: {error}", file=sys.stderr)
        return 1
    print(f"Sent a test email to {address} through {mailer.transport.describe()}.")
    return 0


def _open_databases(*urls: str) -> Any:
    """Connect to each database for the enclosed block (no app, no hub: a bulk job)."""
    from contextlib import AsyncExitStack, asynccontextmanager

    from forum.db.engine import Database

    @asynccontextmanager
    async def opened() -> Any:
        async with AsyncExitStack() as stack:
            handles = []
            for url in urls:
                db = Database(url)
                await db.connect()
                stack.push_async_callback(db.disconnect)
                handles.append(db)
            yield handles

    return opened()


def _refused(error: Exception) -> int:
    print(f"\n{error}", file=sys.stderr)
    return 2


def cmd_copy_to(settings: Settings, args: argparse.Namespace) -> int:
    """Copy this forum (FORUM_DATABASE_URL) into another database, then compare row counts."""
    from forum.db.bulk import BulkError
    from forum.db.copy import copy_forum
    from forum.db.migrate import migrate

    migrate(settings.database_url)
    migrate(args.target)

    def progress(table: str, rows: int) -> None:
        print(f"\r  {table:<20} {rows:>9,} rows", end="", flush=True, file=sys.stderr)

    cleaned: dict[str, int] = {}

    async def run() -> dict[str, tuple[int, int]]:
        async with _open_databases(settings.database_url, args.target) as (source, target):
            return await copy_forum(source, target, progress, cleaned.__setitem__)

    try:
        counts = asyncio.run(run())
    except BulkError as error:
        return _refused(error)
    print(file=sys.stderr)
    width = max(len(name) for name in counts)
    for name, (here, there) in counts.items():
        print(f"{name:<{width}}  {here:>9,}  {there:>9,}  {'ok' if here == there else 'MISMATCH'}")
    for name, values in cleaned.items():
        print(f"{name}: removed NUL characters from {values:,} text values (PostgreSQL cannot store them).")
    if any(here != there for here, there in counts.values()):
        print("The counts differ: do not switch over.", file=sys.stderr)
        return 1
    print("Every table copied; the counts match.")
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    """Every member, channel, thread, post, revision, event and registration as JSON lines."""
    from tqdm import tqdm

    from forum.db import export
    from forum.db.migrate import migrate
    from forum.storage import storage_for

    migrate(settings.database_url)

    async def run(out: Any) -> dict[str, int]:
        store = storage_for(settings.uploads_url, settings.database_url)
        try:
            async with _open_databases(settings.database_url) as (db,):
                with tqdm(total=await export.total_rows(db), unit=" rows", desc="export",
                          file=sys.stderr) as bar:
                    return await export.export_forum(
                        db, out, with_password_hashes=args.with_password_hashes, progress=bar.update,
                        store=store)
        finally:
            await store.close()

    if args.file == "-":
        counts = asyncio.run(run(sys.stdout))
    else:
        with open(args.file, "w", encoding="utf-8") as out:
            counts = asyncio.run(run(out))
    hashes = "with" if args.with_password_hashes else "without"
    files, missing = counts.pop("files", 0), counts.pop("missing_files", 0)
    if missing:
        print(f"{missing:,} uploaded files named in the database are missing from the upload store; "
              "the export's last line lists them.", file=sys.stderr)
    print(f"Exported {sum(counts.values()):,} rows from {len(counts)} tables and {files:,} uploaded files, "
          f"{hashes} password hashes.", file=sys.stderr)
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    """Restore `forum export` output into an empty database."""
    import os

    from tqdm import tqdm

    from forum.db import export
    from forum.db.bulk import BulkError
    from forum.db.migrate import migrate
    from forum.storage import storage_for

    if not os.path.isfile(args.file):
        return _refused(BulkError(f"There is no file {args.file}."))
    migrate(settings.database_url)

    async def run(source: Any, bar: Any) -> dict[str, int]:
        store = storage_for(settings.uploads_url, settings.database_url)
        try:
            async with _open_databases(settings.database_url) as (db,):
                return await export.import_forum(db, source, progress=bar.update, store=store)
        finally:
            await store.close()

    try:
        with open(args.file, encoding="utf-8") as source, tqdm(
                total=os.path.getsize(args.file), unit="B", unit_scale=True, desc="import",
                file=sys.stderr) as bar:
            counts = asyncio.run(run(source, bar))
    except BulkError as error:
        return _refused(error)
    except UnicodeDecodeError:
        return _refused(BulkError("This is not a forum export: it is not UTF-8 text."))
    for name, rows in counts.items():
        print(f"{name:<22} {rows:>9,}")
    print(f"Imported {sum(counts.values()):,} rows; the search index is rebuilt.")
    return 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    """A consistent copy of a running SQLite forum, checked before it is kept."""
    from pathlib import Path

    from forum.db.backup import backup_sqlite, backup_uploads, uploads_folder_for
    from forum.db.bulk import BulkError
    from forum.storage import storage_for
    from forum.storage.local import LocalStorage

    target = Path(args.file)
    store = storage_for(settings.uploads_url, settings.database_url)
    try:
        if isinstance(store, LocalStorage) and uploads_folder_for(target).exists():
            raise BulkError(f"{uploads_folder_for(target)} already exists: give the backup a new name.")
        size = backup_sqlite(settings.database_url, target)
        if isinstance(store, LocalStorage):
            files = backup_uploads(store.root, target)
    except BulkError as error:
        return _refused(error)
    print(f"Backed up to {args.file} ({size:,} bytes); it passes SQLite's integrity check.")
    if isinstance(store, LocalStorage):
        print(f"Uploaded files: {files:,}, copied to {uploads_folder_for(target)} (to restore, put that "
              "folder beside the database as uploads, or point FORUM_UPLOADS_URL at it).")
    else:
        print(f"Uploaded files stay in {settings.uploads_url.split('?')[0]}: back that bucket up with "
              "the store's own tools (files never change under their names, so a sync copies only "
              "new ones).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="forum", description="A live, chat-style discussion forum.",
        epilog=_settings_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, then serve the forum")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="processes (use Redis beyond 1)")
    serve.add_argument("--demo", action="store_true", help="load demo content first")
    serve.set_defaults(run=cmd_serve)

    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=cmd_migrate)
    copy = commands.add_parser("copy-to", help="copy every row into another (empty) database, "
                                               "e.g. from SQLite to PostgreSQL, and check the counts")
    copy.add_argument("target", help="the target database URL, e.g. postgresql://user@host/db")
    copy.set_defaults(run=cmd_copy_to)
    export = commands.add_parser("export", help="write the whole forum as JSON lines (sign-ins, "
                                                "API tokens and the live-update log left out)")
    export.add_argument("file", help="the file to write, or - for standard output")
    export.add_argument("--with-password-hashes", action="store_true",
                        help="include password hashes (without them, members need new passwords)")
    export.set_defaults(run=cmd_export)
    restore = commands.add_parser("import", help="restore a `forum export` file into an empty database")
    restore.add_argument("file")
    restore.set_defaults(run=cmd_import)
    backup = commands.add_parser("backup", help="a consistent copy of a running SQLite forum")
    backup.add_argument("file", help="the new file to write (never overwritten)")
    backup.set_defaults(run=cmd_backup)
    commands.add_parser("demo", help="load demo members and threads (idempotent)").set_defaults(run=cmd_demo)

    user = commands.add_parser("user", help="manage members").add_subparsers(
        dest="user_command", required=True)
    create = user.add_parser("create", help="create a member")
    create.add_argument("name")
    create.add_argument("--role", choices=["member", "moderator", "admin"], default="member")
    create.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    create.set_defaults(run=cmd_user_create)
    password = user.add_parser("password", help="set a member's password; ends their sessions and tokens")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    password.set_defaults(run=cmd_user_password)
    role = user.add_parser("role", help="set a member's role")
    role.add_argument("name")
    role.add_argument("role", choices=["member", "moderator", "admin"])
    role.set_defaults(run=cmd_user_role)

    mail = commands.add_parser("mail", help="email").add_subparsers(dest="mail_command", required=True)
    mail_test = mail.add_parser("test", help="send one email through FORUM_SMTP_URL and say what happened")
    mail_test.add_argument("address")
    mail_test.set_defaults(run=cmd_mail_test)
    return parser


def main(argv: list[str] | None = None, *, settings: Settings | None = None,
         asgi_app: str = "forum.asgi:app") -> None:
    """`settings`, if given, instead of the environment's; `forum serve` serves `asgi_app` (an
    import path, so that each worker process builds its own app from it)."""
    args = build_parser().parse_args(argv)
    args.asgi_app = asgi_app
    sys.exit(args.run(settings or Settings.from_env(), args))
