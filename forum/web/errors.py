"""Turning failures into answers: JSON errors under /api, friendly pages elsewhere."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from forum.actions import NotFound, PermissionDenied
from forum.ratelimit import RateLimited
from forum.routes._common import error_page
from forum.routes.api._common import ApiError, error_response
from forum.storage import UploadRefused, UploadTooLarge
from forum.validation import ValidationError

log = logging.getLogger("forum")

HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "too_large", 429: "rate_limited",
              503: "unavailable"}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _answer(request: Request, status: int, code: str, message: str,
                  fields: dict[str, str] | None = None) -> Response:
    if _is_api(request):
        return error_response(status, code, message, fields)
    return await error_page(request, status, message)


async def on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ValidationError)
    message = "; ".join(f"{field}: {text}" for field, text in exc.fields.items())
    return await _answer(request, 400, "invalid", message, exc.fields)


async def on_permission_denied(request: Request, exc: Exception) -> Response:
    return await _answer(request, 403, "forbidden", str(exc))


async def on_not_found(request: Request, exc: Exception) -> Response:
    return await _answer(request, 404, "not_found", str(exc) or "Not found.")


async def on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = await _answer(request, exc.status_code, HTTP_CODES.get(exc.status_code, "error"),
                             exc.detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def on_upload_refused(request: Request, exc: Exception) -> Response:
    too_large = isinstance(exc, UploadTooLarge)
    return await _answer(request, 413 if too_large else 400, "too_large" if too_large else "refused_file",
                         str(exc), {"file": str(exc)})


async def on_rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimited)
    response = await _answer(request, 429, "rate_limited", str(exc))
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def on_server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return await _answer(request, 500, "server_error",
                         "Something went wrong on our side. Nothing you sent was lost; try again.")


handlers = {
    ApiError: on_api_error,
    ValidationError: on_validation_error,
    PermissionDenied: on_permission_denied,
    NotFound: on_not_found,
    UploadRefused: on_upload_refused,
    RateLimited: on_rate_limited,
    HTTPException: on_http_exception,
    Exception: on_server_error,
}
