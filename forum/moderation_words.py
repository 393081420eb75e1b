"""The moderation log in a volunteer moderator's words. Rows keep the action names they were
stored with ("hide_post", "flag_dismiss", "locked"); only the page translates them, so old
rows read the same as new ones."""

from __future__ import annotations

LOG_WORDS = {
    "hide_post": "hid a post",
    "restore_post": "restored a post",
    "edit_post": "edited a post",
    "delete_post": "deleted a post",
    "flag_hide": "hid a flagged post",
    "flag_dismiss": "dismissed a flag",
    "message_report_dismiss": "dismissed a report of a private message",
    "set_banner": "set the banner",
    "clear_banner": "cleared the banner",
    "pinned": "pinned the thread",
    "unpinned": "unpinned the thread",
    "locked": "locked the thread",
    "unlocked": "unlocked the thread",
    "moved": "moved the thread",
    "suspend": "suspended a member",
    "unsuspend": "lifted a member's suspension",
    "set_role": "changed a member's role",
}


def log_words(action: str) -> str:
    """An action stored before this list knew it still reads as words."""
    return LOG_WORDS.get(action, action.replace("_", " "))
