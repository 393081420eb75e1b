"""Opaque keyset cursors: the last row's sort key, so the next page is one index range scan
(no OFFSET, which reads and throws away every row before the page)."""

from __future__ import annotations

import base64
import json
from typing import Any


class BadCursor(ValueError):
    pass


def encode(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as error:
        raise BadCursor("cursor is not one this forum gave out") from error
    if not isinstance(key, list) or len(key) != arity:
        raise BadCursor("cursor is not one this forum gave out")
    return key
