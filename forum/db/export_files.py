"""The uploaded files in a `forum export`: one {"file": key, "data": base64} line per stored
file, after the table rows and before the footer.

Inside the one JSON lines file rather than a folder beside it: an export stays one file that
can go to standard output, be compressed, copied and checked as a whole, and the footer's
counts cover the files too. Base64 costs a third more space; compression wins most of it back
for documents (pictures are compressed already). Keys name their contents (SHA-256), so an
import checks every file against its key: a damaged one is refused, never served."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import IO, Any

from forum.db import bulk
from forum.db.engine import Database
from forum.db.tables import uploads
from forum.db.uploads import sizes_of
from forum.storage import BadKey, Storage, check_key


class FileLineError(ValueError):
    """A file line that is not whole, or bytes that are not what their key names."""


async def write_files(db: Database, store: Storage, out: IO[str]) -> tuple[int, list[str]]:
    """Write every file the uploads name, once each. Returns (files written, keys whose bytes
    the store no longer has: left out, and told)."""
    written, missing, seen = 0, [], set[str]()
    async for rows in bulk.batches(db, uploads):
        for row in rows:
            for key in sorted(sizes_of(row) - seen):
                seen.add(key)
                data = await store.read(key)
                if data is None:
                    missing.append(key)
                    continue
                out.write(json.dumps({"file": key, "data": base64.b64encode(data).decode("ascii")}) + "\n")
                written += 1
    return written, missing


async def store_file(store: Storage, item: dict[str, Any]) -> None:
    key, data = item.get("file"), item.get("data")
    if not isinstance(key, str) or not isinstance(data, str):
        raise FileLineError("a file line needs a key and its data")
    try:
        check_key(key)
        content = base64.b64decode(data, validate=True)
    except (BadKey, binascii.Error):
        raise FileLineError(f"the file line for {key[:80]!r} is damaged") from None
    if hashlib.sha256(content).hexdigest() != key.split(".")[0]:
        raise FileLineError(f"the bytes of {key} are not the ones its key names: the file is damaged")
    await store.put(content, key.split(".")[1])
