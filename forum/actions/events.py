"""Events: create, edit and cancel them (moderators), register and cancel a registration
(members), remind.

An event is a thread (its opening post is the description; members discuss it like any other
thread) plus a row in `events` with its date, place and seats. Registration is one
transaction with the event row locked, so no seat is ever given twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forum.actions import NotFound, notify, require_moderator, require_writer
from forum.actions import posts as post_actions
from forum.actions import threads as thread_actions
from forum.actions.live import restate_thread, thread_subject
from forum.auth import Member
from forum.clock import as_utc, utcnow
from forum.db import events, live_log, search, threads
from forum.db.events import REGISTERED, RESERVE
from forum.ids import parse_id
from forum.mail import event_mail
from forum.services import Forum
from forum.text import slugify
from forum.validation import FieldErrors, ValidationError, check_body, check_title, lines_of, plain_text

LOCATION_MAX = 200
CANCEL_NOTE_MAX = 500
CAPACITY_MAX = 100_000
REMIND_WITHIN = timedelta(hours=24)


def parse_time(value: Any, field: str, timezone: Any = None) -> datetime:
    """ISO 8601 with an offset ('2026-12-01T10:00+01:00' or '...Z'); a time without one is read
    in `timezone` (an IANA name such as 'Europe/London') when given. Stored in UTC."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({field: "Give a date and time, e.g. 2026-12-01T10:00+00:00."})
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise ValidationError({field: "Use the form 2026-12-01T10:00+00:00 (date, time, offset)."}) from None
    if moment.tzinfo is None:
        if not timezone:
            raise ValidationError({field: "Include the time zone offset, e.g. 2026-12-01T10:00+00:00."})
        try:
            moment = moment.replace(tzinfo=ZoneInfo(str(timezone).strip()))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"timezone": "Unknown time zone: use a name like Europe/London."}) from None
    return as_utc(moment)


def check_location(value: Any) -> str:
    place = " ".join(plain_text(value, "location").split())
    if not place:
        raise ValidationError({"location": "Say where it happens, or \"online\"."})
    if len(place) > LOCATION_MAX:
        raise ValidationError({"location": f"Use at most {LOCATION_MAX} characters."})
    return place


def check_capacity(value: Any) -> int | None:
    """None or an empty string: no limit."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError({"capacity": "Give a whole number of seats, or leave it empty."})
    try:
        seats = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"capacity": "Give a whole number of seats, or leave it empty."}) from None
    if seats < 1 or seats > CAPACITY_MAX:
        raise ValidationError({"capacity": f"Give between 1 and {CAPACITY_MAX} seats, or leave it empty."})
    return seats


def check_timezone(value: Any) -> str | None:
    """An IANA name such as 'Europe/London', or None when none is given (offsets only)."""
    name = str(value).strip() if isinstance(value, str) else ""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"timezone": "Unknown time zone: use a name like Europe/London."}) from None
    return name


def says_past(value: Any) -> bool:
    """The "already over" mark: true in JSON, a ticked box ('1' or 'on') in a form."""
    return value is True or (isinstance(value, str) and value.strip().lower() in ("1", "on", "true"))


def _check_event_fields(errors: FieldErrors, data: dict[str, Any],
                        current: Any = None) -> dict[str, Any]:
    """`current` is the event being edited: its own start may stay in the past, so an event
    that has happened can still have its place or description corrected."""
    timezone = errors.check("timezone", check_timezone, data.get("timezone"))
    starts = errors.check("starts_at", parse_time, data.get("starts_at"), "starts_at", data.get("timezone"))
    ends = errors.check("ends_at", parse_time, data.get("ends_at"), "ends_at", data.get("timezone"))
    unchanged = current is not None and starts == as_utc(current["starts_at"])
    # A start in the past is nearly always a slip (a wrong year or day); recording one is asked for.
    if starts and starts < utcnow() and not unchanged and not says_past(data.get("past")):
        errors.fields["starts_at"] = ("This start has already passed. To record an event that is "
                                      "over, tick “This event is already over”.")
    if starts and ends and ends <= starts:
        errors.fields["ends_at"] = "The end must come after the start."
    return {"starts_at": starts, "ends_at": ends, "timezone": timezone,
            "location": errors.check("location", check_location, data.get("location")),
            "capacity": errors.check("capacity", check_capacity, data.get("capacity"))}


async def create(forum: Forum, member: Member | None, data: dict[str, Any]) -> tuple[int, int]:
    """(event id, thread id). Every field is checked before the thread is written, so a bad date
    never leaves a thread without its event."""
    member = require_moderator(member)
    errors = FieldErrors()
    errors.check("title", check_title, data.get("title"))
    errors.check("body", check_body, data.get("body"))
    fields = _check_event_fields(errors, data)
    errors.raise_if_any()
    created: list[int] = []

    async def add_event(thread_id: int) -> None:
        created.append(await events.insert(forum.db, thread_id=thread_id, **fields))

    # The event goes in with its thread, in one transaction, before the row is announced.
    thread_id = await thread_actions.create_thread(forum, member, data.get("title"), data.get("body"),
                                                   data.get("categories"), with_thread=add_event)
    return created[0], thread_id


async def edit(forum: Forum, member: Member | None, event_id: int, data: dict[str, Any]) -> None:
    """Title, description, date, place, seats and channels: moderators only. More seats give
    the first on the reserve list their places at once; fewer than are taken is refused."""
    member = require_moderator(member)
    event = await _event_or_404(forum, event_id)
    errors = FieldErrors()
    title = errors.check("title", check_title, data.get("title"))
    errors.check("body", check_body, data.get("body"))
    fields = _check_event_fields(errors, data, current=event)
    if "capacity" not in errors.fields and fields["capacity"] is not None \
            and fields["capacity"] < event["registered"]:
        errors.fields["capacity"] = (f"{event['registered']} members already hold seats: "
                                     "give at least that many.")
    errors.raise_if_any()
    assert title is not None  # checked above
    # One transaction for the channels, the description and the event: all or nothing.
    async with forum.db.transaction():
        locked = await events.lock(forum.db, event_id)  # first, as registrations take it
        if data.get("categories") is not None:
            await thread_actions.move(forum, member, event["thread_id"], data.get("categories"))
        opening = await events.opening_post(forum.db, event["thread_id"])
        if opening is not None:
            await post_actions.edit(forum, member, opening["id"], data.get("body"))
        await events.update(forum.db, event_id, **fields)
        if title != event["title"]:
            await threads.retitle(forum.db, event["thread_id"], title, slugify(title))
            await restate_thread(forum, event["thread_id"])
            if opening is not None:
                post = await events.opening_post(forum.db, event["thread_id"])
                await search.index_post(forum.db, post["id"], title, post["body"])
        if fields["capacity"] is None or (locked["capacity"] or 0) < fields["capacity"]:
            free = None if fields["capacity"] is None else \
                fields["capacity"] - await events.count(forum.db, event_id, REGISTERED)
            await _fill_seats(forum, event_id, event["thread_id"], free, member.id)
        await _announce(forum, event_id, row_changed=True)
        await event_mail.mail_everyone_registered(forum, event_id, "changed")


async def _fill_seats(forum: Forum, event_id: int, thread_id: int, free: int | None,
                      actor_id: int | None) -> list[Any]:
    """Give up to `free` seats (all, when None) to the reserve list, in order, and tell them."""
    waiting = await events.first_on_reserve(forum.db, event_id,
                                              limit=free if free is not None else CAPACITY_MAX)
    for row in waiting:
        await events.give_seat(forum.db, row["id"])
        await notify.notify(forum, user_id=row["user_id"], kind="event", actor_id=actor_id,
                            thread_id=thread_id, note="a seat came free: you are now registered")
        await event_mail.queue_event_mail(forum, user_id=row["user_id"], event_id=event_id, what="seat")
    return waiting


async def _event_or_404(forum: Forum, event_id: Any) -> Any:
    number = parse_id(event_id)
    event = await events.by_id(forum.db, number) if number is not None else None
    if event is None:
        raise NotFound("No event has that id.")
    return event


async def _announce(forum: Forum, event_id: int, *, row_changed: bool = False) -> dict[str, Any]:
    """The seats as they now stand, on the thread's live channel; inside the transaction.
    `row_changed`: the thread's row in channel lists changed too (its date, title, a
    cancellation), so the event is about the thread and pages listing it go."""
    row = await events.by_id(forum.db, event_id)
    data = {"event_id": event_id, "seats_left": events.seats_left(row),
            "registered": row["registered"], "reserve": row["reserve"]}
    if row["cancelled_at"] is not None:
        data["cancelled"] = True
    await live_log.append(forum.db, f"thread:{row['thread_id']}", "event.updated", data,
                           subject=thread_subject(row["thread_id"]) if row_changed else None)
    return data


async def register(forum: Forum, member: Member | None, event_id: Any) -> dict[str, Any]:
    """{status: "registered" or "reserve", position}: position is the place on the reserve list
    (1 is next in line), None with a seat. Registering twice answers as the first time did."""
    member = require_writer(member)
    event = await _event_or_404(forum, event_id)
    if as_utc(event["ends_at"]) <= utcnow():
        raise ValidationError({"event": "This event is over."})
    async with forum.db.transaction():
        locked = await events.lock(forum.db, event["id"])
        mine = await events.registration(forum.db, event["id"], member.id)
        if mine is None and locked["cancelled_at"] is not None:
            raise ValidationError({"event": "This event is cancelled."})
        if mine is None:
            taken = await events.count(forum.db, event["id"], REGISTERED)
            status = REGISTERED if locked["capacity"] is None or taken < locked["capacity"] else RESERVE
            await events.add_registration(forum.db, event["id"], member.id, status, utcnow())
            mine = await events.registration(forum.db, event["id"], member.id)
            await _announce(forum, event["id"])
            await event_mail.queue_event_mail(forum, user_id=member.id, event_id=event["id"],
                                              what="registered" if status == REGISTERED else "reserve")
        position = (await events.reserve_position(forum.db, event["id"], mine["id"])
                    if mine["status"] == RESERVE else None)
    return {"status": mine["status"], "position": position}


async def cancel(forum: Forum, member: Member | None, event_id: Any) -> None:
    """Give up a seat or a place on the reserve list; a freed seat goes at once to the first
    on the reserve list, who is told."""
    member = require_writer(member)
    event = await _event_or_404(forum, event_id)
    async with forum.db.transaction():
        locked = await events.lock(forum.db, event["id"])
        mine = await events.registration(forum.db, event["id"], member.id)
        if mine is None:
            raise NotFound("You are not registered for this event.")
        await events.remove_registration(forum.db, mine["id"])
        # A cancelled event has no seats to hand on: nobody is told one came free.
        if mine["status"] == REGISTERED and locked["capacity"] is not None \
                and locked["cancelled_at"] is None:
            free = locked["capacity"] - await events.count(forum.db, event["id"], REGISTERED)
            if free > 0:
                await _fill_seats(forum, event["id"], event["thread_id"], free, None)
        await _announce(forum, event["id"])


def check_cancel_note(value: Any) -> str:
    note = lines_of(value if value is not None else "", "note").strip()
    if len(note) > CANCEL_NOTE_MAX:
        raise ValidationError({"note": f"Use at most {CANCEL_NOTE_MAX} characters."})
    return note


async def cancel_event(forum: Forum, member: Member | None, event_id: Any, note: Any = "") -> bool:
    """Call the event off (moderators): it takes no more registrations, and everyone holding
    a seat or a place on the reserve list is told and emailed, once. False when it already was."""
    member = require_moderator(member)
    event = await _event_or_404(forum, event_id)
    note = check_cancel_note(note)
    async with forum.db.transaction():
        locked = await events.lock(forum.db, event["id"])
        if locked["cancelled_at"] is not None:  # read under the lock: two clicks tell nobody twice
            return False
        await events.mark_cancelled(forum.db, event["id"], utcnow(), note)
        # A notification's note holds 300 characters; the whole note is in the email and on the page.
        told = "cancelled" + (f": {note if len(note) <= 280 else note[:279] + '…'}" if note else "")
        for user_id in await events.registered_member_ids(forum.db, event["id"]):
            await notify.notify(forum, user_id=user_id, kind="event", actor_id=member.id,
                                thread_id=event["thread_id"], note=told)
        await event_mail.mail_everyone_registered(forum, event["id"], "cancelled")
        await restate_thread(forum, event["thread_id"])  # its channel rows say "Cancelled"
        await _announce(forum, event["id"], row_changed=True)
    return True


async def send_reminders(forum: Forum, now: datetime) -> int:
    """Tell every member holding a seat at an event that starts within the next 24 hours,
    once. Returns how many were told."""
    if not await events.due_reminders(forum.db, now, REMIND_WITHIN):
        return 0
    async with forum.db.transaction():
        # Read again under lock: two processes' loops never remind the same member twice.
        due = await events.due_reminders(forum.db, now, REMIND_WITHIN, lock=True)
        for row in due:
            await notify.notify(forum, user_id=row["user_id"], kind="event", actor_id=None,
                                thread_id=row["thread_id"], note="your event starts within a day")
            await event_mail.queue_event_mail(forum, user_id=row["user_id"], thread_id=row["thread_id"],
                                              what="reminder")
            await events.mark_reminded(forum.db, row["id"], now)
    return len(due)
