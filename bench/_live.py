"""Shared by the live benchmarks: servers to measure (the forum and baseline (b)), a thread to
reply to, and the Node load client (bench/ws-client/fanout.mjs) with CPU sampled around it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from bench._common import ROOT
from tests.servers import ServerProcess, free_port, wait_until_healthy

CLIENT = ROOT / "bench" / "ws-client"
PASSWORD = "bench-password-1234"
# The body each reply carries: about the size of a short chat reply.
BODY_SIZE = 200


@dataclass
class Target:
    """Where the load client connects and posts, and the process(es) whose CPU we sample."""

    name: str
    ws: str
    post: str
    subscribe: dict
    headers: dict
    pid: int
    metrics: str = ""  # the server's /metrics, readable without signing in

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(psutil.Process(self.pid))

    def rss_bytes(self) -> int:
        process = psutil.Process(self.pid)
        return process.memory_info().rss + sum(c.memory_info().rss for c in process.children(recursive=True))


def tree_cpu_seconds(process: psutil.Process) -> float:
    """User + system CPU seconds of a process and its children (a child gone meanwhile counts 0)."""
    total = sum(process.cpu_times()[:2])
    for child in process.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.NoSuchProcess:
            pass
    return total


def ensure_client() -> None:
    if not (CLIENT / "node_modules" / "ws").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=CLIENT, check=True)


@contextmanager
def forum_server(database_url: str, tmp: Path, broadcast_url: str = "memory://",
                 workers: int = 1) -> Iterator[Target]:
    server = ServerProcess(database_url, broadcast_url=broadcast_url, workers=workers,
                           log_path=tmp / f"forum-{uuid.uuid4().hex[:6]}.log",
                           extra_env={"FORUM_METRICS_FROM": "127.0.0.1"}).start()
    try:
        thread_id, headers = bench_thread(server.base_url)
        yield Target("forum", server.ws_url, f"{server.base_url}/api/v1/threads/{thread_id}/posts",
                     {"type": "subscribe", "channels": [f"thread:{thread_id}"]}, headers,
                     server.process.pid, f"{server.base_url}/metrics")
    finally:
        server.stop()


def bench_thread(base_url: str) -> tuple[int, dict]:
    """A new member and a thread for replies to go to: (the thread's id, headers to post with)."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        username = f"bench{uuid.uuid4().hex[:6]}"
        client.post("/api/v1/users", json={"username": username, "password": PASSWORD}).raise_for_status()
        token = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD}
                            ).raise_for_status().json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        thread = client.post("/api/v1/threads", headers=headers, json={
            "title": "Benchmark thread", "body": "Replies arrive here.", "categories": ["general-chat"]},
        ).raise_for_status().json()
    return thread["id"], headers


@contextmanager
def baseline_server() -> Iterator[Target]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bench.baseline_ws", str(port)], cwd=ROOT)
    try:
        if not wait_until_healthy(f"http://127.0.0.1:{port}", process):
            raise RuntimeError("the baseline server did not start")
        yield Target("baseline", f"ws://127.0.0.1:{port}/ws", f"http://127.0.0.1:{port}/broadcast",
                     {"type": "subscribe", "channels": ["thread:1"]}, {}, process.pid,
                     f"http://127.0.0.1:{port}/metrics")
    finally:
        process.terminate()
        process.wait(timeout=10)


def load(target: Target, subscribers: int, **options) -> dict:
    """Run the Node client once against `target`; adds the server's CPU seconds over the run."""
    spec = {"ws": target.ws, "post": target.post, "subscribe": target.subscribe, "headers": target.headers,
            "subscribers": subscribers, "bodySize": BODY_SIZE, **options}
    before = target.cpu_seconds()
    started = time.monotonic()
    done = subprocess.run(["node", str(CLIENT / "fanout.mjs"), json.dumps(spec)], capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"load client failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["serverCpuSeconds"] = target.cpu_seconds() - before
    result["wallSeconds"] = time.monotonic() - started
    return result


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database beside `admin_url`'s, dropped afterwards."""
    import asyncpg

    name = f"forum_bench_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
