"""Upload a file: check who asks and how much they sent today, tell what the bytes are (never
from the name), re-encode pictures, store every size, then record the upload."""

from __future__ import annotations

from typing import Any

from forum.actions import require_writer
from forum.auth import Member
from forum.characters import text_problem
from forum.clock import utcnow
from forum.db import uploads
from forum.ratelimit import RateLimited
from forum.ratelimit.limits import UPLOAD_DAILY_QUOTA_FILES, UPLOADS_PER_MEMBER
from forum.services import Forum
from forum.storage import UploadTooLarge, size_in_words
from forum.storage.documents import identify
from forum.storage.pictures import Picture, looks_like_picture
from forum.uploads_markdown import keys_in
from forum.validation import ValidationError

MAX_NAME = 200
MAX_ALT = 500
QUOTA_RETRY_SECONDS = 3600  # the day's window slides: some of it frees up within hours


def clean_name(name: Any) -> str:
    """The name as the reader will see it on the card and in the download: no folders, no
    control characters."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if c.isprintable()).strip() or "file"
    return text[-MAX_NAME:]


async def upload(forum: Forum, member: Member | None, data: bytes, name: Any, alt: Any) -> Any:
    """Returns the new upload's row; raises UploadRefused (forum.storage), ValidationError or
    RateLimited."""
    member = require_writer(member)
    limit = forum.settings.upload_max_bytes
    if len(data) > limit:
        raise UploadTooLarge(f"Files are limited to {size_in_words(limit)}; "
                             f"that one is {size_in_words(len(data))}.")
    if not data:
        raise ValidationError({"file": "Choose a file to upload."})
    alt_text = " ".join(str(alt or "").split())[:MAX_ALT]
    if problem := text_problem(alt_text):
        raise ValidationError({"alt": problem})
    now = utcnow()
    quota = UPLOAD_DAILY_QUOTA_FILES * limit
    if await uploads.bytes_since(forum.db, member.id, uploads.day_before(now)) + len(data) > quota:
        raise RateLimited(QUOTA_RETRY_SECONDS, f"You have uploaded {size_in_words(quota)} in the last day, "
                          "the most the forum takes from one member. Try again in a few hours.")
    await forum.limits.take(f"upload:{member.id}", UPLOADS_PER_MEMBER, "You are uploading faster "
                            "than the forum allows.")
    file_name = clean_name(name)
    if looks_like_picture(data):
        if not alt_text:
            raise ValidationError({"alt": "Describe the picture for people who cannot see it."})
        # Decoding a large picture takes a CPU for a while: never on the event loop.
        picture = await forum.pictures.reencode(data)
        return await _store_picture(forum, member, picture, file_name, alt_text, now)
    document = identify(data, file_name)
    key = await forum.uploads.put(data, document.extension)
    upload_id = await uploads.insert(
        forum.db, owner_id=member.id, key=key, sha256=key.split(".")[0],
        content_type=document.content_type, size=len(data), original_name=file_name, alt=alt_text,
        created_at=now)
    await _still_stored(forum, [(data, document.extension)])
    return await uploads.by_id(forum.db, upload_id)


async def _still_stored(forum: Forum, files: list[tuple[bytes, str]]) -> None:
    """Store again what the sweep removed meanwhile. Keys name contents, so an older, unused
    upload of the same bytes may have been swept between storing them and recording this one;
    the sweep deletes under a lock that held the insert back, so once recorded, they are seen
    gone. (put stores only what is missing.)"""
    for data, extension in files:
        await forum.uploads.put(data, extension)


async def named_in(forum: Forum, body: str) -> dict[str, Any]:
    """The uploads a post's text shows, for rendering it (forum.text.render_markdown)."""
    return await uploads.by_keys(forum.db, keys_in(body))


async def mark_used(forum: Forum, shown: dict[str, Any]) -> None:
    """Inside the post's transaction: a file a post shows is not swept away."""
    await uploads.mark_used(forum.db, set(shown), utcnow())


async def _store_picture(forum: Forum, member: Member, picture: Picture, name: str, alt: str,
                         now: Any) -> Any:
    sizes = [(r.data, picture.extension) for r in (picture.full, picture.display, picture.thumbnail)]
    keys = [await forum.uploads.put(data, extension) for data, extension in sizes]
    upload_id = await uploads.insert(
        forum.db, owner_id=member.id, key=keys[0], sha256=keys[0].split(".")[0],
        content_type=picture.content_type, size=len(picture.full.data),
        width=picture.full.width, height=picture.full.height, display_key=keys[1],
        display_width=picture.display.width, display_height=picture.display.height,
        thumbnail_key=keys[2], original_name=name, alt=alt, created_at=now)
    await _still_stored(forum, sizes)
    return await uploads.by_id(forum.db, upload_id)


