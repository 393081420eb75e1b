"""FORUM_LOG_FORMAT=json: `forum serve` writes nothing but JSON lines on stderr, and a request's
access line carries the request id it was answered with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from forum.settings import Settings
from tests.servers import free_port, wait_until_healthy


def test_log_format_is_text_or_json() -> None:
    assert Settings.from_env({"FORUM_SECRET_KEY": "k"}).log_format == "text"
    assert Settings.from_env({"FORUM_SECRET_KEY": "k", "FORUM_LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(ValueError, match="FORUM_LOG_FORMAT"):
        Settings.from_env({"FORUM_SECRET_KEY": "k", "FORUM_LOG_FORMAT": "xml"})


def test_json_logs_carry_request_ids(database_url: str, tmp_path: Path) -> None:
    port, stderr_path = free_port(), tmp_path / "stderr.log"
    env = {**os.environ, "FORUM_DATABASE_URL": database_url, "FORUM_SECRET_KEY": "log-test",
           "FORUM_RATE_LIMITS": "off", "FORUM_LOG_FORMAT": "json"}
    with open(stderr_path, "wb") as stderr:
        command = [sys.executable, "-m", "tests.forum_command", "serve", "--port", str(port)]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        base_url = f"http://127.0.0.1:{port}"
        assert wait_until_healthy(base_url, process), stderr_path.read_text()
        given = httpx.get(f"{base_url}/c/general-chat?q=private+words",
                          headers={"X-Request-ID": "from-the-proxy-0123"})
        made_up = httpx.get(f"{base_url}/healthz", headers={"X-Request-ID": "bad id\twith a tab"})
        missing = httpx.get(f"{base_url}/no-such-page")
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert given.headers["x-request-id"] == "from-the-proxy-0123"
    assert made_up.headers["x-request-id"] != "bad id\twith a tab"
    assert len(made_up.headers["x-request-id"]) == 32
    assert len({given.headers["x-request-id"], made_up.headers["x-request-id"],
                missing.headers["x-request-id"]}) == 3

    lines = stderr_path.read_text().splitlines()
    entries = [json.loads(line) for line in lines]  # every line, or this fails
    assert any(e["logger"].startswith("uvicorn") and "request_id" not in e for e in entries)  # start-up
    [access] = [e for e in entries if e.get("request_id") == "from-the-proxy-0123"]
    assert access["logger"] == "uvicorn.access"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/c/general-chat", 200)
    assert "private" not in json.dumps(entries)  # a query string is what people search for
    for response in (made_up, missing):
        [line] = [e for e in entries if e.get("request_id") == response.headers["x-request-id"]]
        assert line["status"] == response.status_code
