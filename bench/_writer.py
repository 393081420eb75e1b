"""Write load for the page benchmarks (issue 19): signed-in members replying through the API at
a steady rate in other threads, while wrk measures a page. Open loop: each reply starts at its
own tick whether or not the one before has been answered, so a slow server gets the same load
rather than less of it. Runs its own event loop on a thread of the bench process, which
otherwise only waits on wrk."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time

import httpx

from bench._common import median


@dataclasses.dataclass
class Written:
    """What the writer did over its run."""

    planned: int
    answered: int
    failed: list[str]
    seconds: float
    post_ms: list[float]

    @property
    def rate(self) -> float:
        """Replies sent per second: below the asked rate when the writer's own loop lagged."""
        return self.planned / self.seconds if self.seconds else 0.0

    def describe(self) -> str:
        times = sorted(self.post_ms)
        slowest = f", slowest {times[-1]:.0f} ms" if times else ""
        failed = f", {len(self.failed)} failed ({self.failed[0]})" if self.failed else ""
        return (f"{self.planned} replies sent in {self.seconds:.1f} s ({self.rate:.1f}/s), "
                f"{self.answered} answered, each {median(times) if times else 0:.0f} ms median"
                f"{slowest}{failed}")


def api_tokens(base_url: str, usernames: list[str], password: str) -> list[str]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        return [http.post("/api/v1/tokens", json={"username": name, "password": password}
                          ).raise_for_status().json()["token"] for name in usernames]


class Writer(threading.Thread):
    """Replies at `per_second`, members and threads in turn, until `stop` is set."""

    def __init__(self, base_url: str, tokens: list[str], thread_ids: list[int], per_second: float) -> None:
        super().__init__(daemon=True)
        self.base_url, self.tokens, self.thread_ids = base_url, tokens, thread_ids
        self.interval = 1.0 / per_second
        self.stop = threading.Event()
        self.started = threading.Event()
        self.result: Written | None = None

    def run(self) -> None:
        self.result = asyncio.run(self._write())

    async def _write(self) -> Written:
        post_ms: list[float] = []
        failed: list[str] = []

        async def one(http: httpx.AsyncClient, n: int) -> None:
            began = time.monotonic()
            try:
                answer = await http.post(
                    f"/api/v1/threads/{self.thread_ids[n % len(self.thread_ids)]}/posts",
                    headers={"Authorization": f"Bearer {self.tokens[n % len(self.tokens)]}"},
                    json={"body": f"Note {n + 1}: what we tried this morning, and what we would change."})
            except httpx.HTTPError as error:
                failed.append(repr(error))
                return
            if answer.status_code != 201:
                failed.append(f"{answer.status_code} {answer.text[:200]}")
                return
            post_ms.append((time.monotonic() - began) * 1000)

        limits = httpx.Limits(max_connections=64, max_keepalive_connections=16)
        async with httpx.AsyncClient(base_url=self.base_url, timeout=60, limits=limits) as http:
            tasks = []
            began = time.monotonic()
            self.started.set()
            while not self.stop.is_set():
                tasks.append(asyncio.create_task(one(http, len(tasks))))
                # Pacing, not waiting for a condition: the next reply's tick.
                await asyncio.sleep(max(0.0, began + len(tasks) * self.interval - time.monotonic()))
            seconds = time.monotonic() - began
            await asyncio.gather(*tasks)
        return Written(len(tasks), len(post_ms), failed, seconds, post_ms)
