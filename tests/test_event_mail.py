"""Email about events: registered or on the reserve list, a seat come free, a change, the
reminder the day before; each with an .ics and a one-click unsubscribe for event mail only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from forum.actions import meetings as meeting_actions
from forum.db.tables import mail_outbox
from forum.settings import Settings
from tests.conftest import make_client
from tests.helpers import make_member
from tests.mail_server import SmtpServer, confirmed_member, mail_settings, path_of
from tests.test_meetings import event_data


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return mail_settings(database_url, smtp)


def event_mail(smtp, count: int) -> list:
    """The event emails received (those carrying a calendar), the first `count`."""
    return [m for m in smtp.received
            if any(a.get_content_type() == "text/calendar" for a in m.message.iter_attachments())][:count]


async def wait_event_mail(smtp, count: int) -> list:
    import asyncio

    for _ in range(200):
        if len(event_mail(smtp, count)) >= count:
            break
        await asyncio.sleep(0.05)
    return event_mail(smtp, count + 10)


async def queued_event_mail(forum) -> int:
    return await forum.db.fetch_val(sa.select(sa.func.count()).select_from(mail_outbox)
                                    .where(mail_outbox.c.kind == "event"))


def calendar_of(mail) -> Calendar:
    [attachment] = list(mail.message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename().endswith(".ics")
    return Calendar.from_ical(attachment.get_content())


async def test_registration_reserve_seat_and_change_are_each_emailed_with_an_ics(app, client, forum, smtp):
    moderator = await make_member(forum, "mod", role="moderator")
    meeting_id, _ = await meeting_actions.create(forum, moderator, event_data(
        title="Evaluation network", capacity=1))
    ada_headers = await confirmed_member(client, smtp, "ada")
    bob_headers = await confirmed_member(client, smtp, "bob")
    for headers in (ada_headers, bob_headers):
        response = await client.post(f"/api/v1/events/{meeting_id}/registration", headers=headers)
        assert response.status_code == 201
    first, second = await wait_event_mail(smtp, 2)
    assert first.rcpt_tos == ["ada@example.org"] and "You are registered" in first.message["Subject"]
    assert second.rcpt_tos == ["bob@example.org"] and "reserve list" in second.message["Subject"]
    [event] = calendar_of(first).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Evaluation network" and "Community Hall" in str(event["LOCATION"])
    assert "Evaluation network" in first.part("plain") and "Evaluation network" in first.part("html")

    assert (await client.delete(f"/api/v1/events/{meeting_id}/registration", headers=ada_headers)
            ).status_code in (200, 204)
    third = (await wait_event_mail(smtp, 3))[2]
    assert third.rcpt_tos == ["bob@example.org"] and "A seat came free" in third.message["Subject"]

    await meeting_actions.edit(forum, moderator, meeting_id, event_data(
        title="Evaluation network (new room)", capacity=1, location="Room 2, Community Hall"))
    fourth = (await wait_event_mail(smtp, 4))[3]
    assert fourth.rcpt_tos == ["bob@example.org"] and "Event changed" in fourth.message["Subject"]
    [changed] = calendar_of(fourth).walk("VEVENT")
    assert str(changed["LOCATION"]) == "Room 2, Community Hall"

    # One click stops event mail, and only event mail.
    link = path_of(str(fourth.message["List-Unsubscribe"]).strip()[1:-1])  # it may be folded
    async with make_client(app) as mail_program:
        answer = await mail_program.post(link, data={"List-Unsubscribe": "One-Click"})
        assert answer.status_code == 200, (link, answer.text[:300])
    me = (await client.get("/api/v1/me", headers=bob_headers)).json()
    assert me["email_notifications"] == "immediately"
    await meeting_actions.edit(forum, moderator, meeting_id, event_data(title="Again", capacity=1))
    assert await queued_event_mail(forum) == 4


async def test_the_reminder_the_day_before_is_emailed_once(client, forum, smtp):
    now = datetime.now(UTC).replace(microsecond=0)
    moderator = await make_member(forum, "mod", role="moderator")
    meeting_id, _ = await meeting_actions.create(forum, moderator, event_data(
        title="Tomorrow's meeting", starts_at=(now + timedelta(hours=20)).isoformat(),
        ends_at=(now + timedelta(hours=22)).isoformat()))
    headers = await confirmed_member(client, smtp, "ada")
    await client.post(f"/api/v1/events/{meeting_id}/registration", headers=headers)
    await wait_event_mail(smtp, 1)
    assert await meeting_actions.send_reminders(forum, now) == 1
    assert await meeting_actions.send_reminders(forum, now + timedelta(minutes=5)) == 0
    reminder = (await wait_event_mail(smtp, 2))[1]
    assert reminder.rcpt_tos == ["ada@example.org"] and reminder.message["Subject"].startswith("Tomorrow")
    assert calendar_of(reminder).walk("VEVENT")
    assert await queued_event_mail(forum) == 2
