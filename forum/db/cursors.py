"""Opaque keyset cursors: the last row's sort key, so the next page is one index range scan
(no OFFSET, which reads and throws away every row before the page)."""

from __future__ import annotations

import base64
import json
from typing import Any

from forum.ids import parse_id


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


def id_in(value: Any) -> int:
    """The id a decoded cursor carries, through the one id parser: a made-up cursor is decoded
    JSON, and 2**31 or 10**20 there would overflow inside PostgreSQL's driver."""
    number = parse_id(value)
    if number is None:
        raise BadCursor("cursor is not one this forum gave out")
    return number
