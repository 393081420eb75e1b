"""The library: browsing resources and case studies, adding one, featuring some."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions import NotFound, PermissionDenied
from forum.actions import library as library_actions
from forum.actions import uploads as upload_actions
from forum.actions.library_live import item_views
from forum.db import channels, cursors, library, search, tags, threads
from forum.ratelimit import RateLimited
from forum.routes._common import (
    forum_of,
    member_of,
    read_form,
    render,
    render_limited,
    require_owner_or_moderator,
)
from forum.routes._composer_files import read_composer_form
from forum.search_query import QueryError, parse
from forum.services import Forum
from forum.storage import UploadRefused, UploadTooLarge
from forum.tag_names import is_valid_name, split_line, tag_key
from forum.validation import ValidationError, plain_text
from forum.web.templating import thread_url

ITEMS_PER_PAGE = 20
# Words narrow the library through the search index: its best matches, up to this many threads.
SEARCHED_THREADS = 200
EDITABLE = ("link", "resource_type", "year", "organisation", "location", "what_was_done", "outcomes",
            "contact")
FIELDS = ("kind", "title", "body", "link", "resource_type", "year", "organisation", "location",
          "what_was_done", "outcomes", "contact", "tags", "upload_id", "alt")


async def browse(forum: Forum, params: QueryParams) -> dict[str, Any]:
    """The items the query string asks for. Raises ValidationError naming the field."""
    for field in ("kind", "tag", "channel", "q", "sort", "cursor"):
        plain_text(params.get(field), field)
    kind, sort = params.get("kind") or None, params.get("sort") or "newest"
    if kind and kind not in library_actions.KINDS:
        raise ValidationError({"kind": "Choose resource or case_study."})
    if sort not in library.SORTS:
        raise ValidationError({"sort": "Sort by newest or discussed."})
    tag = None
    if params.get("tag"):
        name = params["tag"].strip().removeprefix("#")
        tag = await tags.by_key(forum.db, tag_key(name)) if is_valid_name(name) else None
        if tag is None:
            raise ValidationError({"tag": "No thread carries that tag."})
    channel = params.get("channel") or None
    if channel and await channels.by_slug(forum.db, channel) is None:
        raise ValidationError({"channel": "No channel has that name."})
    thread_ids = None
    if params.get("q"):
        try:
            query = parse(params["q"])
        except QueryError as error:
            raise ValidationError({"q": str(error)}) from None
        found, _ = await search.search(forum.db, query, limit=SEARCHED_THREADS)
        thread_ids = [r["thread_id"] for r in found]
    try:
        rows, next_cursor = await library.listing(
            forum.db, kind=kind, tag_id=tag["id"] if tag else None, channel=channel,
            thread_ids=thread_ids, sort=sort, cursor=params.get("cursor"), limit=ITEMS_PER_PAGE)
    except cursors.BadCursor as error:
        raise ValidationError({"cursor": str(error)}) from None
    return {"items": await item_views(forum, rows), "next_cursor": next_cursor, "tag": tag}


async def library_page(request: Request) -> Response:
    forum = forum_of(request)
    params = request.query_params
    context: dict[str, Any] = {"params": dict(params), "items": [], "next_cursor": None, "errors": {},
                               "kinds": library_actions.KINDS, "featured": [],
                               "channels": await channels.all_channels(forum.db)}
    status = 200
    try:
        context.update(await browse(forum, params))
    except ValidationError as error:
        context["errors"], status = error.fields, 400
    if context["next_cursor"]:
        context["next_query"] = urlencode({**params, "cursor": context["next_cursor"]})
    # A new item goes first in the first page of a newest-first list; where it may sort lower
    # (most discussed, a later page) or words must match it, the page offers to show it.
    if status == 200:
        first = not (params.get("cursor") or params.get("q") or params.get("sort") == "discussed")
        context["live_mode"] = "insert" if first else "notice"
    if not params.get("cursor"):
        context["featured"] = await item_views(forum, await library.featured(forum.db))
    return await render(request, "library/library.html", context, status_code=status)


async def new_item(request: Request) -> Response:
    forum = forum_of(request)
    member = await member_of(request)
    if member is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    context: dict[str, Any] = {
        "errors": {}, "all_channels": await channels.all_channels(forum.db),
        "kinds": library_actions.KINDS, "resource_types": library_actions.RESOURCE_TYPES,
        "form": {"kind": request.query_params.get("kind", "resource"), "categories": ["tools-methods"]}}
    if request.method == "GET":
        return await render(request, "library/new.html", context)
    form, posted = await read_composer_form(request)
    values: dict[str, Any] = {f: str(form.get(f, "")) for f in FIELDS}
    values["categories"] = [str(v) for v in form.getlist("categories")]
    context["form"] = values
    try:
        if posted is not None:  # kept in the form, so a refused form never uploads it twice
            row = await upload_actions.upload(forum, member, posted.data, posted.name, values["alt"])
            values["upload_id"] = str(row["id"])
        _, thread_id = await library_actions.create_item(forum, member, {
            **values, "tags": split_line(values["tags"])})
    except ValidationError as error:
        context["errors"] = error.fields
        return await render(request, "library/new.html", context, status_code=400)
    except UploadRefused as error:
        context["errors"] = {"file": str(error)}
        return await render(request, "library/new.html", context,
                            status_code=413 if isinstance(error, UploadTooLarge) else 400)
    except PermissionDenied as error:
        context["errors"] = {"form": str(error)}
        return await render(request, "library/new.html", context, status_code=403)
    except RateLimited as error:
        return await render_limited(request, "library/new.html", context, error)
    return RedirectResponse(thread_url(await threads.existing(forum.db, thread_id)), status_code=303)


async def edit_item(request: Request) -> Response:
    """The item's author or a moderator edits its fields (a plain form)."""
    forum = forum_of(request)
    item = await library.by_id(forum.db, request.path_params["item_id"])
    if item is None:
        raise HTTPException(404, "No library item has that id.")
    member = await member_of(request)
    if member is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    require_owner_or_moderator(member, item["author_id"],
                               "Only the person who added it or a moderator can edit this item.")
    context: dict[str, Any] = {"item": item, "errors": {}, "resource_types": library_actions.RESOURCE_TYPES,
                               "form": {f: "" if item[f] is None else str(item[f]) for f in EDITABLE}}
    if request.method == "GET":
        return await render(request, "library/edit.html", context)
    form = await read_form(request)
    context["form"] = {f: str(form.get(f, "")) for f in EDITABLE}
    try:
        await library_actions.update_item(forum, member, item["id"], context["form"])
    except PermissionDenied as error:
        raise HTTPException(403, str(error)) from None
    except ValidationError as error:
        context["errors"] = error.fields
        return await render(request, "library/edit.html", context, status_code=400)
    return RedirectResponse(thread_url({"id": item["thread_id"], "slug": item["slug"]}), status_code=303)


async def feature(request: Request) -> Response:
    forum = forum_of(request)
    if request.path_params["verb"] not in ("feature", "unfeature"):
        raise HTTPException(404, "There is nothing at this address.")
    await read_form(request)
    value = request.path_params["verb"] == "feature"
    try:
        await library_actions.set_featured(forum, await member_of(request), request.path_params["item_id"],
                                           value)
    except PermissionDenied as error:
        raise HTTPException(403, str(error)) from None
    except NotFound as error:
        raise HTTPException(404, str(error)) from None
    return RedirectResponse("/library", status_code=303)


routes = [
    Route("/library", library_page, name="library"),
    Route("/library/new", new_item, methods=["GET", "POST"], name="new_library_item"),
    Route("/library/{item_id:id}/edit", edit_item, methods=["GET", "POST"], name="edit_library_item"),
    Route("/library/{item_id:id}/{verb:str}", feature, methods=["POST"], name="feature_library_item"),
]
