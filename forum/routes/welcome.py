"""/welcome: where a newcomer lands after signing up, to meet the Welcome channel and
introduce themselves."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions import PermissionDenied
from forum.actions.threads import create_thread
from forum.db import channels, posts, threads
from forum.ratelimit import RateLimited
from forum.routes._common import forum_of, member_of, render, render_limited
from forum.routes._composer_files import read_composer_form, with_attachment
from forum.storage import UploadRefused, UploadTooLarge
from forum.validation import ValidationError
from forum.web.templating import thread_url

INTRODUCTION_PROMPT = ("Who are you, where do you work, and what do you hope to share or learn "
                       "here? A few lines is plenty.")


async def welcome_page(request: Request) -> Response:
    member = await member_of(request)
    if member is None:
        return RedirectResponse("/signup", status_code=303)
    forum = forum_of(request)
    welcome = await channels.by_slug(forum.db, "welcome")
    pinned_rows, _ = await threads.in_channel(forum.db, welcome["id"], None, 5)
    pinned = next((t for t in pinned_rows if t["pinned"]), None)
    opening = await posts.opening_post(forum.db, pinned["id"]) if pinned else None
    form: dict[str, str] = {"body": ""}
    errors: dict[str, str] = {}
    status = 200
    context = {"pinned": pinned, "opening": opening, "form": form, "errors": errors,
               "prompt": INTRODUCTION_PROMPT}
    if request.method == "POST":
        submitted, posted = await read_composer_form(request)
        form = {"body": str(submitted.get("body", "")), "alt": str(submitted.get("alt", ""))}
        context["form"] = form
        try:
            form["body"] = await with_attachment(request, member, form["body"], posted, form["alt"])
            thread_id = await create_thread(forum, member, f"Introducing {member.display_name}",
                                            form["body"], ["welcome"], introduction=True)
            return RedirectResponse(thread_url(await threads.existing(forum.db, thread_id)), status_code=303)
        except ValidationError as error:
            context["errors"], status = error.fields, 400
        except UploadRefused as error:
            context["errors"] = {"file": str(error)}
            status = 413 if isinstance(error, UploadTooLarge) else 400
        except PermissionDenied as error:
            context["errors"], status = {"form": str(error)}, 403
        except RateLimited as error:
            return await render_limited(request, "welcome.html", context, error)
    return await render(request, "welcome.html", context, status_code=status)


routes = [Route("/welcome", welcome_page, methods=["GET", "POST"], name="welcome")]
