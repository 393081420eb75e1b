"""Events: network meetings and conferences, each a thread with a date, a place and seats;
registration with a reserve list, live seat counts, attendee lists, iCalendar feeds, reminders."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx
import icalendar
import pytest

from forum.actions import PermissionDenied
from forum.actions import events as event_actions
from forum.db import events, live_log, notifications, threads
from forum.validation import ValidationError
from tests.helpers import PASSWORD, api_token, make_member, submit
from tests.live_helpers import LiveClient


def iso(moment: datetime) -> str:
    return moment.isoformat()


def soon(days: float = 10, hours: float = 0) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days, hours=hours)).replace(microsecond=0)


def event_data(**changes):
    start = soon()
    data = {"title": "Evaluation network meeting", "body": "Bring **one** example of what worked.",
            "starts_at": iso(start), "ends_at": iso(start + timedelta(hours=2)),
            "location": "Community Hall, Leeds", "capacity": 5, "categories": ["announcements"]}
    data.update(changes)
    return data


async def create_event(forum, moderator=None, **changes):
    moderator = moderator or await make_member(forum, "mod_ev", role="moderator")
    event_id, thread_id = await event_actions.create(forum, moderator, event_data(**changes))
    return event_id, thread_id


async def log_in(client, username):
    response = await submit(client, "/login", {"username": username, "password": PASSWORD}, "/login")
    assert response.status_code == 303, response.text


async def test_moderators_create_events_through_the_api_and_each_is_a_thread(client, forum):
    await make_member(forum, "mod_api", role="moderator")
    headers = await api_token(client, "mod_api", signup=False)
    response = await client.post("/api/v1/events", headers=headers, json=event_data(
        starts_at="2031-05-01T10:00:00+02:00", ends_at="2031-05-01T16:30:00+02:00", capacity=None,
        location="online", categories=["announcements", "general-chat"]))
    assert response.status_code == 201, response.text
    created = response.json()
    # Stored and shown in UTC, whatever offset it was given in.
    assert created["starts_at"] == "2031-05-01T08:00:00Z" and created["ends_at"] == "2031-05-01T14:30:00Z"
    assert created["capacity"] is None and created["seats_left"] is None and created["location"] == "online"
    listed = (await client.get("/api/v1/events")).json()["events"]
    assert [(e["id"], e["thread_id"], e["registered"], e["reserve"]) for e in listed] == [
        (created["id"], created["thread_id"], 0, 0)]

    thread = await threads.by_id(forum.db, created["thread_id"])
    assert thread["title"] == "Evaluation network meeting"
    in_general = (await client.get("/api/v1/categories/general-chat/threads")).json()["threads"]
    assert [t["id"] for t in in_general] == [created["thread_id"]]
    # Members discuss it like any other thread.
    member = await api_token(client, "ann_ev")
    reply = await client.post(f"/api/v1/threads/{created['thread_id']}/posts", headers=member,
                              json={"body": "Is there a recording?"})
    assert reply.status_code == 201

    stamp = '<time datetime="2031-05-01T08:00:00Z" data-absolute>'
    channel_page = (await client.get("/c/general-chat")).text
    assert stamp in channel_page
    thread_page = (await client.get(f"/t/{created['thread_id']}")).text
    assert stamp in thread_page and "Bring <strong>one</strong> example" in thread_page
    assert f'class="seats-left" data-event-id="{created["id"]}"' in thread_page
    assert "0 registered, no seat limit" in thread_page
    event_page = (await client.get(f"/events/{created['id']}")).text
    assert stamp in event_page and "online" in event_page and "Is there a recording?" not in event_page


async def test_every_field_is_checked_before_a_thread_is_written(client, forum):
    moderator = await make_member(forum, "mod_chk", role="moderator")
    before = (await client.get("/api/v1/categories/announcements/threads")).json()["threads"]
    cases = [
        ({"starts_at": "2031-05-01T10:00:00"}, "starts_at"),  # no offset, no time zone
        ({"starts_at": "next tuesday"}, "starts_at"),
        ({"ends_at": iso(soon() - timedelta(hours=1))}, "ends_at"),  # ends before it starts
        ({"location": "  "}, "location"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "lots"}, "capacity"),
        ({"title": ""}, "title"),
        ({"categories": ["no-such-channel"]}, "categories"),
    ]
    for changes, field in cases:
        with pytest.raises(ValidationError) as caught:
            await event_actions.create(forum, moderator, event_data(**changes))
        assert field in caught.value.fields, (changes, caught.value.fields)
    after = (await client.get("/api/v1/categories/announcements/threads")).json()["threads"]
    assert after == before
    assert await events.upcoming(forum.db, datetime.now(UTC)) == []
    # A time without an offset is read in the named time zone (BST in May: UTC+1).
    event_id, _ = await event_actions.create(forum, moderator, event_data(
        starts_at="2031-05-01T10:00", ends_at="2031-05-01T12:00", timezone="Europe/London"))
    row = await events.by_id(forum.db, event_id)
    assert row["starts_at"].replace(tzinfo=UTC) == datetime(2031, 5, 1, 9, 0, tzinfo=UTC)


async def test_who_may_do_what(client, forum):
    event_id, _ = await create_event(forum)
    member = await make_member(forum, "mem_auth")
    with pytest.raises(PermissionDenied):
        await event_actions.create(forum, member, event_data())
    headers = await api_token(client, "mem_auth", signup=False)
    assert (await client.post("/api/v1/events", headers=headers, json=event_data())).status_code == 403
    assert (await client.patch(f"/api/v1/events/{event_id}", headers=headers,
                               json=event_data())).status_code == 403
    # Anonymous visitors cannot register, through the API or the form.
    anonymous = await client.post(f"/api/v1/events/{event_id}/registration")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthenticated"
    assert (await client.delete(f"/api/v1/events/{event_id}/registration")).status_code == 401
    for path in (f"/events/{event_id}/attendees", f"/events/{event_id}/attendees.csv",
                 "/events/new", f"/events/{event_id}/edit"):
        assert (await client.get(path)).status_code == 403, path
    await log_in(client, "mem_auth")
    for path in (f"/events/{event_id}/attendees", f"/events/{event_id}/attendees.csv",
                 "/events/new", f"/events/{event_id}/edit"):
        assert (await client.get(path)).status_code == 403, path
    assert "Attendees" not in (await client.get(f"/events/{event_id}")).text


async def test_seats_then_the_reserve_list_and_a_freed_seat_goes_to_the_first_in_line(client, forum):
    event_id, thread_id = await create_event(forum, capacity=2)
    tokens = {name: await api_token(client, name) for name in ("ann_r", "ben_r", "cat_r", "dai_r")}
    since = await live_log.latest_id(forum.db)
    answers = {}
    for name, headers in tokens.items():
        response = await client.post(f"/api/v1/events/{event_id}/registration", headers=headers)
        assert response.status_code == 201, response.text
        answers[name] = response.json()
    assert answers == {"ann_r": {"status": "registered", "position": None},
                       "ben_r": {"status": "registered", "position": None},
                       "cat_r": {"status": "reserve", "position": 1},
                       "dai_r": {"status": "reserve", "position": 2}}
    # Registering again changes nothing and answers the same.
    again = await client.post(f"/api/v1/events/{event_id}/registration", headers=tokens["dai_r"])
    assert again.json() == {"status": "reserve", "position": 2}

    cancelled = await client.delete(f"/api/v1/events/{event_id}/registration", headers=tokens["ann_r"])
    assert cancelled.status_code == 204
    event = (await client.get(f"/api/v1/events/{event_id}")).json()
    assert (event["registered"], event["reserve"], event["seats_left"]) == (2, 1, 0)
    cat = (await client.post(f"/api/v1/events/{event_id}/registration", headers=tokens["cat_r"])).json()
    dai = (await client.post(f"/api/v1/events/{event_id}/registration", headers=tokens["dai_r"])).json()
    assert cat == {"status": "registered", "position": None} and dai == {"status": "reserve", "position": 1}
    told = (await client.get("/api/v1/notifications", headers=tokens["cat_r"])).json()["notifications"]
    assert [(n["kind"], n["thread_id"]) for n in told] == [("event", thread_id)]
    assert (await client.get("/api/v1/notifications", headers=tokens["dai_r"])).json()["notifications"] == []
    # Cancelling what you do not hold is a 404.
    assert (await client.delete(f"/api/v1/events/{event_id}/registration",
                                headers=tokens["ann_r"])).status_code == 404

    # Every change told open pages the seats as they stood, on the thread's channel.
    updates = [json.loads(r["data"]) for r in await live_log.after(forum.db, since, [f"thread:{thread_id}"])
               if r["type"] == "event.updated"]
    assert updates[0] == {"event_id": event_id, "seats_left": 1, "registered": 1, "reserve": 0}
    assert updates[-1] == {"event_id": event_id, "seats_left": 0, "registered": 2, "reserve": 1}
    assert len(updates) == 5  # four registrations and one cancellation; repeats tell nobody


async def test_twenty_members_registering_at_once_for_five_seats(forum):
    event_id, _ = await create_event(forum, capacity=5)
    members = [await make_member(forum, f"rush_{i:02d}") for i in range(20)]
    results = await asyncio.gather(*(event_actions.register(forum, m, event_id) for m in members))
    registered = [r for r in results if r["status"] == "registered"]
    reserve = sorted(r["position"] for r in results if r["status"] == "reserve")
    assert len(registered) == 5
    assert reserve == list(range(1, 16))
    row = await events.by_id(forum.db, event_id)
    assert (row["registered"], row["reserve"]) == (5, 15)
    # Cancellations at once, too: each freed seat goes to exactly one member.
    holders = [m for m, r in zip(members, results, strict=True) if r["status"] == "registered"]
    await asyncio.gather(*(event_actions.cancel(forum, m, event_id) for m in holders[:3]))
    row = await events.by_id(forum.db, event_id)
    assert (row["registered"], row["reserve"]) == (5, 12)


async def test_the_unique_constraint_holds_one_registration_per_member(forum):
    event_id, _ = await create_event(forum)
    member = await make_member(forum, "dup_m")
    await event_actions.register(forum, member, event_id)
    with pytest.raises(Exception, match="(?i)unique"):
        await events.add_registration(forum.db, event_id, member.id, "reserve", datetime.now(UTC))


async def test_one_click_registration_on_the_thread_and_event_pages(client, forum):
    event_id, thread_id = await create_event(forum, capacity=1)
    other = await make_member(forum, "first_in")
    await event_actions.register(forum, other, event_id)
    await make_member(forum, "form_m")
    await log_in(client, "form_m")
    thread_path = f"/t/{thread_id}"
    page = (await client.get(thread_path)).text
    assert f'action="/events/{event_id}/register"' in page and "Join the reserve list" in page
    response = await submit(client, f"/events/{event_id}/register", {"next": thread_path}, thread_path)
    assert response.status_code == 303 and response.headers["location"] == thread_path
    page = (await client.get(thread_path)).text
    assert "You are on the reserve list: number 1 in line" in page and "Leave the reserve list" in page
    await event_actions.cancel(forum, other, event_id)
    page = (await client.get(f"/events/{event_id}")).text
    assert "You are registered." in page and "Cancel my registration" in page
    response = await submit(client, f"/events/{event_id}/cancel", {}, f"/events/{event_id}")
    assert response.status_code == 303 and response.headers["location"] == f"/events/{event_id}"
    assert (await events.by_id(forum.db, event_id))["registered"] == 0
    # Without a sign-in the button is a link to log in.
    await client.post("/logout", data={"csrf_token": ""})
    client.cookies.clear()
    assert f"/login?next=/events/{event_id}" in (await client.get(f"/events/{event_id}")).text


async def test_moderators_create_and_edit_events_with_the_forms(client, forum):
    await make_member(forum, "mod_form", role="moderator")
    await log_in(client, "mod_form")
    new_page = (await client.get("/events/new")).text
    # Date and time pickers, and a time zone chosen from a list (London first).
    assert 'id="starts_at" name="starts_at" type="datetime-local"' in new_page
    assert '<select id="timezone" name="timezone"' in new_page
    assert "<option selected>Europe/London</option>" in new_page
    # What a browser's datetime-local sends: no offset, with or without seconds.
    form = {"title": "Values workshop", "body": "An *afternoon* together.", "starts_at": "2031-01-15T13:00",
            "ends_at": "2031-01-15T12:00:00", "timezone": "Europe/Berlin", "location": "Cardiff",
            "capacity": "1", "categories": "general-chat"}
    refused = await submit(client, "/events/new", form, "/events/new")
    assert refused.status_code == 400
    assert "The end must come after the start." in refused.text and 'value="Values workshop"' in refused.text
    assert 'aria-describedby="when-help ends_at-error"' in refused.text
    assert 'value="2031-01-15T13:00"' in refused.text
    assert "<option selected>Europe/Berlin</option>" in refused.text
    created = await submit(client, "/events/new", {**form, "ends_at": "2031-01-15T17:00:00"}, "/events/new")
    assert created.status_code == 303
    event_id = int(created.headers["location"].rsplit("/", 1)[1])
    row = await events.by_id(forum.db, event_id)
    assert (row["title"], row["location"], row["capacity"]) == ("Values workshop", "Cardiff", 1)
    # Berlin is an hour ahead of UTC in January.
    assert row["starts_at"].replace(tzinfo=UTC) == datetime(2031, 1, 15, 12, 0, tzinfo=UTC)
    assert row["ends_at"].replace(tzinfo=UTC) == datetime(2031, 1, 15, 16, 0, tzinfo=UTC)

    members = [await make_member(forum, n) for n in ("wk_a", "wk_b", "wk_c")]
    for m in members:
        await event_actions.register(forum, m, event_id)
    edit_path = f"/events/{event_id}/edit"
    edit_page = (await client.get(edit_path)).text
    # The edit form shows the times in the event's own zone, as they were entered.
    assert 'value="2031-01-15T13:00"' in edit_page and 'value="2031-01-15T17:00"' in edit_page
    assert "<option selected>Europe/Berlin</option>" in edit_page and "An *afternoon* together." in edit_page
    changed = {**form, "title": "Values workshop (moved)", "body": "Now a *full* day.",
               "starts_at": "2031-01-16T09:00+00:00", "ends_at": "2031-01-16T17:00+00:00",
               "capacity": "2", "categories": ["general-chat", "values-principles"]}
    saved = await submit(client, edit_path, changed, edit_path)
    assert saved.status_code == 303, saved.text
    row = await events.by_id(forum.db, event_id)
    assert (row["title"], row["capacity"], row["registered"], row["reserve"]) == (
        "Values workshop (moved)", 2, 2, 1)
    page = (await client.get(f"/events/{event_id}")).text
    assert "Now a <em>full</em> day." in page and 'datetime="2031-01-16T09:00:00Z"' in page
    told = await notifications.for_user(forum.db, members[1].id)
    assert [n["kind"] for n in told] == ["event"]
    # Fewer seats than are taken is refused, with the typed text kept.
    refused = await submit(client, edit_path, {**changed, "capacity": "1"}, edit_path)
    assert refused.status_code == 400 and "2 members already hold seats" in refused.text


async def test_a_start_in_the_past_is_refused_unless_the_event_is_marked_over(client, forum):
    moderator = await make_member(forum, "mod_past", role="moderator")
    last_month = {"starts_at": iso(soon(-30)), "ends_at": iso(soon(-30, 2))}
    with pytest.raises(ValidationError) as caught:
        await event_actions.create(forum, moderator, event_data(**last_month))
    assert "already passed" in caught.value.fields["starts_at"]
    # The API: the same rule, lifted with "past": true.
    headers = await api_token(client, "mod_past", signup=False)
    refused = await client.post("/api/v1/events", headers=headers, json=event_data(**last_month))
    assert refused.status_code == 400 and "starts_at" in refused.json()["error"]["fields"]
    recorded = await client.post("/api/v1/events", headers=headers, json=event_data(**last_month, past=True))
    assert recorded.status_code == 201, recorded.text
    # The form: refused with the box unticked and everything kept, accepted with it ticked.
    await log_in(client, "mod_past")
    form = {"title": "Spring gathering", "body": "How it went.", "starts_at": "2026-03-02T10:00",
            "ends_at": "2026-03-02T15:00", "timezone": "Europe/London", "location": "York",
            "capacity": "", "categories": "general-chat"}
    refused = await submit(client, "/events/new", form, "/events/new")
    assert refused.status_code == 400 and "This start has already passed." in refused.text
    assert 'value="Spring gathering"' in refused.text and 'value="2026-03-02T10:00"' in refused.text
    assert "This event is already over (recording a past event)" in refused.text
    created = await submit(client, "/events/new", {**form, "past": "1"}, "/events/new")
    assert created.status_code == 303, created.text
    # A past event's place can be corrected without ticking again: only a start moved into the
    # past asks for it.
    edit_path = created.headers["location"] + "/edit"
    fixed = await submit(client, edit_path, {**form, "location": "York Minster"}, edit_path)
    assert fixed.status_code == 303, fixed.text
    moved = await submit(client, edit_path, {**form, "starts_at": "2026-03-01T10:00"}, edit_path)
    assert moved.status_code == 400 and "This start has already passed." in moved.text


async def test_the_events_list_the_past_tab_and_the_home_page(client, forum):
    moderator = await make_member(forum, "mod_list", role="moderator")
    for i, days in enumerate((3, 1, 2, 4)):
        await create_event(forum, moderator, title=f"Event in {days} days", capacity=10 + i,
                           starts_at=iso(soon(days)), ends_at=iso(soon(days, 2)))
    await create_event(forum, moderator, title="Last year's conference",
                       starts_at=iso(soon(-300)), ends_at=iso(soon(-300, 5)), past=True)
    page = (await client.get("/events")).text
    titles = re.findall(r'<a href="/events/\d+">([^<]+)</a>', page)
    assert titles == ["Event in 1 days", "Event in 2 days", "Event in 3 days", "Event in 4 days"]
    assert "11 of 11 seats left" in page and "Community Hall, Leeds" in page
    past = (await client.get("/events?when=past")).text
    assert re.findall(r'<a href="/events/\d+">([^<]+)</a>', past) == ["Last year&#39;s conference"]
    home = (await client.get("/")).text
    section = home.split('id="next-events-heading"')[1].split("</section>")[0]
    assert re.findall(r'<a href="/events/\d+">([^<]+)</a>', section) == [
        "Event in 1 days", "Event in 2 days", "Event in 3 days"]
    api_past = (await client.get("/api/v1/events?when=past")).json()["events"]
    assert [e["title"] for e in api_past] == ["Last year's conference"]


async def test_moderators_see_and_export_the_attendees(client, forum):
    moderator = await make_member(forum, "mod_att", role="moderator")
    event_id, _ = await create_event(forum, moderator, capacity=1)
    for name in ("att_one", "att_two", "att_three"):
        await event_actions.register(forum, await make_member(forum, name), event_id)
    await log_in(client, "mod_att")
    page = (await client.get(f"/events/{event_id}/attendees")).text
    assert "Registered (1)" in page and "Reserve list (2)" in page
    assert page.index("@att_one") < page.index("@att_two") < page.index("@att_three")
    exported = await client.get(f"/events/{event_id}/attendees.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["status"], r["position"], r["username"]) for r in rows] == [
        ("registered", "1", "att_one"), ("reserve", "1", "att_two"), ("reserve", "2", "att_three")]


async def test_icalendar_feeds_parse_and_carry_every_field(client, forum):
    long_text = ("Agenda, part one; part two\nBring a laptop. " + "Ŵyr a wyrion, mòrag " * 20).strip()
    event_id, _ = await create_event(forum, title="Impact day, 2031", body=long_text,
                                       starts_at="2031-03-10T09:30:00-05:00",
                                       ends_at="2031-03-10T17:00:00-05:00", location="Room 4; Town Hall")
    await create_event(forum, await make_member(forum, "mod_ics2", role="moderator"), title="Second")
    response = await client.get(f"/events/{event_id}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    raw = response.content
    assert raw.endswith(b"\r\n") and all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert any(line.startswith(b" ") for line in raw.split(b"\r\n"))  # the long lines were folded
    calendar = icalendar.Calendar.from_ical(raw)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Impact day, 2031"
    assert str(event["LOCATION"]) == "Room 4; Town Hall"
    assert str(event["DESCRIPTION"]) == long_text
    assert event.decoded("DTSTART") == datetime(2031, 3, 10, 14, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2031, 3, 10, 22, 0, tzinfo=UTC)
    assert "DTSTART:20310310T143000Z" in raw.decode()
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert str(event["URL"]).endswith(f"/events/{event_id}")
    assert str(event["UID"]).startswith(f"event-{event_id}@")

    feed = await client.get("/events.ics")
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    vevents = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in vevents) == ["Impact day, 2031", "Second"]
    assert len({str(e["UID"]) for e in vevents}) == 2
    assert (await client.get("/events/999999.ics")).status_code == 404


async def test_reminders_the_day_before_once_to_seat_holders_only(forum):
    now = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
    moderator = await make_member(forum, "mod_rem", role="moderator")
    tomorrow, _ = await create_event(forum, moderator, title="Tomorrow", capacity=1,
                                     starts_at=iso(now + timedelta(hours=20)),
                                     ends_at=iso(now + timedelta(hours=22)))
    later, _ = await create_event(forum, moderator, title="Later", starts_at=iso(now + timedelta(hours=30)),
                                  ends_at=iso(now + timedelta(hours=32)))
    seat, waiting = await make_member(forum, "rem_seat"), await make_member(forum, "rem_wait")
    for event_id in (tomorrow, later):
        await event_actions.register(forum, seat, event_id)
    await event_actions.register(forum, waiting, tomorrow)  # on the reserve list: no reminder

    assert await event_actions.send_reminders(forum, now) == 1
    told = await notifications.for_user(forum.db, seat.id)
    assert [(n["kind"], n["thread_title"]) for n in told] == [("event", "Tomorrow")]
    assert await notifications.for_user(forum.db, waiting.id) == []
    assert await event_actions.send_reminders(forum, now + timedelta(minutes=5)) == 0  # once only
    # Seven hours on, the later event is within a day too.
    assert await event_actions.send_reminders(forum, now + timedelta(hours=7)) == 1
    told = await notifications.for_user(forum.db, seat.id)
    assert [n["thread_title"] for n in told] == ["Later", "Tomorrow"]


async def test_seats_left_reach_open_pages_live(live_server):
    async with httpx.AsyncClient(base_url=live_server.base_url) as http:
        moderator = await api_token(http, "live_mod")
        env = {**os.environ, "FORUM_DATABASE_URL": live_server.database_url, "FORUM_SECRET_KEY": "events"}
        done = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.forum_command", "user", "role", "live_mod", "moderator",
            env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, errors = await asyncio.wait_for(done.communicate(), 120)
        assert done.returncode == 0, errors
        created = await http.post("/api/v1/events", headers=moderator, json=event_data(capacity=1))
        assert created.status_code == 201, created.text
        event_id, thread_id = created.json()["id"], created.json()["thread_id"]
        page = await LiveClient.open(live_server.ws_url)
        await page.subscribe([f"thread:{thread_id}"])
        for name in ("live_one", "live_two"):
            member = await api_token(http, name)
            response = await http.post(f"/api/v1/events/{event_id}/registration", headers=member)
            assert response.status_code == 201
        first, second = await page.receive_events(2)
        assert (first["event"], first["channel"]) == ("event.updated", f"thread:{thread_id}")
        assert first["data"] == {"event_id": event_id, "seats_left": 0, "registered": 1, "reserve": 0}
        assert second["data"] == {"event_id": event_id, "seats_left": 0, "registered": 1, "reserve": 1}
        await page.close()


async def test_a_full_event_says_how_many_people_wait_in_plain_words(client, forum):
    event_id, _ = await create_event(forum, capacity=1)
    seats = re.compile(r'<span class="seats-left"[^>]*>([^<]*)</span>')

    async def shown() -> str:
        return seats.search((await client.get(f"/events/{event_id}")).text).group(1)

    await event_actions.register(forum, await make_member(forum, "seat_1"), event_id)
    assert await shown() == "Full"
    await event_actions.register(forum, await make_member(forum, "wait_1"), event_id)
    assert await shown() == "Full: 1 person on the reserve list"
    await event_actions.register(forum, await make_member(forum, "wait_2"), event_id)
    assert await shown() == "Full: 2 people on the reserve list"


async def test_a_moderator_cancels_an_event_after_a_confirm_step(client, forum):
    moderator = await make_member(forum, "mod_cancel", role="moderator")
    event_id, thread_id = await create_event(forum, moderator, title="Called off", capacity=2,
                                               starts_at=iso(soon(0, 20)), ends_at=iso(soon(0, 22)))
    await create_event(forum, moderator, title="Still on", starts_at=iso(soon(2)), ends_at=iso(soon(2, 2)))
    holder = await make_member(forum, "seat_cancel")
    await event_actions.register(forum, holder, event_id)
    with pytest.raises(PermissionDenied):
        await event_actions.cancel_event(forum, holder, event_id, "")
    confirm = f"/events/{event_id}/cancel-event"
    assert (await client.get(confirm)).status_code == 403
    await log_in(client, "mod_cancel")
    assert f'href="{confirm}"' in (await client.get(f"/events/{event_id}")).text
    page = await client.get(confirm)
    assert page.status_code == 200 and "Cancel this event?" in page.text and "Cancel the event" in page.text
    assert (await client.post(confirm, data={"note": "No token"})).status_code == 403  # CSRF
    too_long = await submit(client, confirm, {"note": "Why " * 200}, confirm)
    assert too_long.status_code == 400 and "Why Why" in too_long.text
    assert (await events.by_id(forum.db, event_id))["cancelled_at"] is None
    since = await live_log.latest_id(forum.db)
    done = await submit(client, confirm, {"note": "Speaker <b>ill</b>"}, confirm)
    assert done.status_code == 303 and done.headers["location"] == f"/events/{event_id}"

    page = (await client.get(f"/events/{event_id}")).text
    assert "Cancelled" in page and "Speaker &lt;b&gt;ill&lt;/b&gt;" in page
    assert f'action="/events/{event_id}/register"' not in page and f'href="{confirm}"' not in page
    listed = (await client.get("/events")).text.split(f'id="event-{event_id}"')[1].split("</li>")[0]
    assert "Cancelled" in listed and "Called off" in listed
    home = (await client.get("/")).text
    section = home.split('id="next-events-heading"')[1].split("</section>")[0]
    assert re.findall(r'<a href="/events/\d+">([^<]+)</a>', section) == ["Still on"]
    row = (await client.get("/c/announcements")).text.split(f'id="thread-{thread_id}"')[1].split("</li>")[0]
    assert "Cancelled" in row
    with pytest.raises(ValidationError):
        await event_actions.register(forum, await make_member(forum, "late_cancel"), event_id)
    assert await event_actions.send_reminders(forum, datetime.now(UTC)) == 0

    one = icalendar.Calendar.from_ical((await client.get(f"/events/{event_id}.ics")).content)
    assert [str(e["STATUS"]) for e in one.walk("VEVENT")] == ["CANCELLED"]
    feed = icalendar.Calendar.from_ical((await client.get("/events.ics")).content)
    assert {str(e["SUMMARY"]): e.get("STATUS") for e in feed.walk("VEVENT")} == {
        "Called off": "CANCELLED", "Still on": None}

    updates = [json.loads(r["data"]) for r in await live_log.after(forum.db, since, [f"thread:{thread_id}"])
               if r["type"] == "event.updated"]
    assert updates == [{"event_id": event_id, "seats_left": 1, "registered": 1, "reserve": 0,
                        "cancelled": True}]
    told = await notifications.for_user(forum.db, holder.id)
    assert [(n["kind"], n["note"]) for n in told] == [("event", "cancelled: Speaker <b>ill</b>")]
