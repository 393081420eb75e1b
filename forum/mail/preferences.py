"""What email a member wants: their notifications immediately, in a daily digest, or none."""

from __future__ import annotations

from forum.validation import ValidationError

EMAIL_NOTIFICATIONS = {"immediately": "Immediately", "daily": "Daily digest", "off": "Off"}


def check_email_notifications(value: object) -> str:
    if not isinstance(value, str) or value not in EMAIL_NOTIFICATIONS:
        raise ValidationError({"email_notifications": "Choose immediately, daily or off."})
    return value
