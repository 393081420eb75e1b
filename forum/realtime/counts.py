"""What the live side counts as it works, for /metrics.

Plain integers, moved where the work happens and read only when metrics are scraped: the hub
hands events to thousands of readers in one turn, and an add is all that path can afford."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LiveCounts:
    connections: int = 0  # WebSockets open now
    events_handed_out: int = 0  # one per event per reader it went to
    readers_dropped: int = 0  # readers closed for not reading (they reconnect and resume)
