"""10,000 connected readers (issue 25): replies at 10 per second to one thread with 10,000
WebSocket subscribers, one `forum serve` process on SQLite, against baseline (b) holding the
same subscribers.

Each delivery's latency runs from the start of its reply's POST to the subscriber's receipt;
the row shows p50, p99 and the worst, and counts only when none was missed. Beside them, how
long the server's event loop stalled during the window and how long its full garbage
collections took, read from each server's /metrics (forum/loop_watch.py) before and after:
a histogram, so the longest pause is given as the bucket it fell in ("<= 150 ms").

    .venv/bin/python -m bench.readers [--runs 3] [--quick]
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench._common import Row, median, part_main, save
from bench._live import Target, baseline_server, ensure_client, forum_server, load, log

READERS = 10_000
RATE = 10
SECONDS = 15
P99_MS, MAX_MS = 100.0, 300.0


def pause_buckets(target: Target) -> dict[str, dict[float, float]]:
    """Cumulative bucket counts of the loop's lag and of full collections, by upper bound."""
    text = httpx.get(target.metrics, timeout=30).raise_for_status().text
    buckets: dict[str, dict[float, float]] = {"lag": {}, "gc2": {}}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if not sample.name.endswith("_bucket"):
                continue
            if sample.name == "forum_event_loop_lag_seconds_bucket":
                kind = "lag"
            elif sample.name == "forum_gc_pause_seconds_bucket" and sample.labels.get("generation") == "2":
                kind = "gc2"
            else:
                continue
            buckets[kind][float(sample.labels["le"])] = sample.value
    return buckets


def longest(before: dict[float, float], after: dict[float, float]) -> tuple[float, int]:
    """(upper bound of the slowest bucket anything fell in during the window, how many fell)."""
    bounds = sorted(after)
    counts = {bound: after[bound] - before.get(bound, 0.0) for bound in bounds}
    total = int(counts[bounds[-1]]) if bounds else 0
    if total == 0:
        return 0.0, 0
    return next(bound for bound in bounds if counts[bound] >= total), total


def measure(target: Target, readers: int, seconds: int) -> dict:
    before = pause_buckets(target)
    result = load(target, readers, mode="rate", rate=RATE, seconds=seconds, settleSeconds=15)
    after = pause_buckets(target)
    result["loopPause"], _ = longest(before["lag"], after["lag"])
    result["fullGcLongest"], result["fullGcCount"] = longest(before["gc2"], after["gc2"])
    latency = result["latencyMs"]
    log(f"readers {readers:>6} {target.name:<8}: p50 {latency['p50']:.1f} p99 {latency['p99']:.1f} "
        f"max {latency['max']:.1f} ms, missed {result['missed']}, loop paused <= "
        f"{result['loopPause'] * 1000:.0f} ms, {result['fullGcCount']} full collections "
        f"<= {result['fullGcLongest'] * 1000:.0f} ms, server CPU {result['serverCpuSeconds']:.1f}s, "
        f"client CPU {result['clientCpuSeconds']:.1f}s over {result['seconds']:.1f}s")
    return result


def run(runs: int = 3, quick: bool = False) -> list[Row]:
    ensure_client()
    readers, seconds = (1_000, 5) if quick else (READERS, SECONDS)
    results: dict[str, list[dict]] = {"forum": [], "baseline": []}
    with tempfile.TemporaryDirectory() as tmp:
        with forum_server(f"sqlite:///{Path(tmp) / 'readers.db'}", Path(tmp)) as forum, \
                baseline_server() as baseline:
            for attempt in range(runs):
                for target in (forum, baseline) if attempt % 2 == 0 else (baseline, forum):
                    results[target.name].append(measure(target, readers, seconds))
    forum_runs, baseline_runs = results["forum"], results["baseline"]
    missed = sum(r["missed"] + r["duplicates"] for r in forum_runs)
    name = f"latency, {readers:,} subscribers, {RATE} replies/s"

    def figure(runs: list[dict], key: str) -> float:
        return median(r["latencyMs"][key] for r in runs)

    def ms(runs: list[dict], key: str) -> float:
        return median(r[key] * 1000 for r in runs)

    gc_note = (f"full collections per run: {[r['fullGcCount'] for r in forum_runs]} "
               f"(baseline {[r['fullGcCount'] for r in baseline_runs]}); server CPU "
               f"{median(r['serverCpuSeconds'] / r['wallSeconds'] for r in forum_runs):.0%} of a core "
               f"(baseline {median(r['serverCpuSeconds'] / r['wallSeconds'] for r in baseline_runs):.0%})")
    rows = [
        Row(name, "p50 ms, POST start to receipt", figure(forum_runs, "p50"), figure(baseline_runs, "p50"),
            "report", missed == 0, [r["latencyMs"]["p50"] for r in forum_runs],
            f"missed or duplicated: {missed}"),
        Row(name, "p99 ms, POST start to receipt", figure(forum_runs, "p99"), figure(baseline_runs, "p99"),
            f"< {P99_MS:.0f} ms, none missed", missed == 0 and figure(forum_runs, "p99") < P99_MS,
            [r["latencyMs"]["p99"] for r in forum_runs]),
        Row(name, "max ms, POST start to receipt", figure(forum_runs, "max"), figure(baseline_runs, "max"),
            f"< {MAX_MS:.0f} ms, none missed", missed == 0 and figure(forum_runs, "max") < MAX_MS,
            [r["latencyMs"]["max"] for r in forum_runs]),
        Row(name, "longest event-loop pause (ms, bucket bound)", ms(forum_runs, "loopPause"),
            ms(baseline_runs, "loopPause"), "report", True, [r["loopPause"] * 1000 for r in forum_runs]),
        Row(name, "longest full collection (ms, bucket bound)", ms(forum_runs, "fullGcLongest"),
            ms(baseline_runs, "fullGcLongest"), "report", True,
            [r["fullGcLongest"] * 1000 for r in forum_runs], gc_note),
    ]
    save("readers", rows)
    return rows


def main() -> None:
    part_main(run, __doc__, "1,000 readers for 5 seconds: checks the script works")


if __name__ == "__main__":
    main()
