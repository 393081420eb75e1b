"""Page and JSON throughput (issues 9, 19 and 23): `forum serve` (one process) on SQLite and on
PostgreSQL, against baseline (a), a bare Starlette + Jinja2 app serving the same answers from
memory (bench/baseline_pages.py): the 50-post thread page as HTML and the same 50 posts as
JSON. Load comes from wrk on loopback; both servers run side by side and are loaded in turn,
cell by cell, so machine noise hits both alike.

Measured on each database: the thread page for a visitor (from the page cache; target 5x
baseline (a)) and for a signed-in member (0.8x, p99 at most 2x); the visitor's page while
members reply 10 times a second in other threads (4x); `GET /api/v1/threads/{id}` as a member
against baseline (a)'s JSON (0.5x, p99 at most 2x); a thread page with reactions on every post,
visitor and member (issue 23: the same targets as the plain page, against baseline (a) rendering
the same reactions); and the channel page (0.5x, as since issue 9).

    .venv/bin/python -m bench.pages [--runs 3] [--quick] [--database sqlite|postgres|both]
PostgreSQL: BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test), an existing
database beside which the benchmark creates its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench._common import ROOT, Row, median, save, say, table
from bench._page_site import (
    ANON_COOKIE,
    WRITER_PASSWORD,
    Site,
    add_api_document,
    build_site,
    member_cookie,
    page_bytes,
)
from bench._writer import Writer, Written, api_tokens
from bench._wrk import Load, ensure_wrk, wrk
from tests.servers import ServerProcess, free_port, wait_until_healthy

DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
WRITES_PER_SECOND = 10
# Below this share of the asked rate sent, or with any reply unanswered, the writer did not load
# the server as the target asks, and the row says so rather than passing.
WRITER_MIN_SHARE = 0.9


@dataclasses.dataclass(frozen=True)
class Cell:
    """One forum answer measured against its baseline (a) counterpart at the same URL."""

    page: str             # e.g. "thread page, signed-in member"
    path: str             # the Site attribute holding its URL path (the baseline serves the same)
    member: bool          # wrk sends the member's session cookie (else a visitor's)
    connections: int
    min_ratio: float      # requests/s target, as a multiple of baseline (a)'s
    floor: str = "baseline (a)"
    writing: bool = False  # members reply at WRITES_PER_SECOND in other threads during the forum's run


def cells(database: str, quick: bool) -> list[Cell]:
    # 128 connections as in the earlier (SQLite) tables; not repeated on PostgreSQL for time.
    wide = [] if quick or database != "sqlite" else [128]
    found = []
    for connections in [32, *wide]:
        found += [Cell("thread page, visitor", "thread_path", False, connections, 5.0),
                  Cell("channel page, visitor", "channel_path", False, connections, 0.5),
                  Cell("thread page, signed-in member", "thread_path", True, connections, 0.8)]
    return found + [
        Cell(f"thread page, visitor, members posting {WRITES_PER_SECOND} replies/s in other threads",
             "thread_path", False, 32, 4.0, writing=True),
        Cell("GET /api/v1/threads/{id}, 50 posts, signed-in member", "api_path", True, 32, 0.5,
             floor="baseline (a) JSON"),
        Cell("thread page, reactions on every post, visitor", "reactions_path", False, 32, 5.0),
        Cell("thread page, reactions on every post, signed-in member", "reactions_path", True, 32, 0.8),
    ]


# --- servers --------------------------------------------------------------------------------

@dataclasses.dataclass
class Baseline:
    data_file: Path
    log_path: Path
    port: int = dataclasses.field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Baseline:
        env = {**os.environ, "BENCH_PAGE_DATA": str(self.data_file)}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "bench.baseline_pages", "--port",
                                             str(self.port)], cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT)
        if wait_until_healthy(self.base_url, self.process):
            return self
        self.stop()
        raise RuntimeError(f"baseline did not start: {self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def database_url(database: str, folder: Path) -> Iterator[str]:
    if database == "sqlite":
        yield f"sqlite:///{folder / 'forum.db'}"
        return
    from bench._live import postgres_database

    with postgres_database(os.environ.get("BENCH_POSTGRES_URL",
                                          "postgresql://postgres@127.0.0.1:5432/test")) as url:
        yield url


@contextmanager
def servers(site: Site, folder: Path) -> Iterator[tuple[ServerProcess, Baseline, str]]:
    """The forum, then baseline (a) once the forum has given the member's JSON document."""
    forum = ServerProcess(site.database_url, secret_key="bench-secret", log_path=folder / "forum.log")
    baseline = Baseline(site.data_file, folder / "baseline.log")
    try:
        forum.start()
        cookie = member_cookie(forum.base_url)
        add_api_document(site, forum.base_url, cookie)
        baseline.start()
        yield forum, baseline, cookie
    finally:
        forum.stop()
        baseline.stop()


# --- the benchmark --------------------------------------------------------------------------

@dataclasses.dataclass
class Figures:
    forum: list[Load] = dataclasses.field(default_factory=list)
    baseline: list[Load] = dataclasses.field(default_factory=list)
    written: list[Written] = dataclasses.field(default_factory=list)
    sizes: tuple[int, int] = (0, 0)


def settle(url: str, cookie: str) -> None:
    """Wait for one answer after the warm-up: the server goes on rendering what wrk's closed
    connections asked for, and on a slow page that backlog would eat the measured window."""
    answer = httpx.get(url, headers={"Cookie": cookie}, timeout=120)
    assert answer.status_code == 200, f"{url}: {answer.status_code}"


def _under_writes(url: str, cell: Cell, seconds: int, warmup: int, cookie: str, base_url: str,
                  site: Site, tokens: list[str]) -> tuple[Load, Written]:
    writer = Writer(base_url, tokens, site.writer_thread_ids, WRITES_PER_SECOND)
    writer.start()
    writer.started.wait(30)
    try:
        wrk(url, cell.connections, warmup, cookie)
        settle(url, cookie)
        load = wrk(url, cell.connections, seconds, cookie)
    finally:
        writer.stop.set()
        writer.join(120)
    assert writer.result is not None, "the writer did not finish"
    return load, writer.result


def measure(database: str, runs: int, quick: bool, folder: Path) -> dict[Cell, Figures]:
    seconds, warmup = (2, 1) if quick else (10, 2)
    with database_url(database, folder) as url:
        say(f"pages, {DATABASES[database]}: building the forum (demo content, two 50-reply threads, "
            f"one reacted to throughout, a full channel page)")
        began = time.monotonic()
        site = build_site(folder, url)
        say(f"  built in {time.monotonic() - began:.0f} s")
        figures = {cell: Figures() for cell in cells(database, quick)}
        with servers(site, folder) as (forum, baseline, member):
            tokens = api_tokens(forum.base_url, site.writers, WRITER_PASSWORD)
            for cell, found in figures.items():
                path = getattr(site, cell.path)
                found.sizes = (page_bytes(forum.base_url + path, member if cell.member else ANON_COOKIE),
                               page_bytes(baseline.base_url + path, ANON_COOKIE))
            for n in range(runs):
                for cell, found in figures.items():
                    path = getattr(site, cell.path)
                    cookie = member if cell.member else ANON_COOKIE
                    sides = [("forum", forum.base_url, cookie), ("baseline", baseline.base_url, ANON_COOKIE)]
                    for side, base, side_cookie in (sides if n % 2 == 0 else sides[::-1]):
                        if side == "forum" and cell.writing:
                            load, written = _under_writes(base + path, cell, seconds, warmup, side_cookie,
                                                          forum.base_url, site, tokens)
                            found.written.append(written)
                            say(f"    writer: {written.describe()}")
                        else:
                            wrk(base + path, cell.connections, warmup, side_cookie)
                            settle(base + path, side_cookie)
                            load = wrk(base + path, cell.connections, seconds, side_cookie)
                        getattr(found, side).append(load)
                        say(f"  {DATABASES[database]} run {n + 1}/{runs} {cell.page}, {cell.connections} "
                            f"connections, {side}: {load.requests_per_second:,.0f} req/s, "
                            f"p99 {load.p99_ms:.1f} ms")
    return figures


def run(runs: int = 3, quick: bool = False, databases: tuple[str, ...] = tuple(DATABASES)) -> list[Row]:
    ensure_wrk()
    runs = 1 if quick else runs
    rows: list[Row] = []
    for database in databases:
        folder = Path(tempfile.mkdtemp(prefix=f"bench-pages-{database}-"))
        try:
            rows += _rows(DATABASES[database], measure(database, runs, quick, folder))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    save("pages", rows)
    return rows


def _rows(database: str, figures: dict[Cell, Figures]) -> list[Row]:
    rows = []
    for cell, found in figures.items():
        kind = "JSON" if cell.floor.endswith("JSON") else "page"
        note = f"{kind} {found.sizes[0]:,} B vs baseline {found.sizes[1]:,} B"
        # A run with no answer at all measured nothing: the row cannot pass on it, either side.
        silent = sum(not load.answered for load in found.forum + found.baseline)
        if silent:
            note += (f"; no answer at all within {silent} of {len(found.forum) + len(found.baseline)} "
                     f"runs of forum and baseline (p99 = run length)")
        writer_ok = True
        if cell.writing:
            writer_ok = all(not w.failed and w.answered == w.planned
                            and w.rate >= WRITER_MIN_SHARE * WRITES_PER_SECOND for w in found.written)
            note += "; writer " + "; ".join(w.describe() for w in found.written)
        rps = [load.requests_per_second for load in found.forum]
        p99 = [load.p99_ms for load in found.forum]
        forum_rps, base_rps = median(rps), median(x.requests_per_second for x in found.baseline)
        forum_p99, base_p99 = median(p99), median(x.p99_ms for x in found.baseline)
        name = f"{cell.page}, {cell.connections} connections, {database}"
        wanted = (f">= {cell.min_ratio:g}x {cell.floor}" if cell.min_ratio >= 1
                  else f">= {cell.min_ratio:.0%} of {cell.floor}")
        rows.append(Row(name, "requests/s", forum_rps, base_rps, wanted,
                        forum_rps >= cell.min_ratio * base_rps and not silent and writer_ok, rps, note))
        rows.append(Row(name, "p99 latency (ms)", forum_p99, base_p99, f"<= 2x {cell.floor}",
                        forum_p99 <= 2 * base_p99 and not silent and writer_ok, p99, note))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="one short run at 32 connections (a smoke test, a minute or two)")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    chosen = tuple(DATABASES) if args.database == "both" else (args.database,)
    print(table(run(args.runs, args.quick, chosen)))


if __name__ == "__main__":
    main()
