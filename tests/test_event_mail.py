"""Email about events: registered or on the reserve list, a seat come free, a change, the
reminder the day before, the event cancelled; each with an .ics and a one-click unsubscribe
for event mail only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from forum.actions import events as event_actions
from forum.db.tables import mail_outbox
from forum.settings import Settings
from tests.conftest import make_client
from tests.helpers import api_token, make_member
from tests.mail_server import SmtpServer, confirmed_member, mail_settings, path_of
from tests.test_events import event_data


@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return mail_settings(database_url, smtp)


def event_mail(smtp, count: int) -> list:
    """The event emails received (those carrying a calendar), the first `count`."""
    return [m for m in smtp.received
            if any(a.get_content_type() == "text/calendar" for a in m.message.iter_attachments())][:count]


async def wait_event_mail(smtp, count: int) -> list:
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
    event_id, _ = await event_actions.create(forum, moderator, event_data(
        title="Evaluation network", capacity=1))
    ada_headers = await confirmed_member(client, smtp, "ada")
    bob_headers = await confirmed_member(client, smtp, "bob")
    for headers in (ada_headers, bob_headers):
        response = await client.post(f"/api/v1/events/{event_id}/registration", headers=headers)
        assert response.status_code == 201
    first, second = await wait_event_mail(smtp, 2)
    assert first.rcpt_tos == ["ada@example.org"] and "You are registered" in first.message["Subject"]
    assert second.rcpt_tos == ["bob@example.org"] and "reserve list" in second.message["Subject"]
    [event] = calendar_of(first).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Evaluation network" and "Community Hall" in str(event["LOCATION"])
    assert "Evaluation network" in first.part("plain") and "Evaluation network" in first.part("html")

    assert (await client.delete(f"/api/v1/events/{event_id}/registration", headers=ada_headers)
            ).status_code in (200, 204)
    third = (await wait_event_mail(smtp, 3))[2]
    assert third.rcpt_tos == ["bob@example.org"] and "A seat came free" in third.message["Subject"]

    await event_actions.edit(forum, moderator, event_id, event_data(
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
    await event_actions.edit(forum, moderator, event_id, event_data(title="Again", capacity=1))
    assert await queued_event_mail(forum) == 4


async def test_the_reminder_the_day_before_is_emailed_once(client, forum, smtp):
    now = datetime.now(UTC).replace(microsecond=0)
    moderator = await make_member(forum, "mod", role="moderator")
    event_id, _ = await event_actions.create(forum, moderator, event_data(
        title="Tomorrow's event", starts_at=(now + timedelta(hours=20)).isoformat(),
        ends_at=(now + timedelta(hours=22)).isoformat()))
    headers = await confirmed_member(client, smtp, "ada")
    await client.post(f"/api/v1/events/{event_id}/registration", headers=headers)
    await wait_event_mail(smtp, 1)
    assert await event_actions.send_reminders(forum, now) == 1
    assert await event_actions.send_reminders(forum, now + timedelta(minutes=5)) == 0
    reminder = (await wait_event_mail(smtp, 2))[1]
    assert reminder.rcpt_tos == ["ada@example.org"] and reminder.message["Subject"].startswith("Tomorrow")
    assert calendar_of(reminder).walk("VEVENT")
    assert await queued_event_mail(forum) == 2


async def test_a_cancelled_event_is_emailed_once_to_everyone_registered_with_a_cancelling_ics(
        client, forum, smtp):
    await make_member(forum, "mod", role="moderator")
    moderator = await api_token(client, "mod", signup=False)
    created = await client.post("/api/v1/events", headers=moderator, json=event_data(
        title="Spring gathering", capacity=1))
    event_id, thread_id = created.json()["id"], created.json()["thread_id"]
    ada = await confirmed_member(client, smtp, "ada")
    bob = await confirmed_member(client, smtp, "bob")
    for headers in (ada, bob):  # ada holds the seat, bob waits on the reserve list
        assert (await client.post(f"/api/v1/events/{event_id}/registration", headers=headers)
                ).status_code == 201
    await wait_event_mail(smtp, 2)

    assert (await client.post(f"/api/v1/events/{event_id}/cancel", headers=ada,
                              json={"note": "x"})).status_code == 403  # moderators only
    answer = await client.post(f"/api/v1/events/{event_id}/cancel", headers=moderator,
                               json={"note": "The hall flooded; we will set a new date."})
    assert answer.status_code == 200, answer.text
    assert answer.json()["cancelled"] is True
    assert answer.json()["cancel_note"] == "The hall flooded; we will set a new date."
    # Cancelling again tells nobody a second time.
    again = await client.post(f"/api/v1/events/{event_id}/cancel", headers=moderator, json={})
    assert again.status_code == 200 and again.json()["cancelled"] is True

    cancelled = (await wait_event_mail(smtp, 4))[2:]
    assert sorted(m.rcpt_tos[0] for m in cancelled) == ["ada@example.org", "bob@example.org"]
    for mail in cancelled:
        assert mail.message["Subject"] == "Cancelled: Spring gathering"
        assert "The hall flooded; we will set a new date." in mail.part("plain")
        assert "The hall flooded; we will set a new date." in mail.part("html")
        calendar = calendar_of(mail)
        assert str(calendar["METHOD"]) == "CANCEL"
        [event] = calendar.walk("VEVENT")
        assert str(event["STATUS"]) == "CANCELLED" and str(event["SUMMARY"]) == "Spring gathering"
        assert str(event["UID"]).startswith(f"event-{event_id}@")
    for headers in (ada, bob):
        told = (await client.get("/api/v1/notifications", headers=headers)).json()["notifications"]
        assert [(n["kind"], n["thread_id"]) for n in told].count(("event", thread_id)) == 1
    assert await queued_event_mail(forum) == 4
    # Once every queued event mail is marked sent, no further copy can come: the outbox is all
    # the sender sends from.
    for _ in range(200):
        if not await forum.db.fetch_val(sa.select(sa.func.count()).select_from(mail_outbox).where(
                mail_outbox.c.kind == "event", mail_outbox.c.sent_at.is_(None))):
            break
        await asyncio.sleep(0.05)
    assert len(event_mail(smtp, 10)) == 4
