"""Mail: messages, the durable outbox and its sender, transports, `forum mail test`; against a
real SMTP server (aiosmtpd, in-process) on a free port."""

from __future__ import annotations

import asyncio
import mailbox
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum.clock import utcnow
from forum.db.tables import mail_outbox
from forum.mail.message import MailTemplates, build_message
from forum.mail.transports import MaildirTransport, SmtpTransport, transport_for
from forum.settings import Settings
from tests.conftest import TEST_SECRET
from tests.mail_server import SmtpServer
from tests.servers import free_port


@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return Settings(database_url=database_url, secret_key=TEST_SECRET, rate_limits=False,
                    smtp_url=smtp.url, base_url="http://testserver",
                    mail_from="Practice Forum <forum@forum.example>")


async def queue_one(forum, to_name: str = "Ada", subject: str = "Hello") -> None:
    async with forum.db.transaction():
        await forum.mailer.queue(kind="test", user_id=None, to_name=to_name, to_email="ada@example.org",
                                 subject=subject, template="test", context={})


async def outbox_rows(forum) -> list:
    return await forum.db.fetch_all(sa.select(mail_outbox).order_by(mail_outbox.c.id))


async def sent_rows(forum) -> list:
    """The outbox once every row is marked sent: the SMTP server holds a message a moment
    before its sender hears the server's 250 and marks the row."""
    import asyncio

    for _ in range(200):
        rows = await outbox_rows(forum)
        if rows and all(r["sent_at"] is not None for r in rows):
            break
        await asyncio.sleep(0.05)
    return rows


def test_a_message_has_both_parts_and_the_headers_mail_programs_need() -> None:
    message = build_message(MailTemplates(), sender="Practice Forum <forum@forum.example>",
                            to_name="Ada Lovelace", to_email="ada@example.org", subject="A reply",
                            template="test", context={"forum_name": "Practice Forum",
                                                      "base_url": "https://forum.example"},
                            unsubscribe_url="https://forum.example/unsubscribe/abc")
    assert message["From"] == "Practice Forum <forum@forum.example>"
    assert message["To"] == "Ada Lovelace <ada@example.org>"
    assert message["Message-ID"].endswith("@forum.example>")
    assert message["Date"]
    assert message["List-Unsubscribe"] == "<https://forum.example/unsubscribe/abc>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "test email from Practice Forum" in text and "https://forum.example/unsubscribe/abc" in text
    assert 'name="viewport"' in html and "<img" not in html  # readable on a phone; nothing remote
    assert 'href="https://forum.example/unsubscribe/abc"' in html


def test_account_mail_has_no_unsubscribe_headers() -> None:
    message = build_message(MailTemplates(), sender="forum@forum.example", to_name="", to_email="a@b.org",
                            subject="Hi", template="test",
                            context={"forum_name": "F", "base_url": "https://forum.example"})
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None


def test_html_part_escapes_what_members_typed() -> None:
    message = build_message(MailTemplates(), sender="forum@forum.example", to_name="", to_email="a@b.org",
                            subject="<b>x</b>", template="test",
                            context={"forum_name": "<script>", "base_url": "https://forum.example"})
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html


async def test_queued_mail_goes_out_once_with_both_parts(forum, smtp) -> None:
    await queue_one(forum)
    received = await smtp.await_for(1)
    assert len(received) == 1
    mail = received[0]
    assert mail.rcpt_tos == ["ada@example.org"] and mail.mail_from == "forum@forum.example"
    assert mail.message["Subject"] == "Hello" and mail.message["Message-ID"] and mail.message["Date"]
    assert "can send mail" in mail.part("plain") and "<p>" in mail.part("html")
    [row] = await sent_rows(forum)
    assert row["sent_at"] is not None and row["attempts"] == 1
    # Nothing more goes, however often the sender looks again.
    assert await forum.mailer.sender.send_due(utcnow() + timedelta(days=1)) == 0
    assert len(smtp.received) == 1


async def test_a_rolled_back_change_sends_nothing(forum, smtp) -> None:
    with pytest.raises(RuntimeError):
        async with forum.db.transaction():
            await forum.mailer.queue(kind="test", user_id=None, to_name="", to_email="ada@example.org",
                                     subject="Never", template="test", context={})
            raise RuntimeError("the change failed")
    assert await outbox_rows(forum) == []
    assert await forum.mailer.sender.send_due(utcnow() + timedelta(days=1)) == 0
    assert smtp.received == []


@pytest.mark.parametrize("field", ["display name", "thread title"])
async def test_cr_lf_cannot_inject_a_header(forum, smtp, field) -> None:
    evil = "Eve\r\nBcc: mallory@evil.example\r\nX-Injected: yes"
    if field == "display name":
        await queue_one(forum, to_name=evil)
    else:
        await queue_one(forum, subject=f"Re: {evil}")
    [mail] = await smtp.await_for(1)
    assert mail.rcpt_tos == ["ada@example.org"]
    assert mail.message["Bcc"] is None and mail.message["X-Injected"] is None
    header = mail.message["To"] if field == "display name" else mail.message["Subject"]
    assert "\n" not in str(header) and "Bcc: mallory@evil.example" in str(header)


async def test_a_refusing_server_delays_mail_and_it_arrives_once(forum, settings, smtp) -> None:
    smtp.handler.refuse_first = 2
    await queue_one(forum)
    # The loop tries at once and is refused; each retry waits longer (5 s, then 10 s): step time on.
    later = utcnow()
    for _ in range(6):
        later += timedelta(minutes=5)
        await forum.mailer.sender.send_due(later)
        if smtp.received:
            break
    assert smtp.handler.refused == 2
    assert len(await smtp.await_for(1)) == 1
    [row] = await sent_rows(forum)
    assert row["sent_at"] is not None and row["attempts"] == 3 and row["failed_at"] is None
    assert await forum.mailer.sender.send_due(utcnow() + timedelta(days=2)) == 0
    assert len(smtp.received) == 1


async def test_an_unreachable_server_is_a_logged_retry(forum, caplog) -> None:
    forum.mailer.sender.transport = SmtpTransport("127.0.0.1", free_port())  # nothing listens there
    async with forum.db.transaction():
        await forum.mailer.queue(kind="test", user_id=None, to_name="", to_email="ada@example.org",
                                 subject="Hi", template="test", context={})
    # The commit wakes the sender, which tries at once: the failure is recorded and retried later.
    for _ in range(200):
        [row] = await outbox_rows(forum)
        if row["attempts"]:
            break
        await asyncio.sleep(0.05)
    assert row["sent_at"] is None and row["failed_at"] is None and row["attempts"] == 1
    assert "SMTPConnectError" in row["last_error"]
    assert "trying again" in caplog.text


def test_transports_from_the_url() -> None:
    maildir = transport_for("maildir://./mail", "sqlite:////srv/forum/forum.db")
    assert maildir == MaildirTransport(Path("/srv/forum/mail"))
    assert transport_for("smtp://u%40x:p%2Fw@mail.example:2525?starttls=1", "") == SmtpTransport(
        "mail.example", 2525, "u@x", "p/w", use_tls=False, start_tls=True)
    assert transport_for("smtps://mail.example", "") == SmtpTransport("mail.example", 465, use_tls=True)
    with pytest.raises(ValueError, match="FORUM_SMTP_URL"):
        transport_for("http://mail.example", "")


async def test_the_default_maildir_sits_beside_the_sqlite_file(tmp_path) -> None:
    transport = transport_for("maildir://./mail", f"sqlite:///{tmp_path}/forum.db")
    await transport.send("forum@localhost", "ada@example.org", "Subject: hi\n\nhello\n")
    [message] = list(mailbox.Maildir(tmp_path / "mail", create=False))
    assert message["Subject"] == "hi"


def run_forum(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "forum", *args], capture_output=True, text=True,
                          env={**os.environ, "FORUM_SECRET_KEY": "x", **env}, timeout=60)


def test_forum_mail_test_sends_through_a_real_server(smtp, tmp_path) -> None:
    done = run_forum("mail", "test", "Ada@Example.org", env={
        "FORUM_SMTP_URL": smtp.url, "FORUM_DATABASE_URL": f"sqlite:///{tmp_path}/forum.db"})
    assert done.returncode == 0, done.stderr
    assert ("Sent a test email to ada@example.org through the SMTP server "
            f"127.0.0.1:{smtp.port}") in done.stdout
    [mail] = smtp.wait_for(1)
    assert mail.rcpt_tos == ["ada@example.org"] and "Test email" in mail.message["Subject"]


def test_forum_mail_test_says_what_went_wrong(tmp_path) -> None:
    done = run_forum("mail", "test", "ada@example.org", env={
        "FORUM_SMTP_URL": f"smtp://127.0.0.1:{free_port()}",
        "FORUM_DATABASE_URL": f"sqlite:///{tmp_path}/forum.db"})
    assert done.returncode == 1
    assert "Not sent" in done.stderr and "SMTPConnectError" in done.stderr
    refused = run_forum("mail", "test", "not an address", env={
        "FORUM_DATABASE_URL": f"sqlite:///{tmp_path}/forum.db"})
    assert refused.returncode == 2 and "email address" in refused.stderr


def test_forum_serve_says_where_mail_goes(live_server) -> None:
    log = live_server.log()
    assert "Email is written to the Maildir" in log or "Email goes through" in log
    if live_server.database_url.startswith("sqlite"):
        folder = Path(live_server.database_url.removeprefix("sqlite:///")).parent
        assert f"Email is written to the Maildir {folder.resolve()}/mail" in log


async def test_two_forums_on_one_database_send_each_message_once(forum, settings, smtp) -> None:
    """Two apps (as two processes would) claim from one outbox at once: every message goes
    exactly once (SKIP LOCKED on PostgreSQL, the write lock on SQLite)."""
    import asyncio

    from forum.app import create_app

    async with forum.db.transaction():
        for n in range(30):
            await forum.mailer.queue(kind="test", user_id=None, to_name="", to_email=f"m{n}@example.org",
                                     subject=f"Message {n}", template="test", context={})
    second_app = create_app(settings)
    async with second_app.router.lifespan_context(second_app) as state:
        second = state["forum"]
        await asyncio.gather(*(sender.send_due() for sender in
                               (forum.mailer.sender, second.mailer.sender) * 3))
        received = await smtp.await_for(30)
    subjects = sorted(m.message["Subject"] for m in received)
    assert subjects == sorted(f"Message {n}" for n in range(30))
    assert len({m.message["Message-ID"] for m in received}) == 30
    rows = await sent_rows(forum)
    assert len(rows) == 30 and all(r["sent_at"] is not None and r["attempts"] == 1 for r in rows)
