"""Failure at scale (issue 25, part 3): a restart under 10,000 readers, and Redis restarting
under two processes.

1. One `forum serve` on SQLite, 10,000 readers of one thread, replies at 10 a second. After
   BEFORE_SECONDS the server is stopped (SIGTERM: it closes every socket with 1012) and started
   again on the same port and database, while the replies go on. The readers are
   bench/ws-client/restart.mjs, which reconnects exactly as the page does (static/src/forum.js:
   the same jittered delays, resuming with `since`).
2. Two `forum serve` processes on PostgreSQL sharing a Redis the benchmark starts on a port of
   its own; half the readers on each, replies through the first. Redis is stopped, kept
   down REDIS_DOWN_SECONDS and started again; readers should not even notice, as each hub
   polls the event log when the doorbell is silent.

Measured: how the readers' first reconnect attempts spread (the busiest 100 ms and the span),
how long until every reader was subscribed again, whether every reader had every stored reply
once (acknowledged or not: a POST cut off by the restart may still have been stored), and the
delivery p99 and the servers' resident memory per 10 s window, before against after. A window
is back to normal when its p99 is within P99_SLACK of the worst window before the restart and
the memory within RSS_SLACK of the memory before it; the target is every window from one
minute after the stop on.

    .venv/bin/python -m bench.restart [--runs 1] [--quick] [--rate 10] [--only server|redis]
Needs PostgreSQL for the second part: BENCH_POSTGRES_URL (default
postgresql://postgres@127.0.0.1/test, an existing database the benchmark creates its own beside).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from bench._common import RESULTS, Row, median, save, table
from bench._live import BODY_SIZE, CLIENT, bench_thread, ensure_client, log, postgres_database
from tests.servers import RedisProcess, ServerProcess

READERS, QUICK_READERS = 10_000, 500
RATE = 10
WINDOW_SECONDS = 10
BEFORE_SECONDS = 30  # three windows of ordinary running to compare against
AFTER_SECONDS = 80   # the minute the target allows, and two windows more
QUICK_BEFORE_SECONDS, QUICK_AFTER_SECONDS = 20, 30
REDIS_DOWN_SECONDS = 5
PARTS = ("server", "redis")
CLIENT_SCRIPT = CLIENT / "restart.mjs"
# A server taking ten thousand reconnects answers /healthz slowly: "up" is when it answers at all.
PATIENT = {"startup_seconds": 120.0, "answer_seconds": 15.0}
RECOVERY_SECONDS = 60
BUCKET_MS = 100
# Back to normal: delivery p99 within this of the worst window before, memory within this of before.
P99_SLACK, RSS_SLACK = 1.25, 1.10
SATURATED_MS = 60_000
# No herd: the first reconnect attempts spread over at least this long, and no 100 ms holds
# more than this share of them.
SPREAD_SECONDS, BUSIEST_SHARE = 3.0, 0.05


@dataclass
class Outage:
    """When the restart began, when the thing restarted had stopped, and when it answered again
    (milliseconds since 1970, as the load client's clock)."""

    stopping: float
    stopped: float
    up: float
    how: str = ""  # how it stopped


class MemorySampler(threading.Thread):
    """The servers' resident memory twice a second, whichever processes they are by then."""

    def __init__(self, pids: Callable[[], list[int]]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.samples: list[tuple[float, int]] = []  # (ms since 1970, bytes)
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.5):
            total = 0
            for pid in self.pids():
                try:
                    process = psutil.Process(pid)
                    total += process.memory_info().rss
                    total += sum(child.memory_info().rss for child in process.children(recursive=True))
                except psutil.Error:
                    continue  # between a stop and a start
            if total:
                self.samples.append((time.time() * 1000, total))

    def stop(self) -> None:
        self._done.set()
        self.join()

    def mean_between(self, start: float, end: float) -> float | None:
        values = [rss for at, rss in self.samples if start <= at < end]
        return sum(values) / len(values) if values else None


def drive(spec: dict, pids: Callable[[], list[int]], restart: Callable[[], Outage],
          before: float, after: float) -> tuple[dict, Outage, MemorySampler]:
    """Connect the readers, let replies run `before` seconds, restart, let them run `after`
    seconds more from when the restarted thing answered; the client's results."""
    memory = MemorySampler(pids)
    memory.start()
    client = subprocess.Popen(["node", str(CLIENT_SCRIPT), json.dumps(spec)], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert client.stdin is not None and client.stdout is not None
    try:
        ready = client.stdout.readline()
        if not ready:
            raise RuntimeError("the load client failed before its readers were subscribed")
        log(f"  {spec['subscribers']:,} readers subscribed in {json.loads(ready)['connectSeconds']:.1f}s")
        time.sleep(before)
        outage = restart()
        log(f"  restarted: {(outage.stopped - outage.stopping) / 1000:.1f}s to stop ({outage.how}), "
            f"answering {(outage.up - outage.stopping) / 1000:.1f}s after the stop began")
        time.sleep(max(0.0, outage.up / 1000 + after - time.time()))
        client.stdin.write("end\n")
        client.stdin.flush()
        line = client.stdout.readline()
        if client.wait(timeout=300) != 0 or not line:
            raise RuntimeError("the load client failed")
        return json.loads(line), outage, memory
    finally:
        memory.stop()
        if client.poll() is None:
            client.kill()
            client.wait()


def busiest(times: list[float], origin: float) -> int:
    """The most of `times` that fall in any one BUCKET_MS bucket, counted from `origin`."""
    buckets = Counter(int((at - origin) // BUCKET_MS) for at in times)
    return max(buckets.values(), default=0)


def summarise(result: dict, outage: Outage, memory: MemorySampler) -> dict[str, Any]:
    readers = result["subscribers"]
    first, back = result["firstRetryAt"], result["backAt"]
    windows = []
    for window in result["windows"]:
        start = window["start"]
        rss = memory.mean_between(start, start + result["windowMs"])
        windows.append({**window, "from_stop": (start - outage.stopping) / 1000, "rss": rss,
                        "before": start + result["windowMs"] <= outage.stopping})
    before = [w for w in windows if w["before"]]
    # A server already falling behind before the restart (replies not acknowledged, or readers
    # hearing of them after minutes) has no normal to come back to: not judged.
    saturated = any(w["acknowledged"] < w["posted"] or w["p99"] is None or w["p99"] >= SATURATED_MS
                    for w in before)
    base_p99 = None if saturated else max((w["p99"] for w in before), default=None)
    base_rss = median(w["rss"] for w in before if w["rss"]) if any(w["rss"] for w in before) else None

    def normal(window: dict) -> bool:
        return (window["p99"] is not None and base_p99 is not None and window["p99"] <= base_p99 * P99_SLACK
                and window["acknowledged"] == window["posted"])

    def memory_normal(window: dict) -> bool:
        return window["rss"] is not None and base_rss is not None and window["rss"] <= base_rss * RSS_SLACK

    def back_to(test: Callable[[dict], bool]) -> float | None:
        """Seconds from the stop to the start of the first window from which every one passes."""
        # The last window may be cut short by "end"; it is left out of the judgement.
        after = [w for w in windows if not w["before"]][:-1]
        for index, window in enumerate(after):
            if all(test(later) for later in after[index:]):
                return max(0.0, window["from_stop"])
        return None

    last = [w for w in windows if not w["before"]][-2:-1]
    return {
        "readers": readers, "dropped": len(result["droppedAt"]), "back": len(back),
        "closeCodes": result["closeCodes"], "drops": result["drops"],
        "firstBusiest": busiest(first, outage.stopping),
        "firstSpread": (max(first) - min(first)) / 1000 if first else 0.0,
        "retriesBusiest": busiest(result["retryTimes"], outage.stopping),
        "retries": len(result["retryTimes"]),
        "backBusiest": busiest(back, outage.stopping),
        "allBackAfterUp": (max(back) - outage.up) / 1000 if back else 0.0,
        "allBackAfterStop": (max(back) - outage.stopping) / 1000 if back else 0.0,
        "stopSeconds": (outage.stopped - outage.stopping) / 1000,
        "downSeconds": (outage.up - outage.stopping) / 1000, "stoppedHow": outage.how,
        "saturatedBefore": saturated,
        "p99WorstBefore": max((w["p99"] for w in before if w["p99"] is not None), default=None),
        "missed": result["missed"], "readersMissing": result["readersMissing"],
        "duplicates": result["duplicates"], "resets": result["resets"],
        "posts": result["posts"], "acknowledged": result["acknowledged"], "stored": result["stored"],
        "p99Before": base_p99, "p99Last": last[0]["p99"] if last else None,
        "rssBefore": base_rss, "rssLast": last[0]["rss"] if last else None,
        "p99NormalAfter": back_to(normal), "rssNormalAfter": back_to(memory_normal),
        "windows": [{k: w[k] for k in ("from_stop", "posted", "acknowledged", "deliveries", "p50", "p99",
                                       "max", "rss")} for w in windows],
        "clientCpuSeconds": result["clientCpuSeconds"],
    }


def spec_for(ws: list[str], post: list[str], thread: str, thread_id: int, headers: dict,
             readers: int, rate: float, seconds: float) -> dict:
    return {"ws": ws, "post": post, "thread": thread, "headers": headers, "subscribers": readers,
            "subscribe": {"type": "subscribe", "channels": [f"thread:{thread_id}"]}, "rate": rate,
            "maxSeconds": seconds + 60, "windowSeconds": WINDOW_SECONDS, "bodySize": BODY_SIZE,
            "settleSeconds": 60}


def server_restart(readers: int, rate: float, before: float, after: float, tmp: Path) -> dict[str, Any]:
    server = ServerProcess(f"sqlite:///{tmp / 'restart.db'}", log_path=tmp / "restart-server.log",
                           extra_env={"FORUM_METRICS_FROM": "127.0.0.1"}, **PATIENT).start()
    try:
        thread_id, headers = bench_thread(server.base_url)
        api = f"{server.base_url}/api/v1/threads/{thread_id}"
        spec = spec_for([server.ws_url], [f"{api}/posts"], api, thread_id, headers, readers, rate,
                        before + after)

        def restart() -> Outage:
            stopping = time.time() * 1000
            server.stop()  # SIGTERM, and SIGKILL if it has not exited within 10 s
            stopped = time.time() * 1000
            assert server.process is not None
            how = f"exit status {server.process.returncode}"
            server.start()  # the same port and database
            return Outage(stopping, stopped, time.time() * 1000, how)

        def pids() -> list[int]:
            process = server.process
            return [process.pid] if process and process.poll() is None else []

        return summarise(*drive(spec, pids, restart, before, after))
    finally:
        server.stop()


@contextmanager
def redis_server() -> Iterator[tuple[str, Callable[[], Outage]]]:
    """A redis-server of the benchmark's own on a free port: (its URL, a restart that keeps it
    down REDIS_DOWN_SECONDS)."""
    server = RedisProcess().start()

    def restart() -> Outage:
        stopping = time.time() * 1000
        server.stop()
        stopped = time.time() * 1000
        time.sleep(REDIS_DOWN_SECONDS)
        server.start()
        return Outage(stopping, stopped, time.time() * 1000)

    try:
        yield server.url, restart
    finally:
        server.stop()


def redis_restart(readers: int, rate: float, before: float, after: float, tmp: Path) -> dict[str, Any]:
    postgres = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test")
    with postgres_database(postgres) as database_url, redis_server() as (redis_url, restart):
        servers = [ServerProcess(database_url, broadcast_url=redis_url, log_path=tmp / f"redis-server{i}.log",
                                 extra_env={"FORUM_METRICS_FROM": "127.0.0.1"}, **PATIENT).start()
                   for i in range(2)]
        try:
            thread_id, headers = bench_thread(servers[0].base_url)
            api = [f"{server.base_url}/api/v1/threads/{thread_id}" for server in servers]
            # Replies go through the first process only: the second's readers hear of them by
            # the doorbell, or by its hub polling the log while Redis is away.
            spec = spec_for([server.ws_url for server in servers], [f"{api[0]}/posts"], api[0],
                            thread_id, headers, readers, rate, before + after)
            return summarise(*drive(spec, lambda: [s.process.pid for s in servers if s.process], restart,
                                    before, after))
        finally:
            for server in servers:
                server.stop()


def describe(name: str, summary: dict) -> None:
    log(f"{name}: {summary['dropped']:,} of {summary['readers']:,} readers dropped "
        f"(close codes {summary['closeCodes']}), {summary['back']:,} back; first retries over "
        f"{summary['firstSpread']:.1f}s, busiest 100 ms {summary['firstBusiest']}; all back "
        f"{summary['allBackAfterUp']:.1f}s after it answered; missed {summary['missed']} "
        f"({summary['readersMissing']} readers), duplicates {summary['duplicates']}, resets "
        f"{summary['resets']}; posts {summary['acknowledged']}/{summary['posts']} acknowledged, "
        f"{summary['stored']} stored")
    for w in summary["windows"]:
        rss = f"{w['rss'] / 2**20:,.0f} MB" if w["rss"] else "-"
        p99 = f"{w['p99']:,} ms" if w["p99"] is not None else "-"
        log(f"  window from {w['from_stop']:+6.0f}s: posted {w['posted']:>3} acknowledged "
            f"{w['acknowledged']:>3} deliveries {w['deliveries']:>9,} p99 {p99:>10} RSS {rss}")
    log(f"  back to normal after the stop: p99 {summary['p99NormalAfter']} s, memory "
        f"{summary['rssNormalAfter']} s{' (falling behind before it)' if summary['saturatedBefore'] else ''}")


def within(seconds: float | None) -> bool:
    return seconds is not None and seconds <= RECOVERY_SECONDS


def raise_open_file_limit() -> None:
    """Ten thousand sockets in the client and as many in the server (both inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def run(runs: int = 1, quick: bool = False, rate: float = RATE, parts: tuple[str, ...] = PARTS) -> list[Row]:
    ensure_client()
    raise_open_file_limit()
    readers = QUICK_READERS if quick else READERS
    before, after = (QUICK_BEFORE_SECONDS, QUICK_AFTER_SECONDS) if quick else (BEFORE_SECONDS, AFTER_SECONDS)
    restarts: list[dict] = []
    redis_restarts: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for attempt in range(runs):
            if "server" in parts:
                log(f"server restart under {readers:,} readers, {rate} replies/s, run {attempt + 1}")
                restarts.append(server_restart(readers, rate, before, after, Path(tmp)))
                describe("server restart", restarts[-1])
            if "redis" in parts:
                log(f"Redis restart under two processes, {readers:,} readers, {rate} replies/s, "
                    f"run {attempt + 1}")
                redis_restarts.append(redis_restart(readers, rate, before, after, Path(tmp)))
                describe("Redis restart", redis_restarts[-1])
    RESULTS.mkdir(exist_ok=True)  # every window of every run, beside the rows
    (RESULTS / "restart-windows.json").write_text(json.dumps({"server": restarts, "redis": redis_restarts},
                                                             indent=2))
    return rows(readers, rate, restarts, redis_restarts)


def figure(summaries: list[dict], key: str) -> float:
    values = [s[key] for s in summaries]
    return median(values) if None not in values else float("nan")


def rows(readers: int, rate: float, restarts: list[dict], redis_restarts: list[dict]) -> list[Row]:
    result = []
    if restarts:
        result += server_rows(f"server restart, {readers:,} readers, {rate:g} replies/s", readers, restarts)
    if redis_restarts:
        result += redis_rows(f"Redis restart, 2 processes, {readers:,} readers, {rate:g} replies/s",
                             redis_restarts)
    save("restart", result)
    return result


def recovery_rows(name: str, summaries: list[dict], what: str) -> list[Row]:
    """p99 and memory after the restart against before, and how soon each was back to normal."""
    unjudged = "not judged: already falling behind before the restart" if any(
        s["saturatedBefore"] for s in summaries) else ""
    return [
        Row(name, "delivery p99 (ms), a minute after vs worst before", figure(summaries, "p99Last"),
            figure(summaries, "p99WorstBefore"), "report", True, [s["p99Last"] for s in summaries]),
        Row(name, f"p99 back to normal (s after {what} stopped)", figure(summaries, "p99NormalAfter"), None,
            f"<= {RECOVERY_SECONDS} s", all(within(s["p99NormalAfter"]) for s in summaries),
            [s["p99NormalAfter"] for s in summaries], unjudged),
        Row(name, "server RSS (MB), a minute after vs before", figure(summaries, "rssLast") / 2**20,
            figure(summaries, "rssBefore") / 2**20, "report", True,
            [(s["rssLast"] or 0) / 2**20 for s in summaries]),
        Row(name, f"memory back to normal (s after {what} stopped)", figure(summaries, "rssNormalAfter"),
            None, f"<= {RECOVERY_SECONDS} s", all(within(s["rssNormalAfter"]) for s in summaries),
            [s["rssNormalAfter"] for s in summaries]),
    ]


def server_rows(name: str, readers: int, restarts: list[dict]) -> list[Row]:
    lost = [s["missed"] + s["duplicates"] + s["resets"] + (s["readers"] - s["back"]) for s in restarts]
    busiest_allowed = BUSIEST_SHARE * readers
    return [
        Row(name, "first reconnect attempts, span (s)", figure(restarts, "firstSpread"), None,
            f">= {SPREAD_SECONDS:.0f} s", figure(restarts, "firstSpread") >= SPREAD_SECONDS,
            [s["firstSpread"] for s in restarts]),
        Row(name, "first reconnect attempts, busiest 100 ms", figure(restarts, "firstBusiest"), None,
            f"<= {busiest_allowed:,.0f} ({BUSIEST_SHARE:.0%} of readers)",
            figure(restarts, "firstBusiest") <= busiest_allowed, [s["firstBusiest"] for s in restarts],
            f"every attempt, retries included: busiest 100 ms {[s['retriesBusiest'] for s in restarts]}, "
            f"{[s['retries'] for s in restarts]} attempts; close codes "
            f"{[s['closeCodes'] for s in restarts]}; readers subscribed again, busiest 100 ms "
            f"{[s['backBusiest'] for s in restarts]}"),
        Row(name, "all readers subscribed again (s after it answered)", figure(restarts, "allBackAfterUp"),
            None, "report", True, [s["allBackAfterUp"] for s in restarts],
            f"server from SIGTERM to exit {[round(s['stopSeconds'], 1) for s in restarts]} s, to answering "
            f"again {[round(s['downSeconds'], 1) for s in restarts]} s"),
        Row(name, "replies missed, twice or reset, over all readers", max(lost), None, "0",
            max(lost) == 0, [float(x) for x in lost],
            f"stored replies {[s['stored'] for s in restarts]}, acknowledged "
            f"{[s['acknowledged'] for s in restarts]} of {[s['posts'] for s in restarts]} sent"),
        *recovery_rows(name, restarts, "the server"),
    ]


def redis_rows(name: str, redis_restarts: list[dict]) -> list[Row]:
    lost = [s["missed"] + s["duplicates"] + s["resets"] for s in redis_restarts]
    return [
        Row(name, "replies missed, twice or reset, over all readers", max(lost), None, "0",
            max(lost) == 0, [float(x) for x in lost],
            f"stored replies {[s['stored'] for s in redis_restarts]}, acknowledged "
            f"{[s['acknowledged'] for s in redis_restarts]} of {[s['posts'] for s in redis_restarts]} sent"),
        Row(name, "readers that had to reconnect", figure(redis_restarts, "dropped"), None, "report", True,
            [s["dropped"] for s in redis_restarts]),
        *recovery_rows(name, redis_restarts, "Redis"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_READERS} readers, a shorter run")
    parser.add_argument("--rate", type=float, default=RATE, help="replies a second")
    parser.add_argument("--only", choices=PARTS, help="one of the two restarts")
    args = parser.parse_args()
    print(table(run(args.runs, args.quick, args.rate, (args.only,) if args.only else PARTS)))


if __name__ == "__main__":
    main()
