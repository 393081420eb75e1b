"""Uploads as files in a directory on this machine, two hex digits of fan-out deep."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from forum.storage import check_key, key_for


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key

    async def put(self, data: bytes, extension: str) -> str:
        key = key_for(data, extension)
        await asyncio.to_thread(self._write, self.path_of(key), data)
        return key

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader never sees half a file, and two processes
        # storing the same content both end with the one whole file.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def read(self, key: str) -> bytes | None:
        path = self.path_of(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path_of(key).is_file)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path_of(key).unlink, missing_ok=True)

    async def close(self) -> None:
        pass
