"""Pictures are re-encoded in a separate process, one at a time per forum process.

A thread was not enough: Pillow's encoders hold the GIL while they compress (its decoders let
go of it), so a 9-megapixel JPEG held the event loop for about 180 ms per size saved, and every
page in flight waited (bench/uploads.py measured the thread page's p99 at 20 times its quiet
figure). In a process of its own the work shares only the CPU. One worker also bounds memory:
a 40-megapixel picture decodes to 160 MB, and only one is decoded at a time."""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from forum.storage import UploadRefused
from forum.storage.pictures import Picture, reencode


class PictureWorkers:
    """Started at the first picture, not with the app: most forum processes never see one."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def reencode(self, data: bytes) -> Picture:
        if self._pool is None:
            # Spawned, not forked: a fork of a process with running threads (the database's,
            # the loop's executor) may inherit a lock held mid-use and hang.
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, reencode, data)
        except BrokenProcessPool:  # the worker died (out of memory?): the next picture gets a new one
            pool, self._pool = self._pool, None
            pool.shutdown(wait=False, cancel_futures=True)
            raise UploadRefused("That picture could not be processed; try a smaller one.") from None

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
