"""Which characters people may type, the same for forms and the API: no control characters
(PostgreSQL cannot store NUL at all), no bytes that are not UTF-8, and in names nothing
invisible or direction-changing, so nobody can pass for someone else."""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls and DEL; tab, line feed and carriage return are handled before this runs.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A lone surrogate: "\udc80" in JSON, or a byte a form sent that is not UTF-8 (read_form keeps
# such bytes as surrogate escapes so this rule can name the field instead of storing garbage).
SURROGATE = re.compile("[\ud800-\udfff]")
# Bidi embeddings, overrides and isolates: they reorder what follows ("moc.elpmaxe" shown as
# "example.com"), in a title as much as in a name.
DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Shown as nothing though not format characters: Hangul fillers, the combining grapheme joiner,
# the Braille blank. Format characters (category Cf: zero-width spaces and joiners, U+FEFF,
# direction marks, soft hyphen) are found by category.
BLANK_LETTERS = frozenset("\u034f\u115f\u1160\u2800\u3164\uffa0")

NOT_UTF8 = ("This text has characters that could not be read (it was not sent as UTF-8). "
            "Check it and send it again.")
CONTROL_MESSAGE = ("This text contains a control character (such as NUL) that cannot be stored. "
                   "Remove it and try again.")
NAME_INVISIBLE = "Names cannot contain invisible or direction-changing characters."
DIRECTION_MESSAGE = "Titles cannot contain direction-changing characters."


def text_problem(text: str) -> str | None:
    """What makes this text unstorable, in words for the person who typed it, or None."""
    if SURROGATE.search(text):
        return NOT_UTF8
    if CONTROL.search(text):
        return CONTROL_MESSAGE
    return None


def readable(text: str) -> str:
    """The text with undecodable bytes shown as U+FFFD, to put back in a form for correcting."""
    return SURROGATE.sub("\ufffd", text)


def has_invisible(name: str) -> bool:
    """Anything in a name that shows as nothing or reorders what follows."""
    return any(ch in BLANK_LETTERS or unicodedata.category(ch) == "Cf" for ch in name)


def has_direction_change(text: str) -> bool:
    return DIRECTION.search(text) is not None
