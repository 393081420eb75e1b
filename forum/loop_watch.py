"""How long the event loop stalls, and how much of that is the garbage collector.

Every reader of a live thread waits on one event loop: a pause of it (a long hand-out, a full
garbage collection over tens of thousands of connections' objects) is added to every delivery
in flight. A task sleeping WATCH_SECONDS notes how late it wakes; a `gc.callbacks` hook times
each collection. Both go to /metrics as histograms, whose buckets say how long the longest
pause in any window was (bench/readers.py reads them around its measurement).
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

from prometheus_client import CollectorRegistry, Histogram

WATCH_SECONDS = 0.01
PAUSE_BUCKETS = (0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0)


class LoopWatch:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.lag = Histogram("forum_event_loop_lag_seconds",
                             f"How late a task sleeping {WATCH_SECONDS * 1000:.0f} ms woke up",
                             buckets=PAUSE_BUCKETS, registry=registry)
        self.gc_pause = Histogram("forum_gc_pause_seconds", "Garbage collections, by generation",
                                  ["generation"], buckets=PAUSE_BUCKETS, registry=registry)
        self._gc_children = [self.gc_pause.labels(str(generation)) for generation in range(3)]
        self._gc_started = 0.0

    async def run(self) -> None:
        """Until cancelled. Installs the collector hook for as long as it runs."""
        gc.callbacks.append(self._on_gc)
        try:
            loop = asyncio.get_running_loop()
            while True:
                due = loop.time() + WATCH_SECONDS
                await asyncio.sleep(WATCH_SECONDS)
                self.lag.observe(max(0.0, loop.time() - due))
        finally:
            gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self._gc_children[info["generation"]].observe(time.perf_counter() - self._gc_started)
