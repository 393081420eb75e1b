"""The one parser for ids that come from outside: path segments, query strings, form fields and
JSON bodies. Every id column is a 32-bit INTEGER on PostgreSQL, so a bigger number names
nothing; passed on, it overflowed inside asyncpg (a 500) instead of being a 404 or a 400. And
str.isdigit() and int() take more than ASCII digits ("²", "٣", "１", " 1", "1_0")."""

from __future__ import annotations

import re
from typing import Any

from starlette.convertors import Convertor, register_url_convertor

from forum.validation import ValidationError

MAX_ID = 2**31 - 1


def _digits_from_one_to(limit: int) -> str:
    """A regex for exactly the whole numbers 1..limit, written the one way str(n) writes them
    (ASCII digits, no sign, no leading zero)."""
    text = str(limit)
    options = [f"[1-9][0-9]{{0,{len(text) - 2}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):  # as long as limit: equal up to i, then a smaller digit
        lowest = 1 if i == 0 else 0
        if int(digit) > lowest:
            rest = len(text) - i - 1
            options.append(f"{text[:i]}[{lowest}-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    return "(?:" + "|".join([*options, text]) + ")"


ID_REGEX = _digits_from_one_to(MAX_ID)
_ID = re.compile(ID_REGEX)


def parse_id(value: Any) -> int | None:
    """The id `value` gives (digits as text, or a JSON integer), or None when it is no id."""
    if type(value) is int:  # not True, not 1.0
        return value if 1 <= value <= MAX_ID else None
    if isinstance(value, str) and _ID.fullmatch(value):
        return int(value)
    return None


def id_field(value: Any, field: str, what: str = "an id") -> int:
    """An id a query string, form or JSON body must carry: a 400 naming the field otherwise."""
    number = parse_id(value)
    if number is None:
        raise ValidationError({field: f"must be {what}, a whole number from 1 to {MAX_ID}"})
    return number


class IdConvertor(Convertor[int]):
    """`{post_id:id}` in a route: like Starlette's `:int` (which takes any number of digits),
    but a path whose id no row can have matches no route, so it is a 404."""

    regex = ID_REGEX

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", IdConvertor())
