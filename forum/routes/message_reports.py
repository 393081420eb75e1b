"""Reporting a private message (a page per message, linked from each one) and the moderators'
dismissing a report from /mod."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forum.actions import NotFound
from forum.actions import message_reports as report_actions
from forum.routes._common import forum_of, member_of, read_form
from forum.routes._reason_form import reason_page
from forum.routes.messages import NOT_FOUND


async def report_message(request: Request) -> Response:
    conversation_id = request.path_params["conversation_id"]
    message_id = request.path_params["message_id"]
    path = f"/messages/{conversation_id}/report/{message_id}"
    member = await member_of(request)
    if member is None:
        return RedirectResponse(f"/login?next={path}", status_code=303)
    forum = forum_of(request)
    try:
        message = await report_actions.reportable(forum, member, conversation_id, message_id)
    except NotFound:
        raise HTTPException(404, NOT_FOUND) from None
    return await reason_page(
        request, "messages/report.html", {"message": message, "path": path},
        lambda reason: report_actions.report(forum, member, conversation_id, message_id, reason))


async def dismiss_report(request: Request) -> Response:
    await read_form(request)
    member = await member_of(request)
    await report_actions.dismiss(forum_of(request), member, request.path_params["report_id"])
    return RedirectResponse("/mod", status_code=303)


routes = [
    Route("/messages/{conversation_id:id}/report/{message_id:id}", report_message, methods=["GET", "POST"],
          name="report_message"),
    Route("/mod/reports/{report_id:id}/dismiss", dismiss_report, methods=["POST"], name="dismiss_report"),
]
