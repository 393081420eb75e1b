"""`forum export`, `forum import` and `forum backup` run as an administrator would, on real
databases, and a member's own download from their profile."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import shutil
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from asgi_lifespan import LifespanManager

from forum.actions import blocks as block_actions
from forum.actions import conversations as conversation_actions
from forum.actions import events as event_actions
from forum.actions import follows as follow_actions
from forum.actions import message_reports as report_actions
from forum.actions import moderation as moderation_actions
from forum.actions import posts as post_actions
from forum.actions import reactions as reaction_actions
from forum.actions import uploads as upload_actions
from forum.actions.accounts import authenticate, sign_up
from forum.app import create_app
from forum.auth import Member
from forum.clock import as_utc, utcnow
from forum.db import bulk, export, moderation, reads, users
from forum.db.copy import copy_forum
from forum.db.engine import Database
from forum.db.tables import posts
from forum.db.tables import users as users_table
from forum.demo import DEMO_PASSWORD, load_demo
from forum.demo.timeline import members
from forum.settings import Settings
from forum.storage.local import LocalStorage
from forum.uploads_markdown import markdown_for
from tests import sample_files as sample
from tests.conftest import TEST_SECRET, make_client
from tests.forum_command import CHEAP_HASHER
from tests.helpers import PASSWORD, api_token, reply, start_thread
from tests.helpers import sign_up as sign_up_form
from tests.test_cli import run_forum

MEMBERS = members()


# -- arranging and reading whole databases ----------------------------------------------------
async def with_forum(url: str, work: Callable[[Any], Awaitable[Any]]) -> Any:
    app = create_app(Settings(database_url=url, secret_key=TEST_SECRET, rate_limits=False,
                              password_hasher=CHEAP_HASHER))
    async with LifespanManager(app) as manager:
        return await work(manager._state["forum"])


async def with_db(url: str, work: Callable[[Database], Awaitable[Any]]) -> Any:
    db = Database(url)
    await db.connect()
    try:
        return await work(db)
    finally:
        await db.disconnect()


async def member(forum: Any, username: str) -> Member:
    return Member.from_row(await users.by_username(forum.db, username))


async def fill_every_table(forum: Any) -> None:
    """The demo community, plus what it lacks: an event with a seat taken and one on reserve,
    an edited post, a flag, a hidden post, a banner one member closed, a read mark, a reaction,
    a private conversation, a reply with a picture and a PDF."""
    await load_demo(forum)
    staff = [await member(forum, m["username"]) for m in MEMBERS if m["role"] != "member"]
    people = [await member(forum, m["username"]) for m in MEMBERS if m["role"] == "member"]
    event_id, _ = await event_actions.create(forum, staff[0], {
        "title": "Spring network meeting", "body": "Bring a case study.", "categories": ["announcements"],
        "starts_at": (utcnow() + timedelta(days=30)).isoformat(),
        "ends_at": (utcnow() + timedelta(days=30, hours=3)).isoformat(),
        "location": "Town hall", "capacity": 1})
    await event_actions.register(forum, people[0], event_id)
    await event_actions.register(forum, people[1], event_id)
    replies = await forum.db.fetch_all(sa.select(posts).where(posts.c.depth > 0).order_by(posts.c.id))
    edited, flagged = replies[0], replies[1]
    await post_actions.edit(forum, await member(forum, (await users.by_id(
        forum.db, edited["author_id"]))["username"]), edited["id"], "Edited: *second thoughts*")
    await moderation_actions.flag_post(forum, people[2], flagged["id"], "Off topic for this channel")
    await moderation_actions.hide_post(forum, staff[0], flagged["id"], "Moved to General Chat")
    await moderation_actions.set_banner(forum, staff[0], "Spring event: sign up on the Events page")
    banner = await moderation.current_banner(forum.db)
    await moderation.dismiss_banner(forum.db, people[0].id, banner["id"])
    await reads.mark_read(forum.db, people[0].id, edited["thread_id"], edited["id"])
    await reaction_actions.react(forum, people[1], edited["id"], "heart", on=True)
    conversation_id = await conversation_actions.start(
        forum, people[0], [people[1].username], "Your case study", "Could we talk about it?")
    answer = await conversation_actions.send(forum, people[1], conversation_id, "Gladly: Thursday?")
    await report_actions.report(forum, people[0], conversation_id, answer["id"], "Not what I meant")
    await block_actions.block(forum, people[2], people[3].username)
    picture = await upload_actions.upload(forum, people[3], sample.png((1600, 900)), "bay.png", "The bay")
    minutes = await upload_actions.upload(forum, people[3], sample.PDF, "minutes.pdf", "")
    await post_actions.reply(forum, people[3], edited["thread_id"],
                             f"From the walk:\n\n{markdown_for(picture)}\n\n{markdown_for(minutes)}")
    await follow_actions.set_following(forum, people[0], "tag", "coproduction13", True)
    await follow_actions.set_following(forum, people[1], "channel", "tools-methods", True)


def files_in(folder: Path) -> dict[str, bytes]:
    """An upload store on this machine: {key: bytes}."""
    return {path.name: path.read_bytes() for path in folder.rglob("*") if path.is_file()}


async def all_rows(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every exported table, keyed by primary key order, timestamps in UTC (SQLite
    hands back naive ones, PostgreSQL aware ones)."""
    tables = {}
    for table in export.EXPORTED:
        rows = [row async for batch in bulk.batches(db, table) for row in batch]
        tables[table.name] = [{k: as_utc(v) if isinstance(table.c[k].type, sa.DateTime) else v
                               for k, v in row.items()} for row in rows]
    return tables


def rows_of(url: str) -> dict[str, list[dict[str, Any]]]:
    return asyncio.run(with_db(url, all_rows))


def without_hashes(tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {name: [{k: v for k, v in row.items() if k != "password_hash"} for row in rows]
            for name, rows in tables.items()}


@pytest.fixture(scope="module")
def filled_sqlite_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """Built once (the demo hashes a dozen passwords); each test copies the file, never writes it."""
    path = tmp_path_factory.mktemp("filled") / "forum.db"
    shutil.copy(sqlite_template, path)
    asyncio.run(with_forum(f"sqlite:///{path}", fill_every_table))
    return path


@pytest.fixture
def filled_sqlite(filled_sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "source" / "forum.db"
    path.parent.mkdir()
    shutil.copy(filled_sqlite_template, path)
    shutil.copytree(filled_sqlite_template.parent / "uploads", path.parent / "uploads")
    return f"sqlite:///{path}"


@pytest.fixture
def fresh_sqlite(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "target" / "forum.db"
    path.parent.mkdir()
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def export_to(url: str, path: Path, *flags: str) -> list[dict[str, Any]]:
    done = run_forum(url, "export", str(path), *flags)
    assert done.returncode == 0, done.stderr
    assert "100%" in done.stderr  # the progress bar ran to the end
    return [json.loads(line) for line in path.read_text().splitlines()]


def import_from(url: str, path: Path) -> None:
    done = run_forum(url, "import", str(path))
    assert done.returncode == 0, done.stderr
    assert "search index is rebuilt" in done.stdout


# -- export and import between engines ----------------------------------------------------------
def test_sqlite_to_sqlite_every_row_back_and_no_password_hashes(filled_sqlite, fresh_sqlite, tmp_path):
    source = rows_of(filled_sqlite)
    assert all(source.values()), [name for name, rows in source.items() if not rows]
    lines = export_to(filled_sqlite, tmp_path / "forum.jsonl")
    header, footer = lines[0], lines[-1]
    body = [line for line in lines[1:-1] if "table" in line]
    file_lines = lines[1 + len(body):-1]  # the files come after every row
    assert [line["file"] for line in file_lines] and footer["files"] == len(file_lines)
    assert header["format"] == "forum-export" and header["version"] == 1
    assert header["schema"] == export.schema_revision() and header["password_hashes"] is False
    assert set(header["excluded"]) == {"sessions", "api_tokens", "live_log", "meta", "account_tokens",
                                       "mail_outbox"}
    assert footer["end"] is True and sum(footer["rows"].values()) == len(body)
    order = [line["table"] for line in body]
    assert order == sorted(order, key=header["tables"].index)  # parents before children
    member_rows = [line["row"] for line in body if line["table"] == "users"]
    assert len(member_rows) == len(MEMBERS) and all("password_hash" not in row for row in member_rows)
    assert "argon2" not in (tmp_path / "forum.jsonl").read_text()

    source_files = files_in(tmp_path / "source" / "uploads")
    assert len(source_files) == 4  # the PDF, and the picture at three sizes
    assert set(source_files) == {line["file"] for line in file_lines}
    import_from(fresh_sqlite, tmp_path / "forum.jsonl")
    restored = rows_of(fresh_sqlite)
    assert without_hashes(restored) == without_hashes(source)
    assert files_in(tmp_path / "target" / "uploads") == source_files
    assert {row["password_hash"] for row in restored["users"]} == {export.UNUSABLE_PASSWORD_HASH}

    async def after_import(forum: Any) -> None:
        # Without a hash nobody logs in, with the old password or the marker itself.
        assert await authenticate(forum, MEMBERS[0]["username"], DEMO_PASSWORD) is None
        assert await authenticate(forum, MEMBERS[0]["username"], export.UNUSABLE_PASSWORD_HASH) is None
        newcomer = await sign_up(forum, "after_import", PASSWORD)
        assert newcomer.id == max(row["id"] for row in source["users"]) + 1
        # The event log is not carried over, but its ids carry on past the old forum's.
        assert await forum.db.fetch_val("SELECT MIN(id) FROM live_log") == header["last_event_id"] + 1

    assert header["last_event_id"] > 0
    asyncio.run(with_forum(fresh_sqlite, after_import))


async def _search_finds(db: Database, words: str) -> list[Any]:
    from forum.db import search
    from forum.search_query import parse

    rows, _ = await search.search(db, parse(words))
    return rows


async def _messages_found(db: Database, words: str, source: dict[str, list[dict[str, Any]]]) -> list[Any]:
    """What the conversation's starter finds among their messages (the message index too is
    engine-specific, so rebuilt)."""
    from forum.db import message_search
    from forum.search_query import parse

    starter = source["conversations"][0]["created_by"]
    rows, _ = await message_search.search(db, parse(words), member_id=starter)
    return rows


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_sqlite_to_postgresql_every_row_back(filled_sqlite, database_url, tmp_path, monkeypatch):
    source = rows_of(filled_sqlite)
    last_event_id = export_to(filled_sqlite, tmp_path / "forum.jsonl")[0]["last_event_id"]
    monkeypatch.setenv("FORUM_UPLOADS_URL", f"file://{tmp_path / 'restored-uploads'}")
    import_from(database_url, tmp_path / "forum.jsonl")
    assert without_hashes(rows_of(database_url)) == without_hashes(source)
    assert files_in(tmp_path / "restored-uploads") == files_in(tmp_path / "source" / "uploads")

    async def works(forum: Any) -> None:
        assert await _search_finds(forum.db, "second thoughts")  # the index was rebuilt
        found = await _messages_found(forum.db, "thursday", source)
        assert ["Thursday" in m["html"] for m in found] == [True]
        newcomer = await sign_up(forum, "after_import", PASSWORD)  # sequences moved past the ids
        assert newcomer.id == max(row["id"] for row in source["users"]) + 1
        assert await forum.db.fetch_val("SELECT MIN(id) FROM live_log") == last_event_id + 1
        post_id = (await post_actions.reply(forum, newcomer, source["threads"][0]["id"], "A new reply"))["id"]
        assert post_id == max(row["id"] for row in source["posts"]) + 1

    asyncio.run(with_forum(database_url, works))


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_postgresql_to_sqlite_with_password_hashes(filled_sqlite, database_url, fresh_sqlite, tmp_path,
                                                    monkeypatch):
    async def copy(source: Database) -> None:
        await with_db(database_url, lambda target: copy_forum(source, target))

    asyncio.run(with_db(filled_sqlite, copy))  # a PostgreSQL forum with every table filled
    source = rows_of(database_url)
    assert all(source.values())
    assert len(asyncio.run(with_db(database_url, lambda db: _messages_found(db, "thursday", source)))) == 1
    with monkeypatch.context() as env:  # the PostgreSQL forum's files: the same folder
        env.setenv("FORUM_UPLOADS_URL", f"file://{tmp_path / 'source' / 'uploads'}")
        lines = export_to(database_url, tmp_path / "forum.jsonl", "--with-password-hashes")
    assert lines[0]["password_hashes"] is True
    exported = {line["row"]["username"]: line["row"]["password_hash"]
                for line in lines if line.get("table") == "users"}
    assert all(value.startswith("$argon2") for value in exported.values())
    import_from(fresh_sqlite, tmp_path / "forum.jsonl")
    assert rows_of(fresh_sqlite) == source  # hashes included
    assert files_in(tmp_path / "target" / "uploads") == files_in(tmp_path / "source" / "uploads")

    async def logs_in(forum: Any) -> None:
        assert await authenticate(forum, MEMBERS[0]["username"], DEMO_PASSWORD) is not None
        assert await _search_finds(forum.db, "second thoughts")
        assert len(await _messages_found(forum.db, "thursday", source)) == 1

    asyncio.run(with_forum(fresh_sqlite, logs_in))


# -- refusals -----------------------------------------------------------------------------------
async def export_text(db: Database) -> str:
    out = io.StringIO()
    await export.export_forum(db, out)
    return out.getvalue()


def test_import_refuses_a_database_that_has_a_forum(database_url, tmp_path):
    async def one_member(forum: Any) -> None:
        await sign_up(forum, "already_here", PASSWORD)

    asyncio.run(with_forum(database_url, one_member))
    (tmp_path / "forum.jsonl").write_text(asyncio.run(with_db(database_url, export_text)))
    before = rows_of(database_url)
    refused = run_forum(database_url, "import", str(tmp_path / "forum.jsonl"))
    assert refused.returncode == 2
    assert "already has users" in refused.stderr and "empty forum" in refused.stderr
    assert rows_of(database_url) == before


def _damaged(good: str) -> dict[str, str]:
    lines = good.splitlines(keepends=True)
    header = json.loads(lines[0])
    return {
        "cut at a line end": "".join(lines[:-3]),
        "cut mid-line": good[: len(good) - len(lines[-1]) - 20],
        "not an export": "id,username\n1,ann\n",
        "another JSON file": '{"name": "forum", "version": "1.0"}\n',
        "a newer format": json.dumps({**header, "version": 2}) + "\n" + "".join(lines[1:]),
        "an unknown table": "".join(lines[:-1]) + '{"table": "secrets", "row": {}}\n' + lines[-1],
        "a row count that differs": "".join(lines[:2] + lines[3:]),
        "a broken link": "".join(line.replace('"author_id": 1,', '"author_id": 999,')
                                 if '"table": "threads"' in line else line for line in lines),
        "empty": "",
    }


def test_damaged_or_foreign_files_are_refused_and_nothing_is_imported(database_url, fresh_sqlite):
    async def one_thread(forum: Any) -> None:
        ann = await sign_up(forum, "ann", PASSWORD)
        from forum.actions.threads import create_thread

        await create_thread(forum, ann, "A thread", "Its opening post", ["general-chat"])

    source = fresh_sqlite
    asyncio.run(with_forum(source, one_thread))

    good = asyncio.run(with_db(source, export_text))
    expected = {"cut at a line end": "cut short", "cut mid-line": "cut short", "not an export": "not JSON",
                "another JSON file": "not a forum export", "a newer format": "version 2",
                "an unknown table": "unknown table 'secrets'", "a row count that differs": "do not match",
                "a broken link": "threads rows before line .* could not be written", "empty": "empty"}

    async def try_each(db: Database) -> None:
        for name, text in _damaged(good).items():
            with pytest.raises(export.ExportFileError, match=expected[name]):
                await export.import_forum(db, io.StringIO(text))
            assert not await bulk.count_rows(db, users_table), name  # rolled back whole
        await export.import_forum(db, io.StringIO(good))  # and the good file still goes in
        assert await bulk.count_rows(db, users_table) == 1

    asyncio.run(with_db(database_url, try_each))


def test_a_file_whose_bytes_are_not_its_key_is_refused_and_nothing_is_imported(database_url, tmp_path):
    async def arrange_and_try(db: Database) -> None:
        lines = (await export_text(db)).splitlines(keepends=True)
        footer = json.loads(lines[-1])
        key = hashlib.sha256(sample.PDF).hexdigest() + ".pdf"
        store = LocalStorage(tmp_path / "uploads")
        for name, data in (("damaged", sample.PDF[:-1]), ("not base64", "%%%"), ("a path", None)):
            line = {"file": "../../forum.secret" if data is None else key,
                    "data": data if isinstance(data, str) else base64.b64encode(data or b"x").decode()}
            text = "".join(lines[:-1]) + json.dumps(line) + "\n" + json.dumps({**footer, "files": 1}) + "\n"
            with pytest.raises(export.ExportFileError, match="damaged|not the ones its key names"):
                await export.import_forum(db, io.StringIO(text), store=store)
            assert not await bulk.count_rows(db, users_table), name
        assert files_in(tmp_path / "uploads") == {}

    asyncio.run(with_db(database_url, arrange_and_try))


def test_the_command_explains_another_schema_or_a_missing_file(fresh_sqlite, tmp_path):
    header = {"format": "forum-export", "version": 1, "schema": "0001", "exported_at": "2026-01-01T00:00:00Z"}
    (tmp_path / "old.jsonl").write_text(json.dumps(header) + "\n")
    old = run_forum(fresh_sqlite, "import", str(tmp_path / "old.jsonl"))
    assert old.returncode == 2 and "schema revision 0001" in old.stderr and "forum migrate" in old.stderr
    assert "Traceback" not in old.stderr
    missing = run_forum(fresh_sqlite, "import", str(tmp_path / "nowhere.jsonl"))
    assert missing.returncode == 2 and "no file" in missing.stderr


# -- backup -------------------------------------------------------------------------------------
class ReplyWriter(threading.Thread):
    """Posts replies to a live server as fast as it answers, keeping each acknowledged id."""

    def __init__(self, base_url: str, headers: dict[str, str], thread_id: int) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(base_url=base_url, headers=headers, timeout=30)
        self.thread_id = thread_id
        self.acknowledged: list[int] = []
        self.failures: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with self.client:
            while not self.stop.is_set():
                answer = self.client.post(f"/api/v1/threads/{self.thread_id}/posts",
                                          json={"body": f"Reply {len(self.acknowledged)}"})
                if answer.status_code == 201:
                    self.acknowledged.append(answer.json()["id"])
                else:
                    self.failures.append(f"{answer.status_code} {answer.text[:200]}")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_backup_of_a_running_forum_taking_writes(live_server, database_url, tmp_path):
    async def arrange() -> tuple[dict[str, str], int]:
        async with httpx.AsyncClient(base_url=live_server.base_url) as client:
            headers = await api_token(client, "writer")
            thread = await start_thread(client, headers, title="Busy thread")
            await reply(client, headers, thread["id"], "First reply")
            return headers, thread["id"]

    headers, thread_id = asyncio.run(arrange())
    writer = ReplyWriter(live_server.base_url, headers, thread_id)
    writer.start()
    try:
        while len(writer.acknowledged) < 20 and not writer.failures and writer.is_alive():
            threading.Event().wait(0.05)
        acknowledged_before = list(writer.acknowledged)
        done = run_forum(database_url, "backup", str(tmp_path / "backup.db"))
        writes_during = len(writer.acknowledged) - len(acknowledged_before)
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert done.returncode == 0, done.stderr
    assert "integrity check" in done.stdout
    assert not writer.failures, writer.failures[:3]
    assert writes_during > 0  # the server kept answering while the backup ran

    copy = sqlite3.connect(tmp_path / "backup.db")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
        kept = {row[0] for row in copy.execute("SELECT id FROM posts")}
        assert set(acknowledged_before) <= kept
        assert copy.execute("SELECT COUNT(*) FROM users WHERE username = 'writer'").fetchone()[0] == 1
    finally:
        copy.close()
    assert not Path(f"{tmp_path / 'backup.db'}-wal").exists()
    again = run_forum(database_url, "backup", str(tmp_path / "backup.db"))
    assert again.returncode == 2 and "already exists" in again.stderr


async def _upload_a_picture_and_a_pdf(client: httpx.AsyncClient) -> list[str]:
    member = await api_token(client, "pia")
    urls = []
    for name, data, alt in (("bay.png", sample.png(), "The bay"), ("minutes.pdf", sample.PDF, "")):
        sent = await client.post("/api/v1/uploads", headers=member, files={"file": (name, data)},
                                 data={"alt": alt})
        assert sent.status_code == 201, sent.text
        urls.append(sent.json()["url"])
    return urls


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_backup_copies_the_uploaded_files_beside_it_and_a_restore_serves_them(client, database_url,
                                                                                    tmp_path):
    urls = await _upload_a_picture_and_a_pdf(client)
    (tmp_path / "backups").mkdir()
    done = await asyncio.to_thread(run_forum, database_url, "backup", str(tmp_path / "backups" / "monday.db"))
    assert done.returncode == 0, done.stderr
    copied = tmp_path / "backups" / "monday.db.uploads"
    assert "Uploaded files: 2, copied to" in done.stdout and str(copied) in done.stdout
    assert files_in(copied) == files_in(tmp_path / "uploads") and len(files_in(copied)) == 2

    restored = tmp_path / "restored"  # the drill: the copy as forum.db, its files as uploads
    restored.mkdir()
    shutil.copy(tmp_path / "backups" / "monday.db", restored / "forum.db")
    shutil.copytree(copied, restored / "uploads")
    app = create_app(Settings(database_url=f"sqlite:///{restored / 'forum.db'}", secret_key=TEST_SECRET,
                              password_hasher=CHEAP_HASHER))
    async with LifespanManager(app) as manager, make_client(manager) as restored_client:
        for url in urls:
            assert (await restored_client.get(url)).content == (await client.get(url)).content
    again = await asyncio.to_thread(run_forum, database_url, "backup", str(tmp_path / "backups/monday.db"))
    assert again.returncode == 2 and "already exists" in again.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_backup_with_files_in_s3_says_where_they_stay(database_url, s3_uploads_url, tmp_path, monkeypatch):
    monkeypatch.setenv("FORUM_UPLOADS_URL", s3_uploads_url)
    done = run_forum(database_url, "backup", str(tmp_path / "monday.db"))
    assert done.returncode == 0, done.stderr
    assert f"Uploaded files stay in {s3_uploads_url.split('?')[0]}" in done.stdout
    assert not (tmp_path / "monday.db.uploads").exists()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_backup_points_postgresql_at_pg_dump(database_url, tmp_path):
    refused = run_forum(database_url, "backup", str(tmp_path / "backup.db"))
    assert refused.returncode == 2 and "pg_dump" in refused.stderr
    assert not (tmp_path / "backup.db").exists()


# -- a member's own download ----------------------------------------------------------------------
async def test_a_member_downloads_everything_they_wrote_and_nobody_else_can(app, client, other_client, forum):
    await sign_up_form(client, "alice_a", display_name="Alice")
    await sign_up_form(other_client, "bob_b", display_name="Bob")
    alice, bob = await member(forum, "alice_a"), await member(forum, "bob_b")
    organiser = await sign_up(forum, "organiser", PASSWORD, role="moderator")
    from forum.actions.threads import create_thread

    alice_thread = await create_thread(forum, alice, "Alice asks", "Opening **in Markdown**",
                                       ["general-chat"])
    bob_post = (await post_actions.reply(forum, bob, alice_thread, "Bob's private-ish musing zebra"))["id"]
    alice_reply = (await post_actions.reply(forum, alice, alice_thread, "First draft", bob_post))["id"]
    await post_actions.edit(forum, alice, alice_reply, "Second draft")
    await moderation_actions.flag_post(forum, alice, bob_post, "Alice thinks this is spam")
    await moderation_actions.flag_post(forum, bob, alice_reply, "Bob's secret complaint walrus")
    event_id, _ = await event_actions.create(forum, organiser, {
        "title": "Meet-up", "body": "Come along", "categories": ["announcements"],
        "starts_at": (utcnow() + timedelta(days=3)).isoformat(),
        "ends_at": (utcnow() + timedelta(days=3, hours=2)).isoformat(), "location": "Library"})
    await event_actions.register(forum, alice, event_id)
    await event_actions.register(forum, bob, event_id)

    page = await client.get("/u/alice_a")
    assert '<a href="/u/alice_a/export" download>Download everything I wrote</a>' in page.text
    assert "Download everything I wrote" not in (await other_client.get("/u/alice_a")).text

    answer = await client.get("/u/ALICE_A/export")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="alice_a-forum-export.json"'
    assert "no-store" in answer.headers["cache-control"]
    data = answer.json()
    assert data["format"] == "forum-member-export"
    assert data["profile"]["username"] == "alice_a" and data["profile"]["display_name"] == "Alice"
    assert [t["title"] for t in data["threads"]] == ["Alice asks"]
    assert [p["body"] for p in data["posts"]] == ["Opening **in Markdown**", "Second draft"]
    assert all(p["created_at"].endswith("Z") for p in data["posts"])
    assert data["posts"][1]["parent_id"] == bob_post
    assert [(r["post_id"], r["body"]) for r in data["revisions"]] == [(alice_reply, "First draft")]
    assert [(r["event_id"], r["status"]) for r in data["event_registrations"]] == [(event_id, "registered")]
    assert [(f["post_id"], f["reason"]) for f in data["flags_raised"]] == [
        (bob_post, "Alice thinks this is spam")]
    # Nothing of Bob's: not his words, his name, his complaint, nor anyone's password hash.
    for secret in ("zebra", "bob_b", "walrus", "argon2", "organiser"):
        assert secret not in answer.text

    assert (await other_client.get("/u/alice_a/export")).status_code == 403
    async with make_client(app) as stranger:
        assert (await stranger.get("/u/alice_a/export")).status_code == 403
    assert (await client.get("/u/nobody_here/export")).status_code == 404
