"""Email about events a member registered for: the registration, a seat come free, a change,
the reminder the day before, the event cancelled; each with the event as an .ics. Queued
inside the transaction of the change, so it goes if and only if the change happened (the
outbox sender's poll picks it up within seconds)."""

from __future__ import annotations

from urllib.parse import urlsplit

from forum import ics
from forum.clock import as_utc, utcnow
from forum.db import events, users
from forum.mail.message import Attachment
from forum.services import Forum


async def mail_everyone_registered(forum: Forum, event_id: int, what: str) -> None:
    for user_id in await events.registered_member_ids(forum.db, event_id):
        await queue_event_mail(forum, user_id=user_id, event_id=event_id, what=what)

# What happened -> (subject start, the sentence in the email).
WHAT = {
    "registered": ("You are registered", "You are registered: a seat is yours."),
    "reserve": ("You are on the reserve list", "All seats are taken, so you are on the reserve list; "
                                               "if a seat comes free it is yours, and we will tell you."),
    "seat": ("A seat came free", "A seat came free and it is yours: you are now registered."),
    "changed": ("Event changed", "The event has changed; here it is as it now stands."),
    "reminder": ("Tomorrow", "A reminder: the event starts within a day."),
    "cancelled": ("Cancelled", "The event has been cancelled: it will not take place."),
}


async def queue_event_mail(forum: Forum, *, user_id: int, what: str, event_id: int | None = None,
                           thread_id: int | None = None) -> None:
    """The event named by its id or its thread's. Call inside the change's transaction.
    Nothing for members without a confirmed address or who turned event email off."""
    member = await users.by_id(forum.db, user_id)
    if member is None or not member["email"] or member["email_confirmed_at"] is None \
            or not member["email_events"]:
        return
    if event_id is not None:
        event = await events.by_id(forum.db, event_id)
    else:
        assert thread_id is not None, "an event is named by its id or its thread's"
        event = await events.by_thread(forum.db, thread_id)
    event_id = event["id"]
    opening = await events.opening_post(forum.db, event["thread_id"])
    mailer = forum.mailer
    link = mailer.link(f"/events/{event_id}")
    calendar_event = {"id": event_id, "title": event["title"], "starts_at": event["starts_at"],
             "ends_at": event["ends_at"], "location": event["location"],
             "description": opening["body"] if opening else "", "url": link,
             "cancelled": event["cancelled_at"] is not None}
    host = urlsplit(mailer.settings.base_url).hostname or "forum"
    calendar = ics.calendar([calendar_event], host, utcnow(), f"{mailer.forum_name} events",
                            method="CANCEL" if calendar_event["cancelled"] else "PUBLISH")
    subject_start, sentence = WHAT[what]
    await mailer.queue(
        kind="event", user_id=user_id, to_name=member["display_name"], to_email=member["email"],
        subject=f"{subject_start}: {event['title']}", template="event",
        context={"name": member["display_name"], "sentence": sentence, "title": event["title"],
                 "starts_at": as_utc(event["starts_at"]), "ends_at": as_utc(event["ends_at"]),
                 "location": event["location"], "link": link,
                 "note": event["cancel_note"] if calendar_event["cancelled"] else ""},
        unsubscribe_url=mailer.unsubscribe_url(user_id, "events"),
        attachments=[Attachment(f"event-{event_id}.ics", "text/calendar", calendar)])
