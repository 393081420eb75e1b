"""What the live side counts as it works, for /metrics.

Plain integers, moved where the work happens and read only when metrics are scraped: the hub
hands events to thousands of readers in one turn, and an add is all that path can afford."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LiveCounts:
    connections: int = 0  # WebSockets open now
    events_handed_out: int = 0  # one per event per reader it went to
    # Readers closed for not reading (they reconnect and resume): by their queue's bound, or by
    # the kernel's limit on unacknowledged data while frames waited for them.
    readers_dropped: int = 0
    events_passed_over: int = 0  # events on channels no reader of this process follows
    frames_passed_over: int = 0  # typing frames on such channels, dropped undecoded
    # Doorbells from other processes naming only such channels: the log was not read for them.
    doorbells_passed_over: int = 0
