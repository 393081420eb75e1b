"""Static files with cache headers. Pages link them as /static/NAME?v=HASH (static_url): a URL
naming the file's current content never changes meaning, so browsers keep it for a year
without asking; a bare URL is kept briefly, then revalidated with the ETag StaticFiles sends."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"
LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=600"


@lru_cache(maxsize=64)
def _digest(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def version(name: str) -> str:
    """The content hash of a static file; recomputed only when the file changes."""
    path = STATIC_DIR / name
    stat = path.stat()
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def static_url(name: str) -> str:
    return f"/static/{name}?v={version(name)}"


class CachedStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["cache-control"] = (
                LONG_CACHE if _asks_for_current_version(path, scope) else SHORT_CACHE)
        return response


def _asks_for_current_version(path: str, scope: Scope) -> bool:
    query = scope.get("query_string", b"").decode("latin-1")
    try:
        return query == f"v={version(path)}"
    except OSError:
        return False


async def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico whatever the page links; answer with the same icon."""
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml",
                        headers={"cache-control": SHORT_CACHE})


routes = [Route("/favicon.ico", favicon, name="favicon")]
