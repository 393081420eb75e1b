"""Fuzzing /ws over a real socket to a real `forum serve`: every bad frame hypothesis can think
of (not JSON, JSON of the wrong shape, nested thousands deep, too large, unknown types, channels
that do not exist or are not yours, `since` of every type, typing without signing in) gets
{"type": "error", ...}, the connection stays up and a valid subscribe afterwards still works,
and the server logs no traceback."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.sync.client import ClientConnection, connect

from forum.realtime.connection import MAX_CLIENT_FRAME_BYTES
from tests.conftest import _empty_postgres
from tests.helpers import PASSWORD
from tests.live_helpers import session_cookie
from tests.servers import ServerProcess

# Derandomized, so CI sends the same frames every run; no deadline: a busy machine is not a bug.
FUZZ = settings(max_examples=40, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      # the log check runs once per test, not per example, on purpose
                                      HealthCheck.function_scoped_fixture])
REPLY_SECONDS = 10
KNOWN_TYPES = {"subscribe", "unsubscribe", "typing"}
# Frames the server sends on its own, between the replies to ours.
UNPROMPTED = {"presence", "typing", "event", "reset"}
# Event ids are BIGINT: a `since` past that is no id the log can have.
MAX_EVENT_ID = 2**63 - 1


@dataclass
class LiveForum:
    server: ServerProcess
    good_channels: list[str]
    member_cookie: str
    member_id: int

    def log_has_no_traceback(self) -> None:
        log = self.server.log()
        assert "Traceback" not in log, log


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveForum]:
    """One server per engine for the whole module, with a thread to subscribe to."""
    tmp = tmp_path_factory.mktemp(f"ws-fuzz-{request.param}")
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), tmp / "forum.db")
        database_url = f"sqlite:///{tmp / 'forum.db'}"
    else:
        database_url = request.getfixturevalue("postgres_database")
        asyncio.run(_empty_postgres(database_url))
    server = ServerProcess(database_url, log_path=tmp / "server.log").start()
    try:
        cookie = asyncio.run(session_cookie(server.base_url, "wsfuzz"))
        with httpx.Client(base_url=server.base_url) as http:
            token = http.post("/api/v1/tokens", json={"username": "wsfuzz", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {token.json()['token']}"}
            thread = http.post("/api/v1/threads", headers=headers, json={
                "title": "Fuzzed", "body": "Frames", "categories": ["general-chat"]})
            assert thread.status_code == 201, thread.text
            me = http.get("/api/v1/me", headers=headers).json()
        forum = LiveForum(server, ["site", "category:general-chat", f"thread:{thread.json()['id']}"],
                          cookie, me["id"])
        yield forum
        forum.log_has_no_traceback()
    finally:
        server.stop()


def open_socket(live: LiveForum, *, signed_in: bool = False) -> ClientConnection:
    headers = {"Cookie": live.member_cookie} if signed_in else {}
    return connect(live.server.ws_url, additional_headers=headers, proxy=None, open_timeout=REPLY_SECONDS,
                   max_size=None)


def next_reply(ws: ClientConnection) -> dict[str, Any]:
    """The server's answer to the last frame sent, past any frames it sends unprompted."""
    while True:
        frame = json.loads(ws.recv(timeout=REPLY_SECONDS))
        if frame.get("type") not in UNPROMPTED:
            return frame


def assert_error(ws: ClientConnection, sent: str | bytes) -> None:
    reply = next_reply(ws)
    assert reply.get("type") == "error", (sent[:200], reply)
    assert reply.get("code") != "server_error", (sent[:200], reply)  # a bug caught, not a bad frame
    assert isinstance(reply.get("code"), str) and isinstance(reply.get("message"), str), reply


def assert_still_works(ws: ClientConnection, live: LiveForum) -> None:
    ws.send(json.dumps({"type": "subscribe", "channels": live.good_channels}))
    reply = next_reply(ws)
    assert reply["type"] == "subscribed" and set(live.good_channels) <= set(reply["channels"]), reply


# -- what a bad frame can be ------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


def _not_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


def _nested(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


not_json = st.text(max_size=60).filter(_not_json) | st.sampled_from(
    ["", " ", "{", "}", "[", "{'type': 'subscribe'}", '{"type": "subscribe",}', "null null", "\x00",
     '{"type": "subscribe", "channels": ["site"]', "\ud800".encode("utf-8", "surrogatepass").decode(
         "utf-8", "replace")])
not_an_object = json_values.filter(lambda v: not isinstance(v, dict)).map(json.dumps)
deep = st.integers(500, MAX_CLIENT_FRAME_BYTES // 2 - 10).map(_nested) | st.integers(500, 5000).map(
    lambda depth: '{"type": "subscribe", "channels": ' + _nested(depth, '"site"') + "}")
too_large = st.integers(MAX_CLIENT_FRAME_BYTES + 1, 4 * MAX_CLIENT_FRAME_BYTES).map(
    lambda size: json.dumps({"type": "subscribe", "channels": ["site"], "pad": "x" * size}))
no_string_type = st.dictionaries(st.text(max_size=8), json_values, max_size=4).flatmap(
    lambda d: st.just(d) | json_values.filter(lambda t: not isinstance(t, str)).map(
        lambda t: {**d, "type": t})).filter(lambda d: not isinstance(d.get("type"), str)).map(json.dumps)
unknown_type = st.tuples(st.text(max_size=30).filter(lambda t: t not in KNOWN_TYPES),
                         st.dictionaries(st.text(max_size=8), json_values, max_size=3)).map(
    lambda t: json.dumps({**t[1], "type": t[0]}))

awkward_text = st.text(st.characters() | st.characters(categories=["Cs"]), max_size=40)
bad_channel_names = awkward_text | awkward_text.map(lambda t: f"category:{t}") | st.sampled_from([
    "thread:", "thread:0", "thread:-1", "thread:1.5", "thread:²", "thread:٣", "thread:99999999999",
    "thread:2147483648", "thread:" + "9" * 40, "category:", "category:nope", "category:../site",
    "Site", "site ", "user:", "user:0", "user:1", "user:abc", "user:" + "1" * 30, "\x00", "🙂",
    "category:\x00", "category:general-chat\x00", "category:\ud800", "thread:1\x00", "thread:" + "9" * 5000,
])


def bad_channel_lists(good: list[str]) -> st.SearchStrategy[Any]:
    not_a_list_of_names = json_values.filter(
        lambda v: not (isinstance(v, list) and v and all(isinstance(n, str) for n in v)))
    with_an_unknown_name = st.tuples(st.lists(st.sampled_from(good), max_size=2),
                                     bad_channel_names.filter(lambda n: n not in good)).map(
        lambda t: [*t[0], t[1]])
    too_many = st.integers(51, 80).map(lambda n: [f"thread:{i}" for i in range(n)])
    return not_a_list_of_names | with_an_unknown_name | too_many


def bad_subscribes(good: list[str]) -> st.SearchStrategy[str]:
    return bad_channel_lists(good).map(lambda c: json.dumps({"type": "subscribe", "channels": c}))


def since_is_valid(since: Any) -> bool:
    return since is None or (type(since) is int and 0 <= since <= MAX_EVENT_ID)


def bad_unsubscribes() -> st.SearchStrategy[str]:
    return json_values.filter(lambda v: not (isinstance(v, list) and all(isinstance(n, str) for n in v))).map(
        lambda c: json.dumps({"type": "unsubscribe", "channels": c}))


def bad_frames(good: list[str]) -> st.SearchStrategy[str | bytes]:
    text = (not_json | not_an_object | deep | too_large | no_string_type | unknown_type
            | bad_subscribes(good) | bad_unsubscribes())
    binary = st.binary(max_size=80).filter(lambda b: _not_json(b.decode("utf-8", "replace")))
    return text | binary


# -- the tests ----------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def no_traceback_after_each_test(live: LiveForum) -> Iterator[None]:
    yield
    live.log_has_no_traceback()


@FUZZ
@given(data=st.data())
def test_every_bad_frame_gets_an_error_and_the_connection_stays_up(live, data):
    frames = data.draw(st.lists(bad_frames(live.good_channels), min_size=1, max_size=12), label="frames")
    with open_socket(live) as ws:
        for frame in frames:
            ws.send(frame)
            assert_error(ws, frame)
        assert_still_works(ws, live)


@FUZZ
@given(since=json_values | st.integers(min_value=-(2**70), max_value=2**70) | st.integers(0, 50))
def test_since_of_every_type_is_answered_and_the_connection_stays_up(live, since):
    with open_socket(live) as ws:
        frame = json.dumps({"type": "subscribe", "channels": live.good_channels, "since": since})
        ws.send(frame)
        reply = next_reply(ws)
        expected = "subscribed" if since_is_valid(since) else "error"
        assert reply["type"] == expected, (since, reply)
        assert_still_works(ws, live)


@FUZZ
@given(typing=st.lists(json_values, min_size=1, max_size=6))
def test_typing_without_signing_in_is_refused_and_the_connection_stays_up(live, typing):
    with open_socket(live) as ws:
        assert_still_works(ws, live)
        for channel in typing:
            frame = json.dumps({"type": "typing", "channel": channel})
            ws.send(frame)
            reply = next_reply(ws)
            assert reply["type"] == "error" and reply["code"] == "forbidden", reply


@FUZZ
@given(data=st.data())
def test_a_signed_in_member_gets_errors_too_and_stays_connected(live, data):
    own = f"user:{live.member_id}"
    others = st.integers(0, 10**6).filter(lambda i: i != live.member_id).map(lambda i: f"user:{i}")
    subscribe_to_another = others.map(lambda c: json.dumps({"type": "subscribe", "channels": ["site", c]}))
    # Typing goes only to a thread channel you are subscribed to; a bad one is answered with an error.
    thread = live.good_channels[-1]
    channels = json_values | bad_channel_names | st.sampled_from(["site", "category:general-chat", own])
    bad_typing = channels.filter(lambda c: c != thread).map(
        lambda c: json.dumps({"type": "typing", "channel": c}))
    frames = data.draw(st.lists(bad_frames(live.good_channels) | subscribe_to_another | bad_typing,
                                min_size=1, max_size=10), label="frames")
    with open_socket(live, signed_in=True) as ws:
        ws.send(json.dumps({"type": "subscribe", "channels": [*live.good_channels, own]}))
        assert next_reply(ws)["type"] == "subscribed"
        for frame in frames:
            ws.send(frame)
            assert_error(ws, frame)
        assert_still_works(ws, live)
