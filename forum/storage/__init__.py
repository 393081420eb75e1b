"""Where uploaded files live: a small interface with two backends, picked by URL scheme
(file:// on this machine, s3:// in any S3-compatible object store), imported only when used.

Keys are content-addressed: the SHA-256 of the bytes and an extension, so the same file stored
twice is stored once, a key never names two contents, and a served file may be cached forever."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from forum.settings import sqlite_path

KEY = re.compile(r"[0-9a-f]{64}\.[a-z0-9]{1,5}")


class UploadRefused(ValueError):
    """A file the forum will not keep; the message says why, in words for people."""


class UploadTooLarge(UploadRefused):
    """Larger than FORUM_UPLOAD_MAX_BYTES: a 413."""


class BadKey(ValueError):
    """Not a key this forum makes: never let one reach a file path or a bucket."""


def size_in_words(size: int) -> str:
    """10485760 -> '10 MB', 150000 -> '146.5 KB'."""
    number, unit = (size / 1048576, "MB") if size >= 1048576 else (size / 1024, "KB")
    return f"{number:.1f}".removesuffix(".0") + f" {unit}"


def key_for(data: bytes, extension: str) -> str:
    key = f"{hashlib.sha256(data).hexdigest()}.{extension}"
    check_key(key)
    return key


def check_key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise BadKey(f"{key!r} is not an upload key")
    return key


class Storage(Protocol):
    async def put(self, data: bytes, extension: str) -> str:
        """Store the bytes (once: an existing key is left as it is); returns the key."""

    async def read(self, key: str) -> bytes | None:
        """The bytes behind a key, or None when there are none."""

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Gone afterwards; deleting what is not there is not an error."""

    async def close(self) -> None: ...


def storage_for(uploads_url: str, database_url: str) -> Storage:
    """file://./uploads (a relative path is beside the SQLite file, or the working directory
    for other databases), file:///abs/path, or s3://bucket?endpoint=http://host:port."""
    parts = urlsplit(uploads_url)
    if parts.scheme == "file":
        path = Path(parts.netloc + parts.path)
        if not path.is_absolute():
            db_file = sqlite_path(database_url)
            path = (db_file.parent if db_file else Path(".")) / path
        from forum.storage.local import LocalStorage

        return LocalStorage(path)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError("FORUM_UPLOADS_URL: s3:// needs a bucket name, s3://bucket")
        endpoint = parse_qs(parts.query).get("endpoint", [None])[0]
        from forum.storage.s3 import S3Storage

        return S3Storage(parts.netloc, endpoint, prefix=parts.path.strip("/"))
    raise ValueError(f"FORUM_UPLOADS_URL must start with file:// or s3://, not {uploads_url!r}")
