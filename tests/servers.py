"""Real servers for tests: `forum serve` in its own process on a free port (run through
tests/forum_command.py, for argon2's cheapest profile)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(base_url: str, process: subprocess.Popen, seconds: float = STARTUP_SECONDS,
                       answer_seconds: float = 1.0) -> bool:
    """Poll /healthz until it answers 200 (True), the process exits or time runs out (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=answer_seconds).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.05)
    return False


@dataclass
class ServerProcess:
    database_url: str
    broadcast_url: str = "memory://"
    secret_key: str = "live-test-secret"
    port: int = field(default_factory=free_port)
    log_path: Path | None = None
    workers: int = 1
    rate_limits: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)  # more FORUM_* settings
    # How long to wait for it to start, and for each /healthz (longer under a reconnect storm).
    startup_seconds: float = STARTUP_SECONDS
    answer_seconds: float = 1.0
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self) -> ServerProcess:
        env = {**os.environ, "FORUM_DATABASE_URL": self.database_url,
               "FORUM_BROADCAST_URL": self.broadcast_url, "FORUM_SECRET_KEY": self.secret_key,
               "FORUM_RATE_LIMITS": "on" if self.rate_limits else "off", **self.extra_env}
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.forum_command", "serve", "--port", str(self.port),
             "--workers", str(self.workers)],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        if wait_until_healthy(self.base_url, self.process, self.startup_seconds, self.answer_seconds):
            return self
        if self.process.poll() is not None:
            raise RuntimeError(f"forum serve exited with {self.process.returncode}: {self.log()}")
        self.stop()
        raise RuntimeError(f"forum serve did not answer within {self.startup_seconds}s: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no goodbye, as when the machine's OOM killer strikes."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()


@dataclass
class RedisProcess:
    """A redis-server of its own on a free port, nothing kept on disk: to stop and start again
    under running forum processes (the machine's shared Redis is never touched)."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisProcess:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer on port {self.port}")
            time.sleep(0.02)
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait()
