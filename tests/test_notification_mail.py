"""Notifications by email: only what is still unread and unseen after FORUM_EMAIL_DELAY_SECONDS,
only to confirmed addresses of members who chose Immediately, grouped by thread, at most one
email per member per delay, never twice; through a real SMTP server."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.clock import utcnow
from forum.db.tables import notifications
from forum.mail.notification_mail import email_due_notifications
from forum.settings import Settings
from tests.helpers import PASSWORD, api_token, reply, start_thread, submit
from tests.mail_server import SmtpServer, confirmed_member, mail_settings, path_of

DELAY = 60



@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return dataclasses.replace(mail_settings(database_url, smtp), email_delay_seconds=DELAY)


def later(seconds: int = DELAY + 1):
    return utcnow() + timedelta(seconds=seconds)


def notification_mail(smtp) -> list:
    return [m for m in smtp.received if m.message["List-Unsubscribe"]]


async def test_unseen_replies_and_mentions_go_out_once_grouped_by_thread(client, forum, smtp):
    ada = await confirmed_member(client, smtp, "ada", "Ada")
    bob = await confirmed_member(client, smtp, "bob", "<b>Bob</b>")
    first = await start_thread(client, ada, title="Seed swaps")
    other = await start_thread(client, bob, title="Composting")
    await reply(client, bob, first["id"], "Count me in")
    await reply(client, bob, other["id"], "What do you think, @ada?")
    assert await email_due_notifications(forum) == 0  # not yet: she may see them on the site
    assert await email_due_notifications(forum, later()) == 1
    await smtp.await_for(3)
    [mail] = notification_mail(smtp)
    assert mail.rcpt_tos == ["ada@example.org"]
    text, html = mail.part("plain"), mail.part("html")
    assert "Seed swaps" in text and "Composting" in text
    assert "<b>Bob</b> mentioned you" in text and "&lt;b&gt;Bob&lt;/b&gt; mentioned you" in html
    assert "<b>Bob</b>" not in html
    thread_links = [link for link in mail.links() if "/t/" in link]
    assert len(thread_links) >= 2
    for link in thread_links:
        assert (await client.get(path_of(link).split("#")[0])).status_code == 200
    assert await email_due_notifications(forum, later(3 * DELAY)) == 0  # never twice


async def test_nothing_is_emailed_that_was_seen_read_or_not_wanted(client, other_client, forum, smtp):
    ada = await confirmed_member(client, smtp, "ada")
    bob = await confirmed_member(client, smtp, "bob")
    thread = await start_thread(client, ada, title="Read on the site")
    await reply(client, bob, thread["id"], "A reply she will read")
    # She opens the thread on the site: she has seen the reply.
    await submit(other_client, "/login", {"username": "ada", "password": PASSWORD}, "/login")
    assert (await other_client.get(f"/t/{thread['id']}")).status_code == 200
    # Bob's notifications: marked read through the API.
    bobs = await start_thread(client, bob, title="Marked read")
    await reply(client, ada, bobs["id"], "For bob")
    assert (await client.post("/api/v1/notifications/read", headers=bob, json={})).status_code in (200, 204)
    # Carol wants none; Dan never confirmed his address.
    carol = await confirmed_member(client, smtp, "carol")
    await client.patch("/api/v1/me", headers=carol, json={"email_notifications": "off"})
    dan_created = await client.post("/api/v1/users", json={"username": "dan", "password": PASSWORD,
                                                           "email": "dan@example.org"})
    assert dan_created.status_code == 201
    dan = await api_token(client, "dan", signup=False)
    for member in (carol, dan):
        own = await start_thread(client, member, title="Mine")
        await reply(client, ada, own["id"], "Hello")
    assert await email_due_notifications(forum, later()) == 0
    assert notification_mail(smtp) == []


async def test_at_most_one_email_per_member_per_delay(client, forum, smtp):
    ada = await confirmed_member(client, smtp, "ada")
    bob = await confirmed_member(client, smtp, "bob")
    thread = await start_thread(client, ada, title="Busy")
    await reply(client, bob, thread["id"], "One")
    assert await email_due_notifications(forum, later()) == 1
    await reply(client, bob, thread["id"], "Two")
    # "Two" is long due, but an email went out a moment ago: it waits for the window.
    await forum.db.execute(notifications.update().where(notifications.c.emailed_at.is_(None))
                           .values(created_at=utcnow() - timedelta(seconds=2 * DELAY)))
    assert await email_due_notifications(forum, utcnow() + timedelta(seconds=DELAY // 2)) == 0
    assert await email_due_notifications(forum, later()) == 1
    left = await forum.db.fetch_val(sa.select(sa.func.count()).select_from(notifications)
                                    .where(notifications.c.emailed_at.is_(None)))
    assert left == 0
    for _ in range(200):  # the app's sender loop and this test's call share the work
        await forum.mailer.sender.send_due(later())
        if len(notification_mail(smtp)) >= 2:
            break
        await asyncio.sleep(0.05)
    assert len(notification_mail(smtp)) == 2


async def test_the_daily_digest_once_a_day_with_notifications_and_followed_threads(
        client, other_client, forum, smtp):
    from forum.mail.digests import send_due_digests

    ada = await confirmed_member(client, smtp, "ada", "Ada")
    bob = await confirmed_member(client, smtp, "bob", "Bob")
    assert (await client.patch("/api/v1/me", headers=ada, json={"email_notifications": "daily"})
            ).status_code == 200
    hers = await start_thread(client, ada, title="Her question")
    followed = await start_thread(client, bob, title="A thread she reads")
    await submit(other_client, "/login", {"username": "ada", "password": PASSWORD}, "/login")
    assert (await other_client.get(f"/t/{followed['id']}")).status_code == 200  # she follows it now
    await reply(client, bob, hers["id"], "An answer for Ada")
    await reply(client, bob, followed["id"], "News in the thread she reads")
    await reply(client, bob, followed["id"], "And more")

    assert await email_due_notifications(forum, later()) == 0  # she chose the digest
    assert await send_due_digests(forum) == 1
    assert await send_due_digests(forum, later(3600)) == 0  # one a day
    for _ in range(200):
        if any("Your day" in m.message["Subject"] for m in smtp.received):
            break
        await asyncio.sleep(0.05)
    [digest] = [m for m in smtp.received if "Your day" in m.message["Subject"]]
    assert digest.rcpt_tos == ["ada@example.org"] and digest.message["List-Unsubscribe"]
    text = digest.part("plain")
    assert "Bob replied to your post in \"Her question\"" in text
    assert "A thread she reads: 2 new replies" in text
    assert "A thread she reads" in digest.part("html")
    # A day on, with nothing new, nothing is sent.
    assert await send_due_digests(forum, utcnow() + timedelta(days=1, minutes=1)) == 0


async def test_a_welcome_to_your_introduction_is_emailed_in_its_own_words(client, forum, smtp):
    await confirmed_member(client, smtp, "nia", "Nia")
    bob = await confirmed_member(client, smtp, "bob", "Bob")
    await submit(client, "/login", {"username": "nia", "password": PASSWORD}, "/login")
    posted = await submit(client, "/welcome", {"body": "I run a food bank in Wrexham."}, "/welcome")
    assert posted.status_code == 303
    thread_id = int(posted.headers["location"].split("/")[2])
    await reply(client, bob, thread_id, "Croeso, Nia!")
    page = (await client.get("/notifications")).text
    assert "Someone welcomed you: Bob replied to your introduction" in page
    assert await email_due_notifications(forum, later()) == 1
    await smtp.await_for(3)
    [mail] = notification_mail(smtp)
    assert mail.rcpt_tos == ["nia@example.org"]
    assert mail.message["Subject"] == "Someone welcomed you: Bob replied to your introduction"
    assert "Someone welcomed you: Bob replied to your introduction" in mail.part("plain")
    assert "Someone welcomed you: Bob replied to your introduction" in mail.part("html")
    assert "Bob replied to your post" not in mail.part("plain")

    # Welcomed once: Bob's next answer there is an ordinary reply.
    await reply(client, bob, thread_id, "Which part of town?")
    told = (await client.get("/api/v1/notifications", headers=await api_token(client, "nia", signup=False))
            ).json()["notifications"]
    assert [n["kind"] for n in told if n["thread_id"] == thread_id] == ["reply", "welcome"]
