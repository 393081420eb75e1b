"""Fuzzing the JSON API against a real `forum serve`: schemathesis reads /api/v1/openapi.json and
sends generated requests, valid and invalid, to every operation as a visitor, as a member and as
a moderator. No answer may be a server error, use a status the document does not list, carry a
body or content type that breaks the document, or accept data the document rules out. Then
hypothesis sends bodies that are not JSON objects at all to every operation that takes one."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from forum.routes.api.openapi import DOCUMENT
from tests.conftest import _empty_postgres
from tests.helpers import PASSWORD
from tests.servers import ServerProcess
from tests.test_cli import run_forum

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]
# Derandomized, so CI sends the same requests every run; no deadline: a busy machine is not a bug.
FUZZ = settings(max_examples=5, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
# The document the server serves, checked equal below. Every identity gets random requests; the
# moderator, who gets furthest into every operation, also gets schemathesis's "coverage" cases
# (each field missing, of each wrong type, at each boundary) on SQLite, except where each case
# costs a password hash: the time budget buys more elsewhere.
QUICK = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict(
    {"phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}}}))
THOROUGH = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict(
    {"phases": {"examples": {"enabled": False}, "coverage": {"enabled": True}},
     "operations": [{"include-path-regex": "^/(me/password|tokens)$",
                     "phases": {"coverage": {"enabled": False}}}]}))


class FuzzTarget:
    def __init__(self, server: ServerProcess, tokens: dict[str, str], token_ids: set[int]) -> None:
        self.server = server
        self.tokens = tokens
        self.token_ids = token_ids  # the fuzzer's own tokens: revoking them would end the run

    @property
    def api_url(self) -> str:
        return f"{self.server.base_url}/api/v1"

    def headers(self, identity: str) -> dict[str, str]:
        token = self.tokens.get(identity)
        return {"Authorization": f"Bearer {token}"} if token else {}


def _token(http: httpx.Client, username: str) -> str:
    response = http.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return response.json()["token"]


def _seed(http: httpx.Client, member: dict[str, str], moderator: dict[str, str]) -> None:
    """Something behind the small ids the fuzzer tries first: threads, replies, flags, an event,
    a conversation."""
    for n in range(3):
        thread = http.post("/api/v1/threads", headers=member, json={
            "title": f"Seeded thread {n}", "body": "Opening post, @fuzzmod", "categories": ["general-chat"]})
        assert thread.status_code == 201, thread.text
        posted = http.post(f"/api/v1/threads/{thread.json()['id']}/posts", headers=moderator,
                           json={"body": "A reply, @fuzzmember"})
        assert posted.status_code == 201, posted.text
        flagged = http.post(f"/api/v1/posts/{posted.json()['id']}/flag", headers=member,
                            json={"reason": "seeded flag"})
        assert flagged.status_code == 201, flagged.text
    event = http.post("/api/v1/events", headers=moderator, json={
        "title": "Seeded event", "body": "Come along", "starts_at": "2099-01-01T10:00:00+00:00",
        "ends_at": "2099-01-01T12:00:00+00:00", "location": "Online", "capacity": 2,
        "categories": ["general-chat"]})
    assert event.status_code == 201, event.text
    talk = http.post("/api/v1/conversations", headers=member, json={
        "to": ["fuzzmod"], "title": "Seeded conversation", "body": "Hello"})
    assert talk.status_code == 201, talk.text


def _database_url(engine: str, request: pytest.FixtureRequest, tmp: Path) -> str:
    if engine == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), tmp / "forum.db")
        return f"sqlite:///{tmp / 'forum.db'}"
    url = request.getfixturevalue("postgres_database")
    asyncio.run(_empty_postgres(url))
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def fuzz_target(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    """One server per engine for the module, with a member, a moderator and something to find."""
    tmp = tmp_path_factory.mktemp(f"api-fuzz-{request.param}")
    database_url = _database_url(request.param, request, tmp)
    for username, role in (("fuzzmember", "member"), ("fuzzmod", "moderator")):
        made = run_forum(database_url, "user", "create", username, "--role", role, "--password-stdin",
                         stdin=PASSWORD)
        assert made.returncode == 0, made.stderr
    server = ServerProcess(database_url, log_path=tmp / "server.log",
                           extra_env={"FORUM_UPLOADS_URL": f"file://{tmp / 'uploads'}"}).start()
    try:
        with httpx.Client(base_url=server.base_url) as http:
            assert http.get("/api/v1/openapi.json").json() == DOCUMENT
            tokens = {"member": _token(http, "fuzzmember"), "moderator": _token(http, "fuzzmod")}
            headers = {who: {"Authorization": f"Bearer {token}"} for who, token in tokens.items()}
            _seed(http, headers["member"], headers["moderator"])
            token_ids = {t["id"] for h in headers.values()
                         for t in http.get("/api/v1/me/tokens", headers=h).json()["tokens"]}
        yield FuzzTarget(server, tokens, token_ids)
        log = server.log()
        assert "Traceback" not in log, log
    finally:
        server.stop()


def _call(case: Any, target: FuzzTarget, identity: str) -> None:
    if case.method == "DELETE" and case.path == "/me/tokens/{token_id}":
        assume(case.path_parameters.get("token_id") not in target.token_ids)
    case.call_and_validate(base_url=target.api_url, headers=target.headers(identity), checks=CHECKS,
                           timeout=30)


@pytest.mark.parametrize("fuzz_target", ["sqlite"], indirect=True)
@QUICK.parametrize()
@FUZZ
def test_as_a_visitor_every_operation_answers_as_documented(case, fuzz_target):
    _call(case, fuzz_target, "visitor")


@pytest.mark.parametrize("fuzz_target", ["sqlite"], indirect=True)
@QUICK.parametrize()
@FUZZ
def test_as_a_member_every_operation_answers_as_documented(case, fuzz_target):
    _call(case, fuzz_target, "member")


@pytest.mark.parametrize("fuzz_target", ["sqlite"], indirect=True)
@THOROUGH.parametrize()
@FUZZ
def test_as_a_moderator_every_operation_answers_as_documented(case, fuzz_target):
    _call(case, fuzz_target, "moderator")


@pytest.mark.parametrize("fuzz_target", ["postgres"], indirect=True)
@QUICK.parametrize()
@FUZZ
def test_on_postgresql_as_a_moderator_every_operation_answers_as_documented(case, fuzz_target):
    _call(case, fuzz_target, "moderator")


# -- bodies that are not JSON objects, or hold what no text column can -----------------------
BODY_OPERATIONS = sorted((method.upper(), path) for path, ops in DOCUMENT["paths"].items()
                         for method, op in ops.items() if "requestBody" in op)
# Path parameters naming things _seed made, so it is the body that gets refused.
SEEDED = {"thread_id": 1, "post_id": 2, "flag_id": 1, "event_id": 1, "username": "fuzzmember",
          "token": "not-a-reset-token", "conversation_id": 1, "message_id": 1, "emoji": "heart"}
FIELDS = ["title", "body", "categories", "username", "password", "display_name", "bio", "reason",
          "text", "note", "location", "role", "resolution", "ids", "current_password"]


def _not_an_object(raw: bytes) -> bool:
    try:
        return not isinstance(json.loads(raw), dict)
    except (ValueError, RecursionError):
        return True


def _nested(depth: int) -> bytes:
    return b'{"body": ' + b"[" * depth + b"]" * depth + b"}"


json_scalars_and_lists = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                                      lambda inner: st.lists(inner, max_size=3), max_leaves=8)
not_objects = st.one_of(
    st.binary(min_size=1, max_size=200),
    st.text(min_size=1, max_size=200).map(str.encode),
    json_scalars_and_lists.map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b"NaN", b"Infinity", b'{"body": NaN}', b'{"capacity": -Infinity}', b"[" * 100_000,
                     b"{" * 5_000, b'{"a": ' * 3_000, b"1" * 5_000, b'{"title": 1' + b"0" * 5_000 + b"}",
                     b"\xff\xfe{\x00}\x00", b" "]),
    st.integers(1_000, 50_000).map(_nested),
).filter(_not_an_object)
# A NUL (PostgreSQL text cannot hold one) or half a surrogate pair ("\ud800": not UTF-8 at all).
unstorable = st.tuples(st.text(max_size=8), st.sampled_from(["\x00", "\ud800", "\udfff"]),
                       st.text(max_size=8)).map("".join)
objects_with_unstorable_text = st.dictionaries(
    st.sampled_from(FIELDS), unstorable | st.lists(unstorable, min_size=1, max_size=2), min_size=1,
    max_size=3).map(lambda d: json.dumps(d).encode())


@pytest.mark.parametrize("fuzz_target", ["sqlite", "postgres"], indirect=True)
@settings(max_examples=50, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(operation=st.sampled_from(BODY_OPERATIONS), raw=not_objects | objects_with_unstorable_text)
def test_bodies_no_field_could_come_from_are_refused_with_a_4xx(fuzz_target, operation, raw):
    method, path = operation
    with httpx.Client() as http:
        headers = {**fuzz_target.headers("moderator"), "Content-Type": "application/json"}
        response = http.request(method, fuzz_target.api_url + path.format(**SEEDED), content=raw,
                                headers=headers, timeout=30)
    documented = DOCUMENT["paths"][path][method.lower()]["responses"]
    assert 400 <= response.status_code < 500 and str(response.status_code) in documented, (
        method, path, raw[:100], response.status_code, response.text[:300])
    error = response.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str), error
