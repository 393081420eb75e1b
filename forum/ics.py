"""iCalendar (RFC 5545) for events, written by hand: text escaped, times in UTC, lines folded
at 75 octets without splitting a character, CRLF line ends."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from forum.clock import as_utc

PRODID = "-//Practice Forum//Events//EN"


def escape_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def utc_stamp(value: datetime | str) -> str:
    return as_utc(value).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF and one space."""
    out: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append("".join(current))
            current, size, limit = [], 0, 74  # the leading space counts toward the 75
        current.append(char)
        size += width
    out.append("".join(current))
    return "\r\n ".join(out)


def event_lines(event: dict[str, Any], host: str, now: datetime) -> list[str]:
    """`event`: id, title, starts_at, ends_at, location, description (Markdown), url, and
    cancelled (true once a moderator has cancelled it)."""
    # A cancellation is a new version of the event: calendars keep the highest SEQUENCE.
    status = ["STATUS:CANCELLED", "SEQUENCE:1"] if event.get("cancelled") else []
    return [
        "BEGIN:VEVENT",
        f"UID:event-{event['id']}@{host}",
        f"DTSTAMP:{utc_stamp(now)}",
        f"DTSTART:{utc_stamp(event['starts_at'])}",
        f"DTEND:{utc_stamp(event['ends_at'])}",
        f"SUMMARY:{escape_text(event['title'])}",
        f"LOCATION:{escape_text(event['location'])}",
        f"DESCRIPTION:{escape_text(event['description'])}",
        f"URL:{event['url']}",
        *status,
        "END:VEVENT",
    ]


def calendar(events: Iterable[dict[str, Any]], host: str, now: datetime, name: str,
             method: str = "PUBLISH") -> str:
    """`method`: PUBLISH for feeds and news of an event; CANCEL mailed when it is called off,
    so a calendar program takes it out of the diary (RFC 5546)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             f"METHOD:{method}", f"X-WR-CALNAME:{escape_text(name)}"]
    for event in events:
        lines.extend(event_lines(event, host, now))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
