"""Library items: resources and case studies. Each is a thread (its opening post describes
it; members discuss it like any other) plus a row of fields, written in the thread's own
transaction, as an event is."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from forum.actions import NotFound, PermissionDenied, require_moderator, require_writer
from forum.actions import threads as thread_actions
from forum.actions import uploads as upload_actions
from forum.actions.library_live import KINDS, announce_new_item, item_changed
from forum.auth import Member
from forum.clock import utcnow
from forum.db import library, live_log, moderation, posts, search, threads
from forum.db import uploads as upload_queries
from forum.ids import parse_id
from forum.services import Forum
from forum.uploads_markdown import keys_in, markdown_for
from forum.validation import FieldErrors, ValidationError, lines_of, plain_text

RESOURCE_TYPES = {"toolkit": "Toolkit", "guide": "Guide", "report": "Report", "video": "Video",
                  "website": "Website", "other": "Other"}
LINK_MAX = 500
SHORT_MAX = {"organisation": 120, "location": 120, "contact": 200}
LONG_MAX = 5_000  # what was done, what changed
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


def check_kind(value: Any) -> str:
    if not isinstance(value, str) or value not in KINDS:
        raise ValidationError({"kind": "Choose what it is: a resource or a case study."})
    return str(value)


def check_link(value: Any) -> str:
    """An http(s) address with a host, or nothing: never javascript:, data: or a bare word."""
    link = plain_text(value, "link").strip() if value is not None else ""
    if not link:
        return ""
    parts = urlsplit(link) if not _SPACE_OR_CONTROL.search(link) else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError({"link": "Give a web address starting with https:// or http://."})
    if len(link) > LINK_MAX:
        raise ValidationError({"link": f"Keep the address to {LINK_MAX} characters."})
    return link


def check_resource_type(value: Any) -> str:
    if value in (None, ""):
        return "other"
    if not isinstance(value, str) or value not in RESOURCE_TYPES:
        raise ValidationError({"resource_type": "Choose toolkit, guide, report, video, website or other."})
    return str(value)


def check_year(value: Any, now: datetime) -> int | None:
    if value in (None, ""):
        return None
    year = value if type(value) is int else parse_id(value)
    if year is None or not 1900 <= year <= now.year + 1:
        raise ValidationError({"year": f"Give a year from 1900 to {now.year + 1}."})
    return int(year)


def _short(field: str) -> Any:
    def check(value: Any) -> str:
        text = " ".join(plain_text(value or "", field).split())
        if len(text) > SHORT_MAX[field]:
            raise ValidationError({field: f"Use at most {SHORT_MAX[field]} characters."})
        return text
    return check


def _long(field: str) -> Any:
    def check(value: Any) -> str:
        text = lines_of(value or "", field).strip()
        if len(text) > LONG_MAX:
            raise ValidationError({field: f"Use at most {LONG_MAX:,} characters."})
        return text
    return check


async def _check_upload(forum: Forum, member: Member, value: Any) -> Any:
    if value in (None, ""):
        return None
    upload_id = parse_id(value)
    upload = await upload_queries.by_id(forum.db, upload_id) if upload_id else None
    # Another member's upload is not yours to publish: the same answer as for none at all.
    if upload is None or not member.owns_or_moderates(upload["owner_id"]):
        raise ValidationError({"upload_id": "No upload of yours has that id: upload the file first."})
    return upload


def searchable_text(fields: dict[str, Any]) -> str:
    """The fields people search an item by, added to its opening post's indexed words."""
    words = [KINDS[fields["kind"]], RESOURCE_TYPES.get(fields["resource_type"] or "", ""),
             fields["organisation"], fields["location"], fields["what_was_done"], fields["outcomes"],
             str(fields["year"] or "")]
    return "\n".join(w for w in words if w)


def _check_fields(errors: FieldErrors, kind: str | None, data: dict[str, Any],
                  now: datetime) -> dict[str, Any]:
    return {
        "link": errors.check("link", check_link, data.get("link")),
        "resource_type": (errors.check("resource_type", check_resource_type, data.get("resource_type"))
                          if kind == "resource" else None),
        "year": errors.check("year", check_year, data.get("year"), now),
        **{f: errors.check(f, _short(f), data.get(f)) for f in SHORT_MAX},
        **{f: errors.check(f, _long(f), data.get(f)) for f in ("what_was_done", "outcomes")},
    }


async def create_item(forum: Forum, member: Member | None, data: dict[str, Any]) -> tuple[int, int]:
    """Returns (item id, thread id). Every field's problem is reported at once."""
    member = require_writer(member)
    now = utcnow()
    errors = FieldErrors()
    kind = errors.check("kind", check_kind, data.get("kind"))
    fields: dict[str, Any] = {"kind": kind, **_check_fields(errors, kind, data, now)}
    upload = None
    try:
        upload = await _check_upload(forum, member, data.get("upload_id"))
    except ValidationError as error:
        errors.fields.update(error.fields)
    body = data.get("body")
    if upload is None and "upload_id" not in errors.fields and isinstance(body, str):
        text = body
        # With JavaScript the composer uploads the file and names it in the message: the first
        # of the member's own files the message shows is the item's file.
        shown = [row for row in (await upload_actions.named_in(forum, body)).values()
                 if row["owner_id"] == member.id]
        upload = min(shown, key=lambda row: text.index(row["key"]), default=None)
    if kind == "resource" and not errors.fields.get("link") and not fields["link"] and upload is None:
        errors.fields["link"] = "A resource needs a web address or a file."
    if upload is not None and isinstance(body, str) and upload["key"] not in keys_in(body):
        body = f"{body.rstrip()}\n\n{markdown_for(upload)}" if body.strip() else markdown_for(upload)
    if errors.fields:  # the thread's own fields are checked too, so all show at once
        try:
            await thread_actions.check_thread(forum, member, data.get("title"), body,
                                              data.get("categories"), data.get("tags"))
        except ValidationError as error:
            errors.fields = {**error.fields, **errors.fields}
        errors.raise_if_any()
    item_id = 0

    async def with_thread(thread_id: int) -> None:
        nonlocal item_id
        item_id = await library.insert(forum.db, thread_id=thread_id,
                                       upload_id=upload["id"] if upload else None, **fields)
        post = await posts.opening_post(forum.db, thread_id)
        thread = await threads.existing(forum.db, thread_id)
        await search.index_post(forum.db, post["id"], thread["title"],
                                post["body"] + "\n" + searchable_text(fields))
        await announce_new_item(forum, item_id)

    thread_id = await thread_actions.create_thread(forum, member, data.get("title"), body,
                                                   data.get("categories"), tags=data.get("tags"),
                                                   with_thread=with_thread)
    return item_id, thread_id


async def update_item(forum: Forum, member: Member | None, item_id: int, data: dict[str, Any]) -> None:
    """Its author or a moderator changes an item's fields (not its kind; the description is the
    opening post, edited as any post is)."""
    member = require_writer(member)
    item = await library.by_id(forum.db, item_id)
    if item is None:
        raise NotFound("No library item has that id.")
    if not member.owns_or_moderates(item["author_id"]):
        raise PermissionDenied("Only the person who added it or a moderator can edit this item.")
    errors = FieldErrors()
    fields = _check_fields(errors, item["kind"], data, utcnow())
    if item["kind"] == "resource" and not errors.fields and not fields["link"] and item["upload_id"] is None:
        errors.fields["link"] = "A resource needs a web address or a file."
    errors.raise_if_any()
    async with forum.db.transaction():
        await library.update(forum.db, item_id, **fields)
        post = await posts.opening_post(forum.db, item["thread_id"])
        await search.index_post(forum.db, post["id"], item["title"],
                                post["body"] + "\n" + searchable_text({"kind": item["kind"], **fields}))
        if member.id != item["author_id"]:
            await moderation.record(forum.db, member.id, "edit_library_item", thread_id=item["thread_id"])
        # The thread page shows the item's details: its cached copies go (forum/web/invalidation.py).
        await live_log.append(forum.db, f"thread:{item['thread_id']}", "library.updated",
                               {"thread_id": item["thread_id"], "item_id": item_id})
        await item_changed(forum, item["thread_id"])


async def set_featured(forum: Forum, member: Member | None, item_id: int, value: bool) -> None:
    require_moderator(member)
    item = await library.by_id(forum.db, item_id)
    if item is None:
        raise NotFound("No library item has that id.")
    async with forum.db.transaction():
        await library.set_featured(forum.db, item_id, value)
        await item_changed(forum, item["thread_id"])
