"""Scale of data: the hot queries at 10,000 posts and at 1,000,000, side by side in one run.

    .venv/bin/python -m bench.data_scale [--runs 3] [--quick]

Both databases come from bench/generate.py in the same proportions (20 posts a thread, 100 a
member) and are cached under bench/results/ by their parameters, so a rerun skips generation.
Each figure is the median time of the forum's own query functions (forum/db/*), warm, over many
repetitions taken in turn, one on each database; the ratio 1M / 10k must stay <= 1.5.
The SQL those functions send is captured as they run and its EXPLAIN QUERY PLAN printed."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.sql import ClauseElement

from bench import generate
from bench._common import RESULTS, Row, median, part_main, save
from forum.db import channels, library, posts, reads, search, tags, threads
from forum.db.engine import Database
from forum.db.migrate import migrate
from forum.search_query import parse

TARGET = 1.5
SIZES = {"full": [(10_000, 500, 100), (1_000_000, 50_000, 10_000)],
         "quick": [(2_000, 100, 20), (20_000, 1_000, 200)]}
CHANNEL = "general-chat"
DEEP = 0.8  # the cursor page sits this far down the channel's listing
REPEATS = int(os.environ.get("BENCH_REPEATS", "30"))  # fewer while trying a change


def database_for(posts_: int, threads_: int, members: int) -> str:
    """The cached database for these parameters, generated on first use."""
    # -s10: tags and library items added (bench/generate.py); older files lack them.
    # -s11: case studies too (every -s10 item was a resource); items carry reply counts.
    path = RESULTS / f"scale-{posts_}-{threads_}-{members}-s11.db"
    url = f"sqlite:///{path}"
    if path.exists():
        print(f"using cached {path.name} (delete it to regenerate)", file=sys.stderr)
    else:
        RESULTS.mkdir(parents=True, exist_ok=True)
        result = generate.generate(url, posts_, threads_, members)
        print(f"generated {path.name} in {result['seconds']} s", file=sys.stderr)
    migrate(url)  # a cached file gets any index added since it was made
    return url


class Recorder:
    """Keeps the SQL a Database is asked to run, to explain it afterwards."""

    def __init__(self, db: Database) -> None:
        self.queries: list[tuple[ClauseElement | str, dict | None]] = []
        for name in ("fetch_all", "fetch_one", "fetch_val"):
            real = getattr(db, name)

            async def recording(query: Any, values: dict | None = None, _real: Any = real) -> Any:
                self.queries.append((query, values))
                return await _real(query, values)

            setattr(db, name, recording)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return generate.sql_time(value)
    return value


def explain(path: str, query: ClauseElement | str, values: dict | None) -> tuple[str, list[str]]:
    """(SQL, EXPLAIN QUERY PLAN lines) for one captured query, on SQLite."""
    if isinstance(query, str):
        sql, params = query, {k: _sqlite_value(v) for k, v in (values or {}).items()}
    else:
        compiled = query.compile(dialect=sqlite_dialect.dialect(),
                                 compile_kwargs={"render_postcompile": True})
        sql = str(compiled)
        params = [_sqlite_value(compiled.params[name]) for name in compiled.positiontup or []]
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    finally:
        conn.close()
    depth = {0: 0}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        lines.append("  " * (depth[node] - 1) + detail)
    return " ".join(sql.split()), lines


class Workload:
    """The hot queries of one database, each a zero-argument coroutine function."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.cases: dict[str, Callable[[], Awaitable[Any]]] = {}

    async def prepare(self) -> None:
        db = self.db
        reader = generate.HEAVY_READER_ID
        channel = await channels.by_slug(db, CHANNEL)
        deep_cursor = await self._cursor_at(channel["id"])
        first_page, _ = await threads.in_channel(db, channel["id"], None, 30)
        ids = [r["id"] for r in first_page]
        thread_id = generate.BENCH_THREAD_ID

        async def thread_page() -> None:
            await threads.by_id(db, thread_id)
            await posts.in_thread(db, thread_id, None, 50)
            await threads.channels_of(db, thread_id)
            await reads.read_mark(db, reader, thread_id)

        async def channel_first() -> None:
            await threads.in_channel(db, channel["id"], None, 30)

        async def channel_deep() -> None:
            await threads.in_channel(db, channel["id"], deep_cursor, 30)

        async def unread_home() -> None:
            await reads.new_by_channel(db, reader)

        async def unread_channel() -> None:
            await reads.new_counts(db, reader, ids)
            await reads.read_thread_ids(db, reader, ids)

        tag = await tags.by_key(db, generate.BENCH_TAG)
        deep_tag_cursor = await self._tag_cursor_at(tag["id"])

        async def tag_first() -> None:
            rows, _ = await tags.threads_tagged(db, tag["id"], None, 30)
            await tags.of_threads(db, [r["id"] for r in rows])

        async def tag_deep() -> None:
            await tags.threads_tagged(db, tag["id"], deep_tag_cursor, 30)

        def library_page(**filters: Any) -> Callable[[], Awaitable[Any]]:
            async def run() -> None:
                rows, _ = await library.listing(db, limit=20, **filters)
                await tags.of_threads(db, [r["thread_id"] for r in rows])
                await library.featured(db)
            return run

        def searching(text: str) -> Callable[[], Awaitable[Any]]:
            async def run() -> None:
                await search.search(db, parse(text), limit=20)
            return run

        phrase = '"' + " ".join(generate.PHRASE) + '"'
        self.cases = {
            "thread page (thread 1, 50 replies)": thread_page,
            "channel page, first": channel_first,
            f"channel page, cursor {int(DEEP * 100)}% deep": channel_deep,
            "unread counts, home page (per channel)": unread_home,
            "unread counts, channel page (30 threads)": unread_channel,
            f"search, rare word ({generate.RARE_WORD})": searching(generate.RARE_WORD),
            f"search, common word ({generate.COMMON_WORD})": searching(generate.COMMON_WORD),
            f"search, phrase ({phrase})": searching(phrase),
            f"tag page, first (#{generate.BENCH_TAG})": tag_first,
            f"tag page, cursor {int(DEEP * 100)}% deep": tag_deep,
            "library, newest first": library_page(),
            f"library, tag #{generate.BENCH_TAG}": library_page(tag_id=tag["id"]),
            "library, case studies, most discussed": library_page(kind="case_study", sort="discussed"),
        }

    async def _cursor_at(self, channel_id: int) -> str:
        row = await self.db.fetch_one(
            "SELECT pinned, last_activity_at, thread_id AS id FROM thread_channels WHERE channel_id = :c "
            "ORDER BY pinned DESC, last_activity_at DESC, thread_id DESC LIMIT 1 OFFSET "
            "(SELECT CAST(count(*) * :deep AS INTEGER) FROM thread_channels WHERE channel_id = :c)",
            {"c": channel_id, "deep": DEEP})
        return threads.listing_cursor(row)

    async def _tag_cursor_at(self, tag_id: int) -> str:
        row = await self.db.fetch_one(
            "SELECT last_activity_at, thread_id AS id FROM thread_tags WHERE tag_id = :t "
            "ORDER BY last_activity_at DESC, thread_id DESC LIMIT 1 OFFSET "
            "(SELECT CAST(count(*) * :deep AS INTEGER) FROM thread_tags WHERE tag_id = :t)",
            {"t": tag_id, "deep": DEEP})
        return tags.listing_cursor(row)

    async def warm(self, name: str) -> None:
        for _ in range(3):  # warm the cache
            await self.cases[name]()

    async def sample(self, name: str) -> float:
        began = time.perf_counter()
        await self.cases[name]()
        return (time.perf_counter() - began) * 1000


async def _open(url: str) -> Workload:
    db = Database(url)
    await db.connect()
    workload = Workload(db)
    await workload.prepare()
    return workload


async def measure(urls: list[str], runs: int, repeats: int) -> dict[str, list[list[float]]]:
    """{case: [[small ms, large ms] per run]}; both databases in turn within each run."""
    workloads = [await _open(url) for url in urls]
    figures: dict[str, list[list[float]]] = {name: [] for name in workloads[0].cases}
    try:
        for run in range(runs):
            print(f"run {run + 1} of {runs}", file=sys.stderr)
            for name in figures:
                for w in workloads:
                    await w.warm(name)
                # Sample by sample in turn, small then large: a burst of noise on this shared
                # machine lands on both sides, not on one side's whole block of repeats.
                samples: list[list[float]] = [[] for _ in workloads]
                for _ in range(repeats):
                    for w, taken in zip(workloads, samples, strict=True):
                        taken.append(await w.sample(name))
                pair = [median(taken) for taken in samples]
                figures[name].append(pair)
                print(f"  {name}: {pair[0]:.3f} ms / {pair[1]:.3f} ms = {pair[1] / pair[0]:.2f}",
                      file=sys.stderr)
    finally:
        for w in workloads:
            await w.db.disconnect()
    return figures


async def query_plans(url: str) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Each case's captured SQL and its plan, on the given (large) database."""
    workload = await _open(url)
    recorder = Recorder(workload.db)
    plans = []
    try:
        for name, case in workload.cases.items():
            recorder.queries.clear()
            await case()
            path = str(generate.sqlite_path(url))
            plans.append((name, [explain(path, q, v) for q, v in recorder.queries]))
    finally:
        await workload.db.disconnect()
    return plans


def plans_markdown(plans: list[tuple[str, list[tuple[str, list[str]]]]]) -> str:
    out = []
    for name, queries in plans:
        out.append(f"**{name}**\n")
        for sql, lines in queries:
            out.append("```sql\n" + sql + "\n```\n```\n" + "\n".join(lines) + "\n```\n")
    return "\n".join(out)


def run(runs: int = 3, quick: bool = False) -> list[Row]:
    sizes = SIZES["quick" if quick else "full"]
    urls = [database_for(*size) for size in sizes]
    small, large = (f"{p:,} posts" for p, _, _ in sizes)
    figures = asyncio.run(measure(urls, runs, REPEATS // 3 if quick else REPEATS))
    rows = []
    for name, pairs in figures.items():
        small_ms = median(p[0] for p in pairs)
        large_ms = median(p[1] for p in pairs)
        ratio = large_ms / small_ms
        rows.append(Row(benchmark=f"data scale: {name}", measure=f"ms at {large} (baseline {small})",
                        forum=large_ms, baseline=small_ms, target=f"<= {TARGET}x baseline",
                        passed=ratio <= TARGET, runs=[p[1] for p in pairs],
                        note="per-run ratios " + ", ".join(f"{p[1] / p[0]:.2f}" for p in pairs)))
    plans = asyncio.run(query_plans(urls[1]))
    (RESULTS / "data_scale_plans.md").write_text(plans_markdown(plans))
    print(f"query plans written to {RESULTS / 'data_scale_plans.md'}", file=sys.stderr)
    save("data_scale", rows)
    return rows


def main() -> None:
    part_main(run, __doc__, "small databases, to check the script")


if __name__ == "__main__":
    main()
