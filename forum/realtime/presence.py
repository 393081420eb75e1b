"""Who is here: signed-in members with a live connection on a channel, across every process.

Each process counts its own connections and announces its set for a channel through the
backend whenever it changes, and again every PRESENCE_REFRESH_SECONDS; every process keeps the
latest set from each process and shows their union. A process that stops announcing (it
crashed) drops out after PRESENCE_EXPIRE_SECONDS."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import Any

from forum.auth import Member
from forum.realtime.envelopes import LIBRARY_CHANNEL, MEMBERS_CHANNEL

PRESENCE_REFRESH_SECONDS = 15.0
PRESENCE_EXPIRE_SECONDS = 45.0
# Counted for "who is online" but never sent to its subscribers: every page listens on
# "site", and telling every reader about every arrival would grow with the square of readers.
# "members" (signed-in pages of Welcome) the same: its arrivals are no one's business.
# "library": its pages show no one's presence.
QUIET_CHANNELS = frozenset({"site", MEMBERS_CHANNEL, LIBRARY_CHANNEL})


class Presence:
    def __init__(self, process_id: str) -> None:
        self.process_id = process_id
        # channel -> username -> open connections here (a member may have several tabs open)
        self._local: dict[str, Counter[str]] = defaultdict(Counter)
        self._names: dict[str, str] = {}
        # channel -> process -> (usernames, when announced)
        self._states: dict[str, dict[str, tuple[list[str], float]]] = defaultdict(dict)

    # -- this process's connections --------------------------------------------------------
    def join(self, channel: str, member: Member) -> bool:
        """Count a connection in; True when the member was not here before (announce it)."""
        self._names[member.username] = member.display_name
        self._local[channel][member.username] += 1
        return self._local[channel][member.username] == 1

    def leave(self, channel: str, member: Member) -> bool:
        here = self._local.get(channel)
        if not here or not here[member.username]:
            return False
        here[member.username] -= 1
        if here[member.username]:
            return False
        del here[member.username]
        if not here:
            del self._local[channel]
        return True

    def local_channels(self) -> list[str]:
        return list(self._local)

    def announcement(self, channel: str) -> dict[str, Any]:
        users = sorted(self._local.get(channel, ()))
        return {"process": self.process_id, "channel": channel,
                "members": [[u, self._names.get(u, u)] for u in users]}

    # -- every process's announcements -----------------------------------------------------
    def apply(self, announcement: dict[str, Any], now: float | None = None) -> bool:
        """Take a process's set for a channel; True if who is here changed."""
        now = time.monotonic() if now is None else now
        channel, process = str(announcement["channel"]), str(announcement["process"])
        before = self.usernames(channel, now)
        members = [(str(u), str(n)) for u, n in announcement["members"]]
        self._names.update(members)
        self._states[channel][process] = ([u for u, _ in members], now)
        return self.usernames(channel, now) != before

    def expire(self, now: float | None = None) -> list[str]:
        """Forget processes that went quiet; the channels whose presence changed."""
        now = time.monotonic() if now is None else now
        changed = []
        for channel, states in list(self._states.items()):
            stale = [p for p, (_, seen) in states.items() if now - seen > PRESENCE_EXPIRE_SECONDS]
            if stale:
                before = self.usernames(channel, now - 0.0, include_stale=True)
                for process in stale:
                    del states[process]
                if self.usernames(channel, now) != before:
                    changed.append(channel)
            if not states:
                del self._states[channel]
        return changed

    def usernames(self, channel: str, now: float | None = None, include_stale: bool = False) -> list[str]:
        now = time.monotonic() if now is None else now
        here: set[str] = set()
        for users, seen in self._states.get(channel, {}).values():
            if include_stale or now - seen <= PRESENCE_EXPIRE_SECONDS:
                here.update(users)
        return sorted(here, key=str.lower)

    def frame(self, channel: str) -> dict[str, Any]:
        users = self.usernames(channel)
        return {"type": "presence", "channel": channel, "users": users,
                "members": [{"username": u, "display_name": self._names.get(u, u)} for u in users]}
