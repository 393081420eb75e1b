"""Following a tag or a channel: buttons that work without JavaScript, a notification of each
new thread in it, and the email that notification brings to members who chose it."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from forum.clock import utcnow
from forum.mail.notification_mail import email_due_notifications
from forum.settings import Settings
from tests.helpers import PASSWORD, api_token, sign_up, start_thread, submit
from tests.mail_server import SmtpServer, confirmed_member, mail_settings


async def _notes(client, headers=None):
    answer = await client.get("/api/v1/notifications", headers=headers or {})
    assert answer.status_code == 200, answer.text
    return answer.json()["notifications"]


async def test_members_follow_a_tag_and_a_channel_and_hear_of_new_threads(client, other_client):
    starter = await api_token(other_client, "amy")
    await start_thread(other_client, starter, body="#evaluation first")
    await sign_up(client, "ben")
    tag_page = (await client.get("/tags/evaluation")).text
    assert 'action="/tags/evaluation/follow"' in tag_page and ">Follow<" in tag_page
    followed = await submit(client, "/tags/evaluation/follow", {}, "/tags/evaluation")
    assert followed.status_code == 303 and followed.headers["location"] == "/tags/evaluation"
    assert ">Unfollow<" in (await client.get("/tags/evaluation")).text
    assert (await submit(client, "/c/tools-methods/follow", {}, "/c/tools-methods")).status_code == 303
    assert (await submit(client, "/c/tools-methods/follow", {}, "/c/tools-methods")).status_code == 303

    tagged = await start_thread(other_client, starter, title="Logic models", body="About #Evaluation")
    in_channel = await start_thread(other_client, starter, title="Survey tools",
                                    categories=["tools-methods"])
    both = await start_thread(other_client, starter, title="Both at once", body="#evaluation",
                              categories=["tools-methods"])
    await start_thread(other_client, starter, title="Elsewhere")
    notes = await _notes(client)
    assert [(n["kind"], n["thread_id"]) for n in notes] == [
        ("followed", both["id"]), ("followed", in_channel["id"]), ("followed", tagged["id"])]
    page = (await client.get("/notifications")).text
    assert "started “Logic models” in #evaluation" in page
    assert "started “Survey tools” in Tools &amp; Methods" in page

    assert (await submit(client, "/tags/evaluation/unfollow", {}, "/tags/evaluation")).status_code == 303
    await start_thread(other_client, starter, title="After unfollowing", body="#evaluation")
    assert len(await _notes(client)) == 3
    # Nobody is told of their own thread.
    await submit(client, "/c/general-chat/follow", {}, "/c/general-chat")
    await submit(client, "/c/general-chat/new",
                 {"title": "Mine", "body": "Mine", "categories": ["general-chat"]}, "/c/general-chat/new")
    assert len(await _notes(client)) == 3


async def test_following_needs_a_member_a_token_and_a_real_target(client):
    assert (await client.post("/c/general-chat/follow")).status_code == 403  # no CSRF token
    anonymous = await submit(client, "/c/general-chat/follow", {}, "/c/general-chat")
    assert anonymous.status_code == 403
    await sign_up(client, "cat")
    assert (await submit(client, "/tags/no-such/follow", {}, "/")).status_code == 404
    assert (await submit(client, "/c/no-such/follow", {}, "/")).status_code == 404
    assert (await submit(client, "/tags/bad%20tag/follow", {}, "/")).status_code == 404



@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return dataclasses.replace(mail_settings(database_url, smtp), email_delay_seconds=60)


async def test_a_followed_new_thread_is_emailed_like_other_notifications(client, other_client, forum,
                                                                        smtp):
    ada = await confirmed_member(client, smtp, "ada", "Ada")
    await start_thread(client, ada, body="#coproduction13 seed")
    login = await submit(client, "/login", {"username": "ada", "password": PASSWORD}, "/login")
    assert login.status_code == 303
    followed = await submit(client, "/tags/coproduction13/follow", {}, "/tags/coproduction13")
    assert followed.status_code == 303
    bob = await api_token(other_client, "bob")
    await start_thread(other_client, bob, title="Conference notes", body="Day one #CoProduction13")
    assert await email_due_notifications(forum, utcnow() + timedelta(seconds=61)) == 1
    await smtp.await_for(2)
    [mail] = [m for m in smtp.received if m.message["List-Unsubscribe"]]
    assert mail.rcpt_tos == ["ada@example.org"]
    text = mail.part("plain")
    assert "Conference notes" in text and "bob started a thread in #coproduction13" in text
