"""Pages while pictures upload (issue 21): the p99 latency of a thread page under wrk, with 10 MB
pictures uploading back to back against the same `forum serve` (one process, SQLite), beside
the same page with no uploads (the baseline). Each run measures both, in alternating order, so
machine noise hits both alike. Decoding and re-encoding a picture takes most of a second of
CPU: it must happen off the event loop, or every page waits behind it.

    .venv/bin/python -m bench.uploads [--runs 3] [--quick]
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench._common import Row, median, part_main, save, say
from bench._page_site import ANON_COOKIE
from bench._wrk import Load, ensure_wrk, wrk
from tests.servers import ServerProcess

CONNECTIONS = 16
REPLIES = 30
UPLOAD_MAX_BYTES = 10 * 1024 * 1024  # the forum's default limit: the biggest picture it takes
# A member may upload 20 times the limit a day: a fresh member well before that.
UPLOADS_PER_MEMBER = 15
TARGET_RATIO = 2.0


def big_picture() -> bytes:
    """A JPEG of just under 10 MB (8.7 megapixels of noise: a camera's photo is smaller for
    its pixel count, so this is the heavy end)."""
    from PIL import Image

    image = Image.frombytes("RGB", (3400, 2550), os.urandom(3400 * 2550 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    data = out.getvalue()
    assert 9 * 1024 * 1024 < len(data) <= UPLOAD_MAX_BYTES, len(data)
    return data


def _member(http: httpx.Client, name: str) -> dict[str, str]:
    password = "bench uploader password"
    made = http.post("/api/v1/users", json={"username": name, "password": password})
    assert made.status_code == 201, made.text
    token = http.post("/api/v1/tokens", json={"username": name, "password": password}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _thread(base: str) -> str:
    with httpx.Client(base_url=base) as http:
        headers = _member(http, "bench_writer")
        thread = http.post("/api/v1/threads", headers=headers, json={
            "title": "Photos from the open day", "body": "Put yours here.", "categories": ["general-chat"]})
        assert thread.status_code == 201, thread.text
        for n in range(REPLIES):
            http.post(f"/api/v1/threads/{thread.json()['id']}/posts", headers=headers,
                      json={"body": f"Reply {n + 1}: what we saw, and what we would change next time."})
        return thread.json()["url"]


class Uploader(threading.Thread):
    """Uploads the picture again and again, one at a time, until told to stop."""

    def __init__(self, base: str, picture: bytes, round_number: int) -> None:
        super().__init__(daemon=True)
        self.base, self.picture, self.round_number = base, picture, round_number
        self.stop = threading.Event()
        self.started_one = threading.Event()
        self.seconds: list[float] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=120) as http:
            headers: dict[str, str] = {}
            while not self.stop.is_set():
                if len(self.seconds) % UPLOADS_PER_MEMBER == 0:
                    headers = _member(http, f"uploader_{self.round_number}_{len(self.seconds)}")
                self.started_one.set()
                began = time.monotonic()
                sent = http.post("/api/v1/uploads", headers=headers, data={"alt": "Noise, as a test"},
                                 files={"file": ("open-day.jpg", self.picture, "image/jpeg")})
                assert sent.status_code == 201, sent.text
                self.seconds.append(time.monotonic() - began)


def _with_uploads(base: str, url: str, picture: bytes, seconds: int,
                  round_number: int) -> tuple[Load, list[float]]:
    uploader = Uploader(base, picture, round_number)
    uploader.start()
    uploader.started_one.wait(30)
    time.sleep(0.5)  # the first picture is on its way in
    try:
        load = wrk(url, CONNECTIONS, seconds, ANON_COOKIE)
    finally:
        uploader.stop.set()
        uploader.join(120)
    return load, uploader.seconds


def run(runs: int, quick: bool) -> list[Row]:
    ensure_wrk()
    seconds = 3 if quick else 15
    picture = big_picture()
    with tempfile.TemporaryDirectory(prefix="forum-bench-uploads-") as folder:
        server = ServerProcess(f"sqlite:///{Path(folder) / 'forum.db'}",
                               extra_env={"FORUM_UPLOADS_URL": f"file://{Path(folder) / 'uploads'}"},
                               log_path=Path(folder) / "server.log").start()
        try:
            url = server.base_url + _thread(server.base_url)
            wrk(url, CONNECTIONS, 2, ANON_COOKIE)  # warm up
            quiet: list[Load] = []
            busy: list[Load] = []
            upload_seconds: list[float] = []
            for number in range(runs):
                order = ("quiet", "busy") if number % 2 == 0 else ("busy", "quiet")
                for side in order:
                    if side == "quiet":
                        quiet.append(wrk(url, CONNECTIONS, seconds, ANON_COOKIE))
                    else:
                        load, took = _with_uploads(server.base_url, url, picture, seconds, number)
                        busy.append(load)
                        upload_seconds += took
                say(f"  run {number + 1}: p99 {quiet[-1].p99_ms:.1f} ms quiet, {busy[-1].p99_ms:.1f} ms "
                    f"with uploads ({len(upload_seconds)} uploads so far)")
        finally:
            server.stop()
    name = f"thread page, {CONNECTIONS} connections, 10 MB pictures uploading"
    p99_busy, p99_quiet = median(b.p99_ms for b in busy), median(q.p99_ms for q in quiet)
    rps_busy = median(b.requests_per_second for b in busy)
    rps_quiet = median(q.requests_per_second for q in quiet)
    note = (f"{len(upload_seconds)} uploads of {len(picture) / 1048576:.1f} MB, one at a time, "
            f"{statistics.median(upload_seconds):.2f} s each (median); baseline: the same page, no uploads")
    rows = [Row(name, "p99 latency (ms)", p99_busy, p99_quiet, f"<= {TARGET_RATIO:g}x no uploads",
                p99_busy <= TARGET_RATIO * p99_quiet, [b.p99_ms for b in busy], note),
            Row(name, "requests/s", rps_busy, rps_quiet, "for the record", True,
                [b.requests_per_second for b in busy])]
    save("uploads", rows)
    return rows


if __name__ == "__main__":
    part_main(run, __doc__, "3 s per measurement instead of 15")
