"""Unread private messages by email: after FORUM_EMAIL_DELAY_SECONDS, one email per
conversation with every message still unread in it, never the same message twice; nothing
from a muted conversation, to a member who chose Off or to an unconfirmed address; a message
from someone the member blocked is never quoted. Through a real SMTP server."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest

from forum.actions import blocks as block_actions
from forum.auth import Member
from forum.clock import utcnow
from forum.db import users
from forum.mail.message_mail import email_due_messages
from forum.settings import Settings
from tests.helpers import PASSWORD, api_token
from tests.mail_server import SmtpServer, confirmed_member, mail_settings, path_of

DELAY = 60



@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return dataclasses.replace(mail_settings(database_url, smtp), email_delay_seconds=DELAY)


def later(seconds: int = DELAY + 1):
    return utcnow() + timedelta(seconds=seconds)


async def message_mail(smtp, count: int) -> list:
    for _ in range(300):
        found = [m for m in smtp.received if "/messages/" in m.part("plain")]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    return [m for m in smtp.received if "/messages/" in m.part("plain")]


async def start(client, headers, to, body, title=""):
    response = await client.post("/api/v1/conversations", headers=headers,
                                 json={"to": to, "title": title, "body": body})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def send(client, headers, conversation_id, body):
    response = await client.post(f"/api/v1/conversations/{conversation_id}/messages", headers=headers,
                                 json={"body": body})
    assert response.status_code == 201, response.text


async def test_unread_messages_go_out_once_one_email_per_conversation(client, forum, smtp):
    await confirmed_member(client, smtp, "ada", "Ada")
    bob = await confirmed_member(client, smtp, "bob", "Bob")
    cat = await confirmed_member(client, smtp, "cat", "Cat")
    plans = await start(client, bob, ["ada"], "First <b>words</b>", title="Plans")
    await send(client, bob, plans, "Second")
    await start(client, cat, ["ada"], "Hello from cat")
    assert await email_due_messages(forum) == 0  # not yet: she may read them on the site
    assert await email_due_messages(forum, later()) == 2
    mails = await message_mail(smtp, 2)
    assert len(mails) == 2 and {tuple(m.rcpt_tos) for m in mails} == {("ada@example.org",)}
    [about_plans] = [m for m in mails if "Plans" in m.message["Subject"]]
    text, html = about_plans.part("plain"), about_plans.part("html")
    assert about_plans.message["Subject"] == "Bob wrote in “Plans”"
    assert "First <b>words</b>" in text and "Second" in text
    assert "First &lt;b&gt;words&lt;/b&gt;" in html and "<b>words</b>" not in html
    assert "Hello from cat" not in text  # one conversation per email
    assert any(path_of(link) == f"/messages/{plans}" for link in about_plans.links())
    assert about_plans.message["List-Unsubscribe"]
    assert await email_due_messages(forum, later(3 * DELAY)) == 0  # never twice
    await send(client, bob, plans, "Third")
    assert await email_due_messages(forum, later()) == 1
    mails = await message_mail(smtp, 3)
    newest = [m for m in mails if "Third" in m.part("plain")]
    assert len(newest) == 1 and "Second" not in newest[0].part("plain")


async def test_nothing_is_emailed_that_was_read_muted_or_not_wanted(client, forum, smtp):
    ada = await confirmed_member(client, smtp, "ada")
    bob = await confirmed_member(client, smtp, "bob")
    carol = await confirmed_member(client, smtp, "carol")
    assert (await client.patch("/api/v1/me", headers=carol, json={"email_notifications": "off"})
            ).status_code == 200
    created = await client.post("/api/v1/users", json={"username": "dan", "password": PASSWORD,
                                                       "email": "dan@example.org"})
    assert created.status_code == 201
    await api_token(client, "dan", signup=False)
    read = await start(client, bob, ["ada"], "She reads this one")
    assert (await client.get(f"/api/v1/conversations/{read}", headers=ada)).status_code == 200
    muted = await start(client, bob, ["ada"], "She muted this one")
    assert (await client.post(f"/api/v1/conversations/{muted}/mute", headers=ada,
                              json={"muted": True})).status_code == 200
    await start(client, bob, ["carol"], "Carol wants no email")
    await start(client, bob, ["dan"], "Dan never confirmed")
    assert await email_due_messages(forum, later()) == 0
    await asyncio.sleep(0.3)
    assert await message_mail(smtp, 0) == []


async def test_a_blocked_members_message_is_named_but_never_quoted(client, forum, smtp):
    await confirmed_member(client, smtp, "ada", "Ada")
    bob = await confirmed_member(client, smtp, "bob", "Bob")
    cat = await confirmed_member(client, smtp, "cat", "Cat")
    await confirmed_member(client, smtp, "dee", "Dee")
    group = await start(client, bob, ["ada", "cat", "dee"], "Unkind words from bob", title="Group")
    await send(client, cat, group, "Kind words from cat")
    ada = Member.from_row(await users.by_username(forum.db, "ada"))
    await block_actions.block(forum, ada, "bob")
    assert await email_due_messages(forum, later()) == 3  # ada, dee, and bob for cat's words
    mails = await message_mail(smtp, 3)
    [to_ada] = [m for m in mails if m.rcpt_tos == ["ada@example.org"]]
    text, html = to_ada.part("plain"), to_ada.part("html")
    assert "Kind words from cat" in text and "Kind words from cat" in html
    assert "Unkind words" not in text and "Unkind words" not in html
    assert "Bob sent a message" in text
    [to_dee] = [m for m in mails if m.rcpt_tos == ["dee@example.org"]]
    assert "Unkind words from bob" in to_dee.part("plain")  # dee blocked no one
