"""Debian's nginx, run by a test on free ports in front of a `forum serve`, with the very
configuration an administrator installs (deploy/nginx/forum.conf), its placeholders filled in
and a throwaway self-signed certificate."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from forum.web.static_files import STATIC_DIR
from tests.servers import free_port

FORUM_CONF = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "forum.conf"
NGINX_SKIP = ("the reverse-proxy tests need Debian's nginx and openssl "
              "(apt-get install nginx-light openssl; ./scripts/test installs them when run as root)")
START_SECONDS = 10
PLACEHOLDER = re.compile(r"__[A-Z_]+__")


def nginx_binary() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def render(conf: str, values: dict[str, str]) -> str:
    """Fill every __PLACEHOLDER__; one left unfilled is a mistake in the test or the file."""
    for name, value in values.items():
        conf = conf.replace(f"__{name}__", value)
    settings = "\n".join(line for line in conf.splitlines() if not line.lstrip().startswith("#"))
    left = PLACEHOLDER.findall(settings)
    assert not left, f"placeholders in forum.conf not filled: {left}"
    return conf


@dataclass
class NginxProxy:
    forum_port: int
    directory: Path
    server_name: str = "127.0.0.1"
    http_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"https://{self.server_name}:{self.https_port}"

    @property
    def certificate(self) -> Path:
        return self.directory / "forum.crt"

    def start(self) -> NginxProxy:
        binary = nginx_binary()
        assert binary, NGINX_SKIP
        key = self.directory / "forum.key"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", f"/CN={self.server_name}",
                        "-addext", f"subjectAltName=IP:{self.server_name}",
                        "-keyout", str(key), "-out", str(self.certificate)],
                       check=True, capture_output=True)
        site = render(FORUM_CONF.read_text(), {
            "SERVER_NAME": self.server_name, "HTTP_PORT": f"127.0.0.1:{self.http_port}",
            "HTTPS_PORT": f"127.0.0.1:{self.https_port}", "CERTIFICATE": str(self.certificate),
            "CERTIFICATE_KEY": str(key), "FORUM_ADDRESS": f"127.0.0.1:{self.forum_port}",
            "STATIC_DIR": str(STATIC_DIR)})
        (self.directory / "forum.conf").write_text(site)
        (self.directory / "nginx.conf").write_text(self._main_conf())
        command = [binary, "-p", str(self.directory), "-c", str(self.directory / "nginx.conf")]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not start: {self.log()}")

    def _main_conf(self) -> str:
        """What Debian's /etc/nginx/nginx.conf does around a site, in the test's own folder."""
        d = self.directory
        mime_types = Path("/etc/nginx/mime.types")
        types = f"include {mime_types};" if mime_types.exists() else "types { text/css css; }"
        root_only = "user root;\n" if _is_root() else ""  # workers must read the test's 0700 folder
        return f"""{root_only}daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 256; }}
http {{
    {types}
    access_log {d}/access.log;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    include {d}/forum.conf;
}}
"""

    def log(self) -> str:
        path = self.directory / "error.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # nginx's graceful shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _is_root() -> bool:
    return os.geteuid() == 0


def available() -> bool:
    return nginx_binary() is not None and shutil.which("openssl") is not None
