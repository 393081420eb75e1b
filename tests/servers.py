"""Real servers for tests: `forum serve` in its own process on a free port."""

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


def wait_until_healthy(base_url: str, process: subprocess.Popen, seconds: float = STARTUP_SECONDS) -> bool:
    """Poll /healthz until it answers 200 (True), the process exits or time runs out (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
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
    env: dict[str, str] = field(default_factory=dict)  # more settings, e.g. FORUM_SMTP_URL
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
               "FORUM_RATE_LIMITS": "on" if self.rate_limits else "off", **self.env}
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "forum", "serve", "--port", str(self.port),
             "--workers", str(self.workers)],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        if wait_until_healthy(self.base_url, self.process):
            return self
        if self.process.poll() is not None:
            raise RuntimeError(f"forum serve exited with {self.process.returncode}: {self.log()}")
        self.stop()
        raise RuntimeError(f"forum serve did not answer within {STARTUP_SECONDS}s: {self.log()}")

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
