"""The time zones the event form offers, and a stored UTC time as a datetime-local input shows
it in one of them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

DEFAULT = "Europe/London"
# Where the forum's members are, then their neighbours; the API takes any IANA name.
COMMON = ("Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
          "Europe/Amsterdam", "Europe/Brussels", "Europe/Madrid", "Europe/Rome", "Europe/Stockholm",
          "Europe/Warsaw", "Europe/Athens", "Europe/Helsinki", "Africa/Lagos", "Africa/Nairobi",
          "Africa/Johannesburg", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
          "Pacific/Auckland", "America/St_Johns", "America/Halifax", "America/New_York",
          "America/Chicago", "America/Denver", "America/Los_Angeles", "UTC")


def choices(current: str) -> list[str]:
    """The common zones, with the one an event already has first when it is not among them."""
    return list(COMMON) if not current or current in COMMON else [current, *COMMON]


def local_input(moment: datetime, zone: str | None) -> str:
    """'2026-12-01T10:00' in `zone`, as <input type="datetime-local"> takes it; seconds only
    when there are some, so an unchanged start reads back as the same moment."""
    local = moment.astimezone(ZoneInfo(zone or DEFAULT))
    return local.strftime("%Y-%m-%dT%H:%M:%S" if local.second else "%Y-%m-%dT%H:%M")
