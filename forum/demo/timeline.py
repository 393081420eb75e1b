"""The demo community's content (TOML files in content/) read into one timeline: who joins,
who posts and who registers for what, each at a moment counted back from when the demo is
loaded, so the forum always looks like a community in its second year.

members.toml: [[member]] username, display_name, role, days_ago (joined), bio, greeter.
threads/*.toml, one thread each: title, channels, author, days_ago (started), body, and
optionally pinned, introduction, tags; [event] makes it an event (starts_in_days, starts_at as a UK
clock time, hours, location, capacity, registrations in the order they came); [[reply]] in
order: author, body, days_later and/or hours_later after the post it answers, which is the
reply whose key is its `to`, or the opening post without one.
library/*.toml: the same, with [library] making the thread a library item (kind, link,
resource_type, year, organisation, location, what_was_done, outcomes, contact)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

CONTENT = Path(__file__).parent / "content"
# Nothing happens in the last hour before loading: a fresh demo must not read "just now".
QUIET_BEFORE_LOADING = timedelta(hours=1)
# Events are held at UK times; registrations trickle in this far apart after an event is posted.
EVENT_TIME_ZONE = ZoneInfo("Europe/London")
REGISTRATIONS_APART = timedelta(hours=5)


class ContentError(ValueError):
    """A content file says something impossible (a reply before its author joined)."""


@dataclass(frozen=True, order=True)
class Happening:
    at: datetime
    order: int  # ties keep the files' order
    kind: str = field(compare=False)  # "join", "thread", "reply", "pin", "register"
    data: dict[str, Any] = field(compare=False)


def members() -> list[dict[str, Any]]:
    return tomllib.loads((CONTENT / "members.toml").read_text("utf-8"))["member"]


def threads() -> list[dict[str, Any]]:
    """Each thread file, with its name (the file's stem) as "name"."""
    paths = sorted((CONTENT / "threads").glob("*.toml")) + sorted((CONTENT / "library").glob("*.toml"))
    return [{**tomllib.loads(path.read_text("utf-8")), "name": path.stem} for path in paths]


def _later(item: dict[str, Any]) -> timedelta:
    return timedelta(days=item.get("days_later", 0), hours=item.get("hours_later", 0))


def event_times(event: dict[str, Any], today: date) -> tuple[datetime, datetime]:
    """An event `starts_in_days` from today at its UK clock time ("10:00"), lasting `hours`."""
    clock = time.fromisoformat(event["starts_at"])
    starts = datetime.combine(today + timedelta(days=event["starts_in_days"]), clock, EVENT_TIME_ZONE)
    return starts, starts + timedelta(hours=event["hours"])


def happenings(now: datetime) -> list[Happening]:
    """Every happening in time order; raises ContentError for content that cannot have been."""
    found: list[Happening] = []
    joined: dict[str, datetime] = {}

    def add(at: datetime, kind: str, data: dict[str, Any], author: str, where: str) -> None:
        if author not in joined:
            raise ContentError(f"{where}: {author} is not a demo member")
        if at < joined[author] and kind != "join":
            raise ContentError(f"{where}: {author} acts before joining")
        if at > now - QUIET_BEFORE_LOADING:
            raise ContentError(f"{where}: happens too close to now (or in the future)")
        found.append(Happening(at, len(found), kind, data))

    for person in members():
        joined[person["username"]] = now - timedelta(days=person["days_ago"])
        add(joined[person["username"]], "join", person, person["username"], "members.toml")
    for thread in threads():
        where = f"threads/{thread['name']}.toml"
        started = now - timedelta(days=thread["days_ago"])
        add(started, "thread", thread, thread["author"], where)
        if thread.get("pinned"):
            add(started + timedelta(minutes=5), "pin", thread, thread["author"], where)
        posted = {None: started}
        for reply in thread.get("reply", []):
            if reply.get("to") not in posted:
                raise ContentError(f"{where}: a reply answers {reply.get('to')!r}, not written before it")
            if _later(reply) <= timedelta(0):
                raise ContentError(f"{where}: a reply must come after the post it answers")
            at = posted[reply.get("to")] + _later(reply)
            if reply.get("key"):
                posted[reply["key"]] = at
            add(at, "reply", {**reply, "thread": thread["name"]}, reply["author"], where)
        if "event" in thread and event_times(thread["event"], now.date())[0] <= now:
            raise ContentError(f"{where}: the event must start after the demo is loaded")
        for n, username in enumerate(thread.get("event", {}).get("registrations", []), start=1):
            add(started + n * REGISTRATIONS_APART, "register",
                {"thread": thread["name"], "username": username}, username, where)
    return sorted(found)
