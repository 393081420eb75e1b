"""Scale-out (issue 9, target 5): deliveries per second with 2 `forum serve` processes on
PostgreSQL and Redis, against one process on the same PostgreSQL and Redis, with the same 1,000
subscribers and the same burst of replies, alternating in the same run. Target: at least 1.6x.

`forum serve --workers 2` shares one listening socket, so the kernel spreads subscribers and
replies over both processes; each process reads the event log and serves its own subscribers.

    .venv/bin/python -m bench.scale_out [--runs 3] [--quick]
Needs PostgreSQL and Redis: BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1/test, an
existing database the benchmark creates its own beside) and BENCH_REDIS_URL (default
redis://127.0.0.1:6379/0; the benchmark uses database numbers 13 and 14 on that server).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from bench._common import Row, median, part_main, save
from bench._live import ensure_client, forum_server, load, log, postgres_database

SUBSCRIBERS = 1_000
POSTS = 150
TARGET_RATIO = 1.6


def run(runs: int = 3, quick: bool = False) -> list[Row]:
    ensure_client()
    postgres = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test")
    redis = re.sub(r"/\d*$", "", os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    subscribers, posts = (200, 30) if quick else (SUBSCRIBERS, POSTS)
    results: dict[int, list[dict]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as tmp, postgres_database(postgres) as one_db, \
            postgres_database(postgres) as two_db:
        with forum_server(one_db, Path(tmp), f"{redis}/13", workers=1) as one, \
                forum_server(two_db, Path(tmp), f"{redis}/14", workers=2) as two:
            for attempt in range(runs):
                for workers, target in ((1, one), (2, two)) if attempt % 2 == 0 else ((2, two), (1, one)):
                    result = load(target, subscribers, mode="burst", posts=posts, concurrency=8,
                                  settleSeconds=15)
                    log(f"scale-out {workers} process(es) run {attempt + 1}: "
                        f"{result['deliveriesPerSecond']:,.0f}/s missed {result['missed']} "
                        f"server cpu {result['serverCpuSeconds']:.1f}s "
                        f"client cpu {result['clientCpuSeconds']:.1f}s, "
                        f"machine {result['machineCoresBusy']:.2f} of {result['machineCores']} cores busy")
                    results[workers].append(result)
    two_rate = [r["deliveriesPerSecond"] for r in results[2]]
    one_rate = [r["deliveriesPerSecond"] for r in results[1]]
    missed = sum(r["missed"] + r["duplicates"] for r in results[1] + results[2])
    ratio = median(two_rate) / median(one_rate)
    # A second process can only add deliveries if the one-process run left a core idle.
    busy = {workers: median([r["machineCoresBusy"] for r in results[workers]]) for workers in (1, 2)}
    cores = results[1][0]["machineCores"]
    rows = [Row(f"2 processes vs 1, PostgreSQL + Redis, {subscribers:,} subscribers", "deliveries/s",
                median(two_rate), median(one_rate), f">= {TARGET_RATIO}x one process, none missed",
                missed == 0 and ratio >= TARGET_RATIO, two_rate,
                f"baseline here is one forum process; missed or duplicated: {missed}; machine busy "
                f"{busy[1]:.2f} of {cores} cores with one process, {busy[2]:.2f} with two")]
    save("scale_out", rows)
    return rows


def main() -> None:
    part_main(run, __doc__, "a small run that checks the script works")


if __name__ == "__main__":
    main()
