"""CPU per delivery, one process against two (issue 25): what each live delivery costs the forum
processes, PostgreSQL and Redis, measured apart, and a model of deliveries per second for N
processes on C cores built from those costs.

Two cores cannot show two processes delivering 1.6x one process's rate (bench/scale_out.py):
the load client, PostgreSQL and Redis share them. CPU seconds spent per delivery can be shown
here, and hold on a bigger machine. The same 1,000 subscribers and the same replies go to one
`forum serve` process and to two (each on its own port, the processes `--workers 2` would run,
so that the load client can choose which process holds which reader), on PostgreSQL and Redis:

- one thread: every subscriber follows one thread, so both processes follow every reply;
- ten threads by process: 100 subscribers on each of ten threads, each process holding the
  readers of five, so each process follows half the replies and passes over the rest;
- ten threads spread: the same readers, each thread's spread over both processes (as the
  kernel spreads `--workers` connections), so both follow every reply;
- passing over: every reader and reply on one process; the other process's CPU per reply is
  what a process spends on a reply none of its readers follows.

Replies are posted to the processes in turn. CPU (user + system) is sampled over the replies
alone, after the subscribers are in: the forum processes; PostgreSQL's backends serving this
forum's database plus the server's own processes (postmaster, writers); redis-server; the load
client. PostgreSQL's own processes and Redis serve the whole machine, so their rate over a quiet
interval just before the replies is subtracted.

    .venv/bin/python -m bench.delivery_cost [--runs 3] [--quick]
Needs PostgreSQL and Redis: BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1/test, an
existing database the benchmark creates its own beside) and BENCH_REDIS_URL (default
redis://127.0.0.1:6379/0; the benchmark uses database numbers 11 and 12 on that server).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import redis
from prometheus_client.parser import text_string_to_metric_families

from bench._common import RESULTS, Row, median, part_main, save
from bench._delivery_model import Costs, model_table
from bench._live import BODY_SIZE, CLIENT, PASSWORD, ensure_client, log, postgres_database, tree_cpu_seconds
from forum.realtime.hub import POLL_SECONDS
from tests.servers import ServerProcess

SUBSCRIBERS = 1_000
THREADS = 10
# About 150,000 deliveries on one thread, 60,000 over ten: long enough to measure.
REPLIES = {"one thread": 150, "ten threads": 600}
# Two processes may cost at most this much per delivery, forum, PostgreSQL and Redis together.
TARGET_RATIO = 1.15
# How long the shared servers' background is sampled before each run's replies.
QUIET_SECONDS = 2.0
PARTS = ("forum", "postgresql", "redis", "client")


@dataclass
class Forum:
    """One forum's server processes (one or two) on one database, and its threads."""

    servers: list[ServerProcess]
    database: str
    headers: dict[str, str] = field(default_factory=dict)
    threads: list[int] = field(default_factory=list)

    def post_urls(self, thread: int, servers: list[ServerProcess] | None = None) -> list[str]:
        return [f"{s.base_url}/api/v1/threads/{thread}/posts" for s in servers or self.servers]

    def metric(self, server: ServerProcess, name: str, **labels: str) -> float:
        text = httpx.get(f"{server.base_url}/metrics", timeout=30).raise_for_status().text
        total = 0.0
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                    total += sample.value
        return total


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its children; 0 once it is gone."""
    try:
        return tree_cpu_seconds(psutil.Process(pid))
    except psutil.NoSuchProcess:
        return 0.0


def cpu_of(pids: set[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += sum(psutil.Process(pid).cpu_times()[:2])
        except psutil.NoSuchProcess:
            pass
    return total


class Admin:
    """One connection to PostgreSQL kept for the whole benchmark: a shared server may have no
    connection to spare by the time a run ends."""

    def __init__(self, url: str) -> None:
        import asyncpg

        self.runner = asyncio.Runner()
        self.connection = self.runner.run(asyncpg.connect(url))

    def fetch(self, query: str, *arguments: object) -> list[tuple[int, str | None]]:
        return [tuple(row) for row in self.runner.run(self.connection.fetch(query, *arguments))]

    def close(self) -> None:
        self.runner.run(self.connection.close())
        self.runner.close()


class Meter:
    """Where the CPU goes: each part's processes, found afresh at every sample (PostgreSQL opens
    backends as the forum's pools grow)."""

    def __init__(self, forum: Forum, admin: Admin, redis_url: str) -> None:
        self.forum = forum
        self.admin = admin
        self.redis = redis.Redis.from_url(redis_url)

    def postgres_pids(self) -> tuple[set[int], set[int]]:
        """(backends of this forum's database, the server's own processes)."""
        rows = self.admin.fetch("SELECT pid, datname FROM pg_stat_activity"
                                " WHERE datname = $1 OR datname IS NULL",
                                self.forum.database)
        ours = {pid for pid, name in rows if name is not None}
        server = {pid for pid, name in rows if name is None}
        if server:
            postmaster = psutil.Process(min(server)).parent()
            if postmaster is not None:
                server.add(postmaster.pid)
        return ours, server

    def redis_cpu(self) -> float:
        """Redis's own count (getrusage, in microseconds): far finer than the kernel's ticks,
        and Redis spends little."""
        cpu = self.redis.info("cpu")
        return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])

    def sample(self, client_pid: int) -> dict[str, float]:
        ours, server = self.postgres_pids()
        return {"forum": sum(process_cpu(s.process.pid) for s in self.forum.servers if s.process),
                "servers": [process_cpu(s.process.pid) for s in self.forum.servers if s.process],
                "postgresql backends": cpu_of(ours), "postgresql server": cpu_of(server),
                "redis": self.redis_cpu(), "client": cpu_of({client_pid}),
                "backend pids": sorted(ours), "at": time.monotonic()}


def spent(before: dict, after: dict, background: dict[str, float]) -> dict[str, float]:
    """CPU seconds each part spent between two samples, less the shared servers' background.
    A backend opened meanwhile counts from nothing; one closed meanwhile is lost (pools keep
    theirs open, so that is rare)."""
    seconds = after["at"] - before["at"]
    new_backends = set(after["backend pids"]) - set(before["backend pids"])
    backends = after["postgresql backends"] - before["postgresql backends"]
    if new_backends:
        log(f"  {len(new_backends)} PostgreSQL backend(s) opened during the run, counted from their start")
    shared = {part: max(0.0, after[part] - before[part] - background.get(part, 0.0) * seconds)
              for part in ("postgresql server", "redis")}
    return {"forum": after["forum"] - before["forum"],
            "servers": [a - b for a, b in zip(after["servers"], before["servers"], strict=True)],
            "postgresql": backends + shared["postgresql server"], "redis": shared["redis"],
            "client": after["client"] - before["client"], "seconds": seconds}


def measure(meter: Meter, groups: list[dict], replies: int, headers: dict[str, str]) -> dict:
    """One run of the load client: connect, sample the background, then the replies alone."""
    spec = {"groups": groups, "headers": headers, "subscribers": SUBSCRIBERS, "bodySize": BODY_SIZE,
            "mode": "burst", "posts": replies, "concurrency": 8, "settleSeconds": 15, "waitForGo": True}
    client = subprocess.Popen(["node", str(CLIENT / "fanout.mjs"), json.dumps(spec)], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert client.stdin is not None and client.stdout is not None
    try:
        ready = client.stdout.readline()
        if not ready:
            raise RuntimeError(f"load client failed: {client.stderr.read()[-2000:] if client.stderr else ''}")
        quiet = meter.sample(client.pid)
        time.sleep(QUIET_SECONDS)
        before = meter.sample(client.pid)
        seconds = before["at"] - quiet["at"]
        background = {part: (before[part] - quiet[part]) / seconds for part in ("postgresql server", "redis")}
        load_before = os.getloadavg()[0]
        client.stdin.write("go\n")
        client.stdin.flush()
        line = client.stdout.readline()
        after = meter.sample(client.pid)
        if not line:
            raise RuntimeError(f"load client failed: {client.stderr.read()[-2000:] if client.stderr else ''}")
        result = json.loads(line)
        result["cpu"] = spent(before, after, background)
        result["background"] = background
        # What each forum process spends idle (its polls, loop watch, presence) over the same
        # window: part of every figure, and most of what a passing-over process spends.
        result["idleServers"] = [(b - q) / seconds
                                 for b, q in zip(before["servers"], quiet["servers"], strict=True)]
        result["load"] = (load_before + os.getloadavg()[0]) / 2
        return result
    finally:
        client.stdin.close()
        try:
            client.wait(timeout=30)
        except subprocess.TimeoutExpired:
            client.kill()
            client.wait()


@contextmanager
def forum(admin_url: str, redis_url: str, processes: int, tmp: Path) -> Iterator[Forum]:
    with postgres_database(admin_url) as database_url, ExitStack() as stack:
        servers: list[ServerProcess] = []
        for n in range(processes):  # one after the other: each applies the migrations at start
            server = ServerProcess(database_url, broadcast_url=redis_url,
                                   log_path=tmp / f"forum-{processes}-{n}.log",
                                   extra_env={"FORUM_METRICS_FROM": "127.0.0.1"}).start()
            stack.callback(server.stop)
            servers.append(server)
        with httpx.Client(base_url=servers[0].base_url, timeout=30) as http:
            username = f"cost{os.getpid()}{processes}"
            http.post("/api/v1/users", json={"username": username, "password": PASSWORD}).raise_for_status()
            token = http.post("/api/v1/tokens", json={"username": username, "password": PASSWORD}
                              ).raise_for_status().json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            threads = [http.post("/api/v1/threads", headers=headers, json={
                "title": f"Delivery cost {n}", "body": "Replies arrive here.",
                "categories": ["general-chat"]},
            ).raise_for_status().json()["id"] for n in range(THREADS + 1)]
        yield Forum(servers, database_url.rsplit("/", 1)[1], headers, threads)


def layouts(one: Forum, two: Forum) -> dict[str, tuple[Forum, list[dict]]]:
    """Each configuration's forum and the load client's groups: one group per thread, its
    readers' process(es) and where its replies are posted."""
    def group(f: Forum, thread: int, readers_on: list[ServerProcess], posts_to: list[ServerProcess]) -> dict:
        return {"ws": [s.ws_url for s in readers_on], "post": f.post_urls(thread, posts_to),
                "subscribe": {"type": "subscribe", "channels": [f"thread:{thread}"]}}

    a, b = two.servers
    ten_one, ten_two = one.threads[1:], two.threads[1:]
    half = THREADS // 2
    return {
        "one thread, 1 process": (one, [group(one, one.threads[0], one.servers, one.servers)]),
        "one thread, 2 processes": (two, [group(two, two.threads[0], [a, b], [a, b])]),
        "ten threads, 1 process": (one, [group(one, t, one.servers, one.servers) for t in ten_one]),
        "ten threads by process, 2 processes": (two, [
            group(two, t, [a] if n < half else [b], [a, b]) for n, t in enumerate(ten_two)]),
        "ten threads spread, 2 processes": (two, [group(two, t, [a, b], [a, b]) for t in ten_two]),
        "passing over, 2 processes": (two, [group(two, t, [a], [a]) for t in ten_two]),
    }


def per_reply_ms(results: list[dict], part: str) -> float:
    return median(r["cpu"][part] * 1000 / r["acknowledged"] for r in results)


def per_thousand_ms(results: list[dict], part: str) -> float:
    return median(r["cpu"][part] * 1_000_000 / r["received"] for r in results)


def total(result: dict) -> float:
    return sum(result["cpu"][part] for part in ("forum", "postgresql", "redis"))


def run(runs: int = 3, quick: bool = False) -> list[Row]:
    ensure_client()
    admin = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test")
    redis_base = re.sub(r"/\d*$", "", os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    replies = {name: count // 5 for name, count in REPLIES.items()} if quick else REPLIES
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp, \
            forum(admin, f"{redis_base}/11", 1, Path(tmp)) as one, \
            forum(admin, f"{redis_base}/12", 2, Path(tmp)) as two:
        configurations = layouts(one, two)
        connection = Admin(admin)
        meters = {id(f): Meter(f, connection, redis_base) for f in (one, two)}
        for attempt in range(runs):
            names = list(configurations) if attempt % 2 == 0 else list(reversed(configurations))
            for name in names:
                target, groups = configurations[name]
                count = replies["one thread" if name.startswith("one thread") else "ten threads"]
                # Once every process has polled the log since the last run: one may have left the
                # last run's events unread (none of its readers followed them), and a reader
                # subscribing without `since` is handed what its hub reads after it subscribed,
                # which would count the last run's replies as this run's (each numbers from 0).
                time.sleep(POLL_SECONDS + 0.5)
                passed_over = [target.metric(s, "forum_live_passed_over_total", kind="event")
                               for s in target.servers]
                result = measure(meters[id(target)], groups, count, target.headers)
                result["passedOver"] = [target.metric(s, "forum_live_passed_over_total", kind="event") - n
                                        for s, n in zip(target.servers, passed_over, strict=True)]
                cpu = result["cpu"]
                log(f"{name} run {attempt + 1}: {result['received']:,} deliveries of "
                    f"{result['acknowledged']} replies, missed {result['missed']}, "
                    f"in {cpu['seconds']:.1f}s; CPU s "
                    f"forum {cpu['forum']:.2f} {[round(s, 2) for s in cpu['servers']]}, PostgreSQL "
                    f"{cpu['postgresql']:.2f}, Redis {cpu['redis']:.3f}, client {cpu['client']:.2f}; "
                    f"passed over {result['passedOver']}; load {result['load']:.1f}")
                results.setdefault(name, []).append(result)
        connection.close()
    rows = cost_rows(results)
    costs = model_costs(results)
    model = model_table(costs)
    print(model)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "delivery_model.md").write_text(model + "\n")
    (RESULTS / "delivery_cost_runs.json").write_text(json.dumps(results, indent=1))
    save("delivery_cost", rows)
    return rows


def cost_rows(results: dict[str, list[dict]]) -> list[Row]:
    rows: list[Row] = []
    missed = sum(r["missed"] + r["duplicates"] for runs in results.values() for r in runs)
    load = median(r["load"] for runs in results.values() for r in runs)
    for scenario, two_name in (("one thread", "one thread, 2 processes"),
                               ("ten threads by process", "ten threads by process, 2 processes"),
                               ("ten threads spread", "ten threads spread, 2 processes")):
        one_runs = results["one thread, 1 process" if scenario == "one thread" else "ten threads, 1 process"]
        two_runs = results[two_name]
        for part in PARTS:
            one_ms, two_ms = per_thousand_ms(one_runs, part), per_thousand_ms(two_runs, part)
            rows.append(Row(f"{scenario}, {part}", "CPU ms per 1,000 deliveries", two_ms, one_ms, "report",
                            True, [r["cpu"][part] * 1_000_000 / r["received"] for r in two_runs],
                            f"per reply {per_reply_ms(two_runs, part):.2f} ms with 2 processes, "
                            f"{per_reply_ms(one_runs, part):.2f} ms with 1"))
        one_total = median(total(r) * 1_000_000 / r["received"] for r in one_runs)
        two_total = median(total(r) * 1_000_000 / r["received"] for r in two_runs)
        rows.append(Row(f"{scenario}, forum + PostgreSQL + Redis", "CPU ms per 1,000 deliveries", two_total,
                        one_total, f"<= {TARGET_RATIO}x one process, none missed",
                        missed == 0 and two_total <= TARGET_RATIO * one_total,
                        [total(r) * 1_000_000 / r["received"] for r in two_runs],
                        f"missed or duplicated in all runs: {missed}; load average {load:.1f}"))
    passing = results["passing over, 2 processes"]
    idle = median(r["idleServers"][1] * r["cpu"]["seconds"] * 1000 / r["acknowledged"] for r in passing)
    following = results["ten threads, 1 process"]
    rows.append(Row("a process none of whose readers follows the replies", "CPU ms per reply",
                    median(r["cpu"]["servers"][1] * 1000 / r["acknowledged"] for r in passing),
                    per_reply_ms(following, "forum"), "report", True,
                    [r["cpu"]["servers"][1] * 1000 / r["acknowledged"] for r in passing],
                    "baseline: one process taking, following and delivering each reply (100 readers); "
                    f"events it passed over per run: {[r['passedOver'][1] for r in passing]}; idle, it "
                    "spends per reply's worth of time "
                    f"{idle:.2f} ms"))
    return rows


def model_costs(results: dict[str, list[dict]]) -> dict[str, Costs]:
    """Per-reply CPU seconds with one process and with two, for the model."""
    def costs(one: str, two: str, readers: int) -> Costs:
        def per_reply(name: str, part: str) -> float:
            return median(r["cpu"][part] / r["acknowledged"] for r in results[name])
        return Costs(readers, {part: (per_reply(one, part), per_reply(two, part))
                               for part in ("forum", "postgresql", "redis")})

    return {"every process follows each reply (one thread, 1,000 readers)":
            costs("one thread, 1 process", "one thread, 2 processes", SUBSCRIBERS),
            "one process follows each reply (100 readers a thread, each thread's in one process)":
            costs("ten threads, 1 process", "ten threads by process, 2 processes", SUBSCRIBERS // THREADS)}


def main() -> None:
    part_main(run, __doc__, "a fifth of the replies: checks the script works")


if __name__ == "__main__":
    main()
