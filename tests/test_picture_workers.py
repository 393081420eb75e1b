"""Re-encoding a picture never holds the event loop: Pillow's encoders keep the GIL while they
compress, so the work runs in a process of its own (forum/storage/picture_workers.py)."""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import os
import time

from PIL import Image

from tests.helpers import api_token

# A page is answered in a few milliseconds; an encode of this picture holds a thread's GIL
# for 150 ms. Generous for a busy machine (10 ms is usual), well below what a held loop shows.
LONGEST_GAP_SECONDS = 0.08


def big_photo() -> bytes:
    """9 megapixels that compress badly: every size takes long to encode."""
    image = Image.frombytes("RGB", (3400, 2550), os.urandom(3400 * 2550 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


async def test_the_loop_keeps_turning_while_a_big_picture_is_reencoded(client):
    member = await api_token(client, "pia")
    photo = big_photo()
    warm = await client.post("/api/v1/uploads", headers=member, data={"alt": "Warming up"},
                             files={"file": ("small.png", _small_png())})
    assert warm.status_code == 201  # the worker is started: its start is not what is measured
    gaps: list[float] = []

    async def tick() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.002)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    response = await client.post("/api/v1/uploads", headers=member, data={"alt": "Noise"},
                                 files={"file": ("noise.jpg", photo, "image/jpeg")})
    ticker.cancel()
    assert response.status_code == 201, response.text
    assert response.json()["width"] == 3400
    assert max(gaps) < LONGEST_GAP_SECONDS, sorted(gaps)[-5:]


async def test_a_picture_the_worker_cannot_finish_is_refused_and_the_next_one_goes_in(client):
    member = await api_token(client, "pia")
    assert (await client.post("/api/v1/uploads", headers=member, data={"alt": "A square"},
                              files={"file": ("a.png", _small_png())})).status_code == 201
    workers = multiprocessing.active_children()
    assert workers  # the picture was re-encoded in a process of its own
    for process in workers:
        process.kill()  # as the kernel would, out of memory
        process.join()
    refused = await client.post("/api/v1/uploads", headers=member, data={"alt": "A square"},
                                files={"file": ("b.png", _small_png((80, 60)))})
    assert refused.status_code == 400 and "could not be processed" in refused.text
    again = await client.post("/api/v1/uploads", headers=member, data={"alt": "A square"},
                              files={"file": ("c.png", _small_png((90, 70)))})
    assert again.status_code == 201, again.text


def _small_png(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#38a169").save(out, "PNG")
    return out.getvalue()
