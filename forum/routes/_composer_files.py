"""A composer form with a file attached, for browsers without JavaScript: the form is
multipart, the file is uploaded as the API would upload it, and its Markdown is added to the
message before the post is written. A refused file comes back to the form with the reason and
everything typed kept (the Markdown of a file already stored stays in the message, so it is
never sent twice)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

from forum.actions import uploads as upload_actions
from forum.auth import Member
from forum.routes._common import MAX_FORM_BYTES, body_up_to, check_form_csrf, forum_of
from forum.routes._form_body import PostedFile, parse_form_with_files
from forum.storage import size_in_words
from forum.uploads_markdown import markdown_for


async def read_composer_form(request: Request) -> tuple[FormData, PostedFile | None]:
    """The form's fields and its file, if one was chosen. A file up to twice the limit is read,
    so that it can be refused on the form with the text kept; past that the body is refused
    as it arrives."""
    limit = forum_of(request).settings.upload_max_bytes
    body = await body_up_to(request, 2 * limit + MAX_FORM_BYTES,
                            f"That form is too large: files are limited to {size_in_words(limit)}. "
                            "Go back; your text is still in the form.")
    form, files = parse_form_with_files(request.headers, body, {"file"})
    check_form_csrf(request, form)
    return form, files[0] if files else None


async def with_attachment(request: Request, member: Member | None, text: str,
                          posted: PostedFile | None, alt: Any) -> str:
    """The message with the attached file's Markdown after it. Raises UploadRefused,
    ValidationError (no alt text for a picture), PermissionDenied or RateLimited."""
    if posted is None:
        return text
    row = await upload_actions.upload(forum_of(request), member, posted.data, posted.name, alt)
    return f"{text.rstrip()}\n\n{markdown_for(row)}" if text.strip() else markdown_for(row)
