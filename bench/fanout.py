"""Live fan-out (issue 9, target 2): replies to one thread with 100, 1,000 and 5,000 WebSocket
subscribers, the forum (`forum serve`, one process, SQLite) against baseline (b).

Throughput: a burst of replies, 8 in flight, as fast as the server takes them; deliveries per
second is every subscriber's receipts over the time from the first POST to the last receipt, and
counts only when none was missed (a subscriber dropped or a frame lost fails the run).
Latency: 10 replies per second for 15 seconds to 1,000 subscribers; each delivery's time runs
from the start of its POST to the subscriber's receipt of the frame.

    .venv/bin/python -m bench.fanout [--runs 3] [--quick]
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench._common import Row, median, part_main, save
from bench._live import baseline_server, ensure_client, forum_server, load, log

SIZES = (100, 1_000, 5_000)
TARGET_SIZE = 1_000
THROUGHPUT_RATIO = 0.70
LATENCY_P99_MS = 100.0


def burst_posts(subscribers: int) -> int:
    """About 150,000 deliveries a burst: long enough to measure, short enough to repeat."""
    return max(30, min(1_500, 150_000 // subscribers))


def run(runs: int = 3, quick: bool = False) -> list[Row]:
    ensure_client()
    sizes = (100,) if quick else SIZES
    latency_size, latency_seconds = (100, 3) if quick else (TARGET_SIZE, 15)
    throughput: list[Row] = []
    latency: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            posts = 50 if quick else burst_posts(size)
            results: dict[str, list[dict]] = {"forum": [], "baseline": []}
            with forum_server(f"sqlite:///{Path(tmp) / f'fanout-{size}.db'}", Path(tmp)) as forum, \
                    baseline_server() as baseline:
                for attempt in range(runs):
                    for target in (forum, baseline) if attempt % 2 == 0 else (baseline, forum):
                        result = load(target, size, mode="burst", posts=posts, concurrency=8,
                                      settleSeconds=15)
                        log(f"fan-out {size:>5} {target.name:<8} run {attempt + 1}: "
                            f"{result['deliveriesPerSecond']:,.0f}/s missed {result['missed']} "
                            f"server cpu {result['serverCpuSeconds']:.1f}s client cpu "
                            f"{result['clientCpuSeconds']:.1f}s in {result['seconds']:.1f}s")
                        results[target.name].append(result)
                if size == latency_size:
                    latency.append(_latency_row(forum, baseline, size, latency_seconds, runs))
            throughput.append(_throughput_row(size, posts, results))
    rows = throughput + latency
    save("fanout", rows)
    return rows


def _throughput_row(size: int, posts: int, results: dict[str, list[dict]]) -> Row:
    forum = [r["deliveriesPerSecond"] for r in results["forum"]]
    baseline = [r["deliveriesPerSecond"] for r in results["baseline"]]
    missed = sum(r["missed"] + r["duplicates"] for r in results["forum"])
    ratio = median(forum) / median(baseline)
    target = f">= {THROUGHPUT_RATIO:.0%} of baseline, none missed" if size == TARGET_SIZE else "report"
    passed = missed == 0 and (size != TARGET_SIZE or ratio >= THROUGHPUT_RATIO)
    def share(name: str, key: str, over: str) -> str:
        return f"{median(r[key] / r[over] for r in results[name]):.0%}"

    cpu = (f"server CPU {share('forum', 'serverCpuSeconds', 'wallSeconds')} (baseline "
           f"{share('baseline', 'serverCpuSeconds', 'wallSeconds')}), client CPU "
           f"{share('forum', 'clientCpuSeconds', 'seconds')} of a core")
    return Row(f"fan-out, {size:,} subscribers, {posts} replies", "deliveries/s", median(forum),
               median(baseline), target, passed, forum,
               f"missed or duplicated: {missed}; {cpu}")


def _latency_row(forum, baseline, size: int, seconds: int, runs: int) -> Row:
    p99: dict[str, list[float]] = {"forum": [], "baseline": []}
    missed = 0
    client_cpu = []
    for attempt in range(runs):
        for target in (forum, baseline) if attempt % 2 == 0 else (baseline, forum):
            result = load(target, size, mode="rate", rate=10, seconds=seconds, settleSeconds=10)
            log(f"latency {size:>5} {target.name:<8} run {attempt + 1}: "
                f"p50 {result['latencyMs']['p50']:.1f} ms "
                f"p99 {result['latencyMs']['p99']:.1f} ms missed {result['missed']}")
            p99[target.name].append(result["latencyMs"]["p99"])
            if target is forum:
                missed += result["missed"] + result["duplicates"]
                client_cpu.append(result["clientCpuSeconds"] / result["seconds"])
    value = median(p99["forum"])
    return Row(f"latency, {size:,} subscribers, 10 replies/s", "p99 ms, POST start to receipt", value,
               median(p99["baseline"]), f"< {LATENCY_P99_MS:.0f} ms, none missed",
               missed == 0 and value < LATENCY_P99_MS, p99["forum"],
               f"missed or duplicated: {missed}; client CPU {median(client_cpu):.0%} of a core")


def main() -> None:
    part_main(run, __doc__, "a small run that checks the script works")


if __name__ == "__main__":
    main()
