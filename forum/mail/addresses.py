"""Email addresses as members type them, and text made safe for a header."""

from __future__ import annotations

import re
from email.headerregistry import Address

from forum.validation import ValidationError

EMAIL_MAX = 254  # the most a forward path can carry (RFC 5321 section 4.5.3.1)
# Deliberately plain: one @, no spaces or angle brackets, a dotted domain. Whether the address
# really receives mail is what the confirmation link finds out.
EMAIL_PATTERN = re.compile(r"^[^@\s<>()\[\],;:\"\\]+@[^@\s<>()\[\],;:\"\\]+\.[^@\s<>()\[\],;:\"\\]+$")


def normalise_email(value: object) -> str:
    """Stripped and lower-cased as a whole. The domain is case-insensitive by RFC 5321; the local
    part may in theory not be, but no mail provider in use treats it so, and lower-casing it is
    what makes one address one account whatever case it is typed in."""
    if not isinstance(value, str):
        raise ValidationError({"email": "must be text"})
    return value.strip().lower()


def check_email(value: object) -> str:
    email = normalise_email(value)
    if not email:
        raise ValidationError({"email": "Give your email address."})
    if len(email) > EMAIL_MAX or not EMAIL_PATTERN.fullmatch(email) or not email.isascii():
        raise ValidationError({"email": "That does not look like an email address (name@example.org)."})
    return email


def one_line(text: str, limit: int = 200) -> str:
    """Text for a header: every run of whitespace (CR and LF among it) one space, so nothing a
    member types (a display name, a thread title) can start a header of its own."""
    return " ".join(text.split())[:limit]


def mailbox(display_name: str, email: str) -> Address:
    """"Name <address>", the name quoted or encoded as it needs."""
    return Address(display_name=one_line(display_name, 80), addr_spec=email)
