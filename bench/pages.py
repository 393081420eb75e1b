"""Thread and channel page throughput (issue 9): `forum serve` (one process, SQLite) against
baseline (a), a bare Starlette + Jinja2 app serving the same pages from memory
(bench/baseline_pages.py). Load comes from wrk on loopback; both servers run side by side and
are loaded in turn, cell by cell, so machine noise hits both alike.

    .venv/bin/python -m bench.pages [--runs 3] [--quick]
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench._common import ROOT, Row, median, part_main, save
from tests.servers import ServerProcess, free_port, wait_until_healthy

POSTS_ON_PAGE = 50
REPLIES = 50
CHANNEL = "general-chat"
EXTRA_THREADS = 32  # with the demo's, more than one full page (30) in the channel
MEMBER, MEMBER_PASSWORD = "bench-reader", "bench reader password"
# A returning anonymous visitor: it already holds its CSRF cookie (as wrk's sole client would
# after its first page), so each answer is the page, not also a new cookie.
ANON_COOKIE = "forum_csrf=bench-visitor-csrf-cookie-value-0123456789"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the forum under test -------------------------------------------------------------------

@dataclasses.dataclass
class Site:
    database_url: str
    thread_path: str
    channel_path: str
    data_file: Path


def _reply_bodies() -> list[str]:
    """Real demo replies (Markdown of everyday length), reused round-robin."""
    from forum.demo.timeline import threads

    return [reply["body"].strip() for thread in threads() for reply in thread.get("reply", [])]


async def _fill(forum: Any) -> dict[str, Any]:
    """Demo content, one thread with exactly 50 replies and a channel with a full first page,
    all through the forum's own actions."""
    from forum.actions import posts as post_actions
    from forum.actions import threads as thread_actions
    from forum.actions.accounts import sign_up
    from forum.db import channels, posts, threads, users
    from forum.demo import DEMO_PASSWORD, load_demo
    from forum.demo.timeline import members

    await load_demo(forum)
    people = [await users.by_username(forum.db, m["username"]) for m in members()]
    from forum.auth import Member

    members = [Member.from_row(p) for p in people]
    await sign_up(forum, MEMBER, MEMBER_PASSWORD)
    for n in range(EXTRA_THREADS):
        author = members[n % len(members)]
        await thread_actions.create_thread(forum, author, f"Notes from week {n + 1} of the pilot",
                                           "How it went, what we changed and what we would keep.", [CHANNEL])
    bodies = _reply_bodies()
    thread_id = await thread_actions.create_thread(
        forum, members[0], "Fifty replies: what did your last evaluation change?",
        "Tell us one thing an evaluation changed in how you work.", [CHANNEL])
    for n in range(REPLIES):
        await post_actions.reply(forum, members[(n + 1) % len(members)], thread_id, bodies[n % len(bodies)])
    del DEMO_PASSWORD
    # What baseline (a) renders: the same rows, read once into memory.
    thread = await threads.by_id(forum.db, thread_id)
    rows, _ = await posts.in_thread(forum.db, thread_id, None, POSTS_ON_PAGE)
    channel = await channels.by_slug(forum.db, CHANNEL)
    listing, next_cursor = await threads.in_channel(forum.db, channel["id"], None, 30)
    return {"thread": thread, "posts": rows, "channel": channel, "threads": listing,
            "next_cursor": next_cursor, "channels": await channels.all_channels(forum.db),
            "thread_channels": await threads.channels_of(forum.db, thread_id)}


def _baseline_data(found: dict[str, Any]) -> dict[str, Any]:
    from forum.clock import isoformat
    from forum.web.templating import exact_time, initials, thread_url

    thread = found["thread"]
    return {
        "csrf_token": "0" * 64, "last_event_id": 1000, "next_cursor": found["next_cursor"],
        "thread": {"id": thread["id"], "title": thread["title"], "url": thread_url(thread),
                   "channels": [{"slug": c["slug"], "name": c["name"]} for c in found["thread_channels"]]},
        "posts": [{"id": p["id"], "depth": p["depth"], "parent_id": p["parent_id"], "path": p["path"],
                   "author_username": p["author_username"], "author_display_name": p["author_display_name"],
                   "initials": initials(p["author_display_name"]), "html": p["html"],
                   "created_at": isoformat(p["created_at"]), "created_label": exact_time(p["created_at"])}
                  for p in found["posts"]],
        "channel": {k: found["channel"][k] for k in ("slug", "name", "description")},
        "threads": [{"id": t["id"], "title": t["title"], "url": thread_url(t),
                     "author_username": t["author_username"], "author_display_name": t["author_display_name"],
                     "reply_count": t["reply_count"], "last_activity_at": isoformat(t["last_activity_at"]),
                     "last_activity_label": exact_time(t["last_activity_at"])} for t in found["threads"]],
        "channels": [{"slug": c["slug"], "name": c["name"]} for c in found["channels"]],
    }


def build_site(folder: Path) -> Site:
    from forum.app import create_app
    from forum.db.migrate import migrate
    from forum.settings import Settings
    from forum.web.templating import thread_url

    url = f"sqlite:///{folder / 'forum.db'}"
    migrate(url)
    settings = Settings(database_url=url, secret_key="bench-secret", rate_limits=False)

    async def fill() -> dict[str, Any]:
        app = create_app(settings)
        async with app.router.lifespan_context(app) as state:
            return await _fill(state["forum"])

    found = asyncio.run(fill())
    data_file = folder / "baseline-data.json"
    data_file.write_text(json.dumps(_baseline_data(found)))
    return Site(url, thread_url(found["thread"]), f"/c/{CHANNEL}", data_file)


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
        import os

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
def servers(site: Site, folder: Path) -> Iterator[tuple[ServerProcess, Baseline]]:
    forum = ServerProcess(site.database_url, secret_key="bench-secret", log_path=folder / "forum.log")
    baseline = Baseline(site.data_file, folder / "baseline.log")
    try:
        forum.start()
        baseline.start()
        yield forum, baseline
    finally:
        forum.stop()
        baseline.stop()


def member_cookie(forum: ServerProcess) -> str:
    """Log the bench member in through the real form; wrk then sends its cookies."""
    with httpx.Client(base_url=forum.base_url) as client:
        token = CSRF_META.search(client.get("/login").text)
        assert token, "no CSRF token on /login"
        done = client.post("/login", data={"username": MEMBER, "password": MEMBER_PASSWORD,
                                           "csrf_token": token.group(1)})
        assert done.status_code == 303, f"log-in failed: {done.status_code}"
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def page_bytes(url: str, cookie: str) -> int:
    response = httpx.get(url, headers={"Cookie": cookie})
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return len(response.content)


# --- wrk ------------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclasses.dataclass
class Load:
    requests_per_second: float
    p99_ms: float
    answered: bool = True  # False: not one answer within the run (p99 is then the run's length)


def wrk(url: str, connections: int, seconds: int, cookie: str) -> Load:
    # A 30 s timeout, not wrk's 2 s: a slow answer is measured, not dropped from the latencies.
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency",
               "-H", f"Cookie: {cookie}", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        raise RuntimeError(f"{url} answered {bad.group(1)} non-2xx responses: a bench of error pages "
                           f"is worthless\n{out}")
    errors = re.search(r"Socket errors: (.*)", out)
    if errors:
        say(f"    wrk socket errors on {url}: {errors.group(1)}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    if int(re.search(r"(\d+) requests in", out).group(1)) == 0:  # type: ignore[union-attr]
        return Load(0.0, seconds * 1000.0, answered=False)
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return Load(rps, float(value) * UNITS[unit])


def ensure_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk); bench/run installs it")


# --- the benchmark --------------------------------------------------------------------------

def run(runs: int = 3, quick: bool = False) -> list[Row]:
    ensure_wrk()
    seconds, warmup = (2, 1) if quick else (10, 2)
    connection_counts = [32] if quick else [32, 128]
    runs = 1 if quick else runs
    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        say("pages: building the forum (demo content, a 50-reply thread, a full channel page)")
        site = build_site(folder)
        cells = [(page, c) for page in ("thread page", "channel page") for c in connection_counts]
        cells += [("thread page, signed-in member", c) for c in connection_counts]
        figures: dict[tuple[str, int], dict[str, list[Load]]] = {
            cell: {"forum": [], "baseline": []} for cell in cells}
        sizes: dict[str, tuple[int, int]] = {}
        with servers(site, folder) as (forum, baseline):
            cookies = {"anonymous": ANON_COOKIE, "member": member_cookie(forum)}
            for page, path in (("thread page", site.thread_path), ("channel page", site.channel_path)):
                sizes[page] = (page_bytes(forum.base_url + path, ANON_COOKIE),
                               page_bytes(baseline.base_url + path, ANON_COOKIE))
                say(f"  {page}: forum {sizes[page][0]:,} bytes, baseline {sizes[page][1]:,} bytes")
            sizes["thread page, signed-in member"] = (
                page_bytes(forum.base_url + site.thread_path, cookies["member"]), sizes["thread page"][1])
            for n in range(runs):
                for page, connections in cells:
                    path = site.channel_path if page.startswith("channel") else site.thread_path
                    cookie = cookies["member" if "member" in page else "anonymous"]
                    sides = [("forum", forum.base_url, cookie), ("baseline", baseline.base_url, ANON_COOKIE)]
                    for side, base, side_cookie in (sides if n % 2 == 0 else sides[::-1]):
                        wrk(base + path, connections, warmup, side_cookie)
                        load = wrk(base + path, connections, seconds, side_cookie)
                        figures[(page, connections)][side].append(load)
                        say(f"  run {n + 1}/{runs} {page}, {connections} connections, {side}: "
                            f"{load.requests_per_second:,.0f} req/s, p99 {load.p99_ms:.1f} ms")
        rows = _rows(figures, sizes)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    save("pages", rows)
    return rows


def _rows(figures: dict[tuple[str, int], dict[str, list[Load]]],
          sizes: dict[str, tuple[int, int]]) -> list[Row]:
    rows = []
    for (page, connections), sides in figures.items():
        forum_size, baseline_size = sizes[page]
        note = f"page {forum_size:,} B vs baseline {baseline_size:,} B"
        silent = sum(not load.answered for load in sides["forum"])
        if silent:
            note += f"; no answer at all within {silent} of {len(sides['forum'])} runs (p99 = run length)"
        rps = [load.requests_per_second for load in sides["forum"]]
        p99 = [load.p99_ms for load in sides["forum"]]
        forum_rps, base_rps = median(rps), median(x.requests_per_second for x in sides["baseline"])
        forum_p99, base_p99 = median(p99), median(x.p99_ms for x in sides["baseline"])
        name = f"{page}, {connections} connections"
        rows.append(Row(name, "requests/s", forum_rps, base_rps, ">= 50% of baseline (a)",
                        forum_rps >= 0.5 * base_rps, rps, note))
        rows.append(Row(name, "p99 latency (ms)", forum_p99, base_p99, "<= 2x baseline (a)",
                        forum_p99 <= 2 * base_p99 and not silent, p99, note))
    return rows


def main() -> None:
    part_main(run, __doc__, "one short run at 32 connections (a smoke test)")


if __name__ == "__main__":
    main()
