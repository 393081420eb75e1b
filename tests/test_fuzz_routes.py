"""Every route in the app's own route table (pages, forms and the JSON API), read from the app so a
new route is walked the day it is added, gets hostile path segments, query values and form
fields: numbers past any id column, negative ones, digits from other scripts, NUL, long
strings, percent-encodings. As a visitor, a member and a moderator, by GET and, where the route
takes it, POST (and the API's other methods) with a valid CSRF token. No answer may be a 5xx, and
the server may log no traceback."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Mount, Route

from forum.app import create_app
from forum.ids import MAX_ID
from forum.settings import Settings
from tests.conftest import _empty_postgres
from tests.helpers import CSRF_META, PASSWORD
from tests.servers import ServerProcess
from tests.test_cli import run_forum

IDENTITIES = ("visitor", "member", "moderator")
# Routes that end the signed-in identity's own session: walked, they would sign it out.
SIGNING_OUT = {"/logout", "/account/sessions/end-others"}


def walk(routes: list[Any], prefix: str = "") -> list[tuple[str, tuple[str, ...]]]:
    """(path pattern, methods) for every HTTP route, through mounts (the API)."""
    found = []
    for route in routes:
        if isinstance(route, Route):
            found.append((prefix + route.path, tuple(sorted(route.methods or {"GET"}))))
        elif isinstance(route, Mount):
            found += walk(route.routes, prefix + route.path)
    return found


ROUTES = [r for r in walk(create_app(Settings(database_url="sqlite:///unused.db", secret_key="x")).routes)
          if r[0] not in SIGNING_OUT]

# -- what a hostile value can be ---------------------------------------------------------------
NUMBERS = [str(MAX_ID + 1), str(MAX_ID), str(2**32), str(2**63), str(2**64), "9" * 30, "-1",
           str(-(2**31) - 1), "0", "00", "007", "1.5", "1e9", "0x10", "+1", " 1", "1 "]
STRANGE = ["²", "٣", "１", "߁", "\x00", "1\x00", "\t", "..", "../..", "<script>", "' OR 1=1 --",
           "NaN", "Infinity", "true", "null", "[]", "{}", "🙂", "a" * 2_000, "%", "\u202e1"]
no_surrogates = st.characters(blacklist_categories=["Cs"])
hostile_text = st.one_of(st.sampled_from(NUMBERS + STRANGE),
                         st.integers(-(2**70), 2**70).map(str),
                         st.text(no_surrogates, max_size=40))
# Already percent-encoded segments, sent as they are: NUL, a bad byte, an overlong slash, ...
RAW_SEGMENTS = ["%00", "%ff", "%C0%AF", "%2F", "%2e%2e", "%252F", "%ZZ", "%", "%E2%80%AE", "%C2%B2"]
QUERY_NAMES = ["at", "to", "after", "cursor", "q", "when", "sort", "done", "next", "author",
               "channel", "from", "id", "since", "kind", "tag"]
FORM_NAMES = ["parent_id", "banner_id", "id", "body", "title", "reason", "note", "resolution",
              "categories", "next", "text", "capacity", "starts_at", "ends_at", "location",
              "timezone", "role", "username", "password", "display_name", "bio", "clear", "greeter",
              "current_password", "new_password", "kind", "tags", "q", "link", "year", "upload_id",
              "organisation", "what_was_done", "into", "name"]


@dataclass
class Target:
    server: ServerProcess
    clients: dict[str, httpx.Client]
    csrf: dict[str, str]
    good: dict[str, str]  # path parameters naming what the fixture made


def _log_in(http: httpx.Client, username: str) -> None:
    token = CSRF_META.search(http.get("/login").text).group(1)  # type: ignore[union-attr]
    response = http.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.text


def _seed(http: httpx.Client) -> dict[str, str]:
    """As the moderator: a thread, a reply, a flag on it and an event, for ids that exist."""
    def api(path: str, body: dict[str, Any]) -> dict[str, Any]:
        token = CSRF_META.search(http.get("/").text).group(1)  # type: ignore[union-attr]
        response = http.post(f"/api/v1{path}", json=body, headers={"X-CSRF-Token": token})
        assert response.status_code == 201, response.text
        return response.json()

    thread = api("/threads", {"title": "Walked", "body": "Opening #walked", "categories": ["general-chat"]})
    item = api("/library", {"kind": "resource", "title": "Guide", "body": "A guide", "tags": ["walked"],
                            "link": "https://example.org", "categories": ["general-chat"]})
    post = api(f"/threads/{thread['id']}/posts", {"body": "A reply"})
    flag = api(f"/posts/{post['id']}/flag", {"reason": "seeded"})
    event = api("/events", {"title": "Meet", "body": "Come", "starts_at": "2099-01-01T10:00:00+00:00",
                            "ends_at": "2099-01-01T12:00:00+00:00", "location": "Online",
                            "capacity": 2, "categories": ["general-chat"]})
    return {"thread_id": str(thread["id"]), "post_id": str(post["id"]), "flag_id": str(flag["id"]),
            "event_id": str(event["id"]), "slug": "general-chat",
            "username": "walkbystander", "action": "lock", "verb": "register", "tag": "walked",
            "name": "walked", "item_id": str(item["id"])}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    tmp = tmp_path_factory.mktemp(f"routes-fuzz-{request.param}")
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), tmp / "forum.db")
        database_url = f"sqlite:///{tmp / 'forum.db'}"
    else:
        database_url = request.getfixturevalue("postgres_database")
        asyncio.run(_empty_postgres(database_url))
    for username, role in (("walkmember", "member"), ("walkmod", "moderator"), ("walkbystander", "member")):
        made = run_forum(database_url, "user", "create", username, "--role", role, "--password-stdin",
                         stdin=PASSWORD)
        assert made.returncode == 0, made.stderr
    server = ServerProcess(database_url, log_path=tmp / "server.log").start()
    clients = {who: httpx.Client(base_url=server.base_url, timeout=30) for who in IDENTITIES}
    try:
        _log_in(clients["member"], "walkmember")
        _log_in(clients["moderator"], "walkmod")
        good = _seed(clients["moderator"])
        csrf = {who: CSRF_META.search(c.get("/").text).group(1)  # type: ignore[union-attr]
                for who, c in clients.items()}
        yield Target(server, clients, csrf, good)
        log = server.log()
        assert "Traceback" not in log, log
    finally:
        for client in clients.values():
            client.close()
        server.stop()


# A small number here could be the walker's own session, and ending it would sign it out.
OWN_SESSION = {"session_id", "token_id"}


def _segment(draw: Any, name: str, good: dict[str, str]) -> str:
    choice = draw(st.sampled_from(["good", "hostile", "raw"] if name in good else ["hostile", "raw"]))
    if choice == "good":
        return good[name]
    if choice == "raw":
        return draw(st.sampled_from(RAW_SEGMENTS))
    value = draw(st.sampled_from(NUMBERS + STRANGE) if name in OWN_SESSION else hostile_text)
    return quote(value, safe="") or "%20"


def _path(draw: Any, pattern: str, good: dict[str, str]) -> str:
    """The pattern with each {name} or {name:convertor} filled."""
    out, rest = "", pattern
    while "{" in rest:
        before, _, after = rest.partition("{")
        name, _, rest = after.partition("}")
        out += before + _segment(draw, name.partition(":")[0], good)
    return out + rest


# A slow machine runs two servers' worth of requests here: bounded, and the same every run.
WALK = settings(max_examples=12, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("route", ROUTES, ids=[f"{' '.join(m)} {p}" for p, m in ROUTES])
@WALK
@given(data=st.data())
def test_no_hostile_value_gets_a_server_error(target: Target, route: tuple[str, tuple[str, ...]],
                                              data: st.DataObject) -> None:
    pattern, methods = route
    identity = data.draw(st.sampled_from(IDENTITIES), label="identity")
    method = data.draw(st.sampled_from([m for m in methods if m != "HEAD"]), label="method")
    path = _path(data.draw, pattern, target.good)
    query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), hostile_text, max_size=3), label="query")
    headers = {"X-CSRF-Token": target.csrf[identity]}
    fields = data.draw(st.dictionaries(st.sampled_from(FORM_NAMES), hostile_text, max_size=4), label="fields")
    if method == "GET":
        response = target.clients[identity].get(path, params=query, headers=headers)
    elif pattern.startswith("/api/"):
        response = target.clients[identity].request(method, path, params=query, json=fields, headers=headers)
    else:
        form = {**fields, "csrf_token": target.csrf[identity]}
        response = target.clients[identity].request(method, path, params=query, data=form, headers=headers)
    assert response.status_code < 500, (identity, method, path, query, fields, response.text[:500])
