"""Every rate limit the forum applies: (allowance, window in seconds), one place to read them."""

from __future__ import annotations

SIGNUPS_PER_ADDRESS = (5, 3600)
# Failed log-ins refuse per (account, address) and per address, never per account alone:
# a stranger's guesses would lock the owner out. Past the per-account ceiling each attempt
# waits SLOW_LOGIN_SECONDS instead, and the owner is told.
FAILED_LOGINS_PER_ACCOUNT_AND_ADDRESS = (5, 900)
FAILED_LOGINS_PER_ADDRESS = (20, 900)
FAILED_LOGINS_PER_ACCOUNT = (50, 3600)
SLOW_LOGIN_SECONDS = 1.0
# Mail a stranger can make the forum send: confirmation links and password resets.
EMAIL_CHANGES_PER_ACCOUNT = (5, 3600)
PASSWORD_RESETS_PER_EMAIL = (3, 3600)
PASSWORD_RESETS_PER_ACCOUNT = (3, 3600)
PASSWORD_RESETS_PER_ADDRESS = (20, 3600)
POSTS_PER_MEMBER = (10, 60)
POSTS_PER_NEW_MEMBER = (3, 60)  # in their first day: spam accounts are young
NEW_MEMBER_SECONDS = 24 * 3600
# Reactions are cheap to give and each one tells the post's author: a click-storm is a flood.
REACTIONS_PER_MEMBER = (30, 60)
# Private messages reach people directly, so they count apart from posts and as strictly.
MESSAGES_PER_MEMBER = (10, 60)
UPLOADS_PER_MEMBER = (20, 60)
# Each member may upload this many of the largest files a day (FORUM_UPLOAD_MAX_BYTES each).
UPLOAD_DAILY_QUOTA_FILES = 20
# Keys not touched for this long are forgotten, so memory stays bounded.
