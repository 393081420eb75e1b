"""Memory (issue 9, target 4; issue 25): 10,000 idle WebSocket connections held by one
`forum serve` process, each subscribed as a thread page subscribes (`site` and its thread), at
no more than 30 KB of resident memory each beyond the process at rest (40 KB before issue 25).
Baseline (b) holding the same connections is shown beside it for scale.

The process "at rest" has served a warm-up of 200 connections that came and went, so what is
measured is what each held connection costs, not first-use allocations. Each run is a fresh process.

    .venv/bin/python -m bench.memory [--runs 3] [--quick]
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path

from bench._common import Row, median, part_main, save
from bench._live import CLIENT, Target, baseline_server, ensure_client, forum_server, load, log

CONNECTIONS = 10_000
TARGET_KB = 30.0  # issue 25 (was 40, issue 9)
SETTLE_SECONDS = 3.0


def hold(target: Target, connections: int) -> tuple[int, int, float]:
    """Connect `connections` idle clients; returns (rss at rest, rss while held, connect seconds)."""
    load(target, 200, mode="burst", posts=1, concurrency=1)  # warm-up: connections come and go
    time.sleep(SETTLE_SECONDS)
    at_rest = target.rss_bytes()
    subscribe = dict(target.subscribe)
    if target.name == "forum":
        subscribe["channels"] = ["site", *subscribe["channels"]]
    spec = {"ws": target.ws, "post": target.post, "subscribe": subscribe, "headers": target.headers,
            "subscribers": connections, "mode": "idle"}
    client = subprocess.Popen(["node", str(CLIENT / "fanout.mjs"), json.dumps(spec)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        line = client.stdout.readline()
        if not line:
            raise RuntimeError("the load client could not hold its connections")
        connected = json.loads(line)
        time.sleep(SETTLE_SECONDS)
        held = target.rss_bytes()
    finally:
        client.stdin.close()
        client.wait(timeout=60)
    if connected["connected"] != connections:
        raise RuntimeError(f"only {connected['connected']} of {connections} connected")
    return at_rest, held, connected["connectSeconds"]


def run(runs: int = 3, quick: bool = False) -> list[Row]:
    ensure_client()
    connections = 1_000 if quick else CONNECTIONS
    per_connection: dict[str, list[float]] = {"forum": [], "baseline": []}
    with tempfile.TemporaryDirectory() as tmp:
        for attempt in range(runs):
            for name in ("forum", "baseline") if attempt % 2 == 0 else ("baseline", "forum"):
                server = (forum_server(f"sqlite:///{Path(tmp) / f'memory-{attempt}.db'}", Path(tmp))
                          if name == "forum" else baseline_server())
                with server as target:
                    at_rest, held, seconds = hold(target, connections)
                kb = (held - at_rest) / connections / 1024
                per_connection[name].append(kb)
                log(f"memory {name:<8} run {attempt + 1}: at rest {at_rest / 2**20:.0f} MB, "
                    f"with {connections:,} {held / 2**20:.0f} MB: {kb:.1f} KB each "
                    f"(connected in {seconds:.1f}s)")
    value = median(per_connection["forum"])
    rows = [Row(f"{connections:,} idle WebSocket connections", "KB resident each", value,
                median(per_connection["baseline"]), f"<= {TARGET_KB:.0f} KB each", value <= TARGET_KB,
                per_connection["forum"], "baseline (b) holds the same connections")]
    save("memory", rows)
    return rows


def main() -> None:
    part_main(run, __doc__, "a small run that checks the script works")


if __name__ == "__main__":
    main()
