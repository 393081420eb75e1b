"""The API's routes are tried first (forum/app.py), which is only safe while no page route
matches a path under /api/v1: then the order of the two changes no answer."""

from __future__ import annotations

import re

from starlette.routing import Match, Mount

from forum.app import create_app
from forum.settings import Settings


def _example(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", template)


def test_no_page_route_answers_a_path_under_the_api():
    routes = create_app(Settings(database_url="sqlite:///unused.db", secret_key="routes-test")).router.routes
    [api] = [route for route in routes if isinstance(route, Mount) and route.path == "/api/v1"]
    assert routes[0] is api
    paths = ["/api/v1" + _example(route.path) for route in api.routes]
    assert "/api/v1/threads/1" in paths
    overlapping = [(getattr(route, "path", route), path) for route in routes if route is not api
                   for path in paths for method in ("GET", "POST", "PUT", "DELETE")
                   if route.matches({"type": "http", "path": path, "method": method, "root_path": "",
                                     "headers": []})[0] != Match.NONE]
    assert overlapping == []
