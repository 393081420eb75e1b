"""A real SMTP server for tests: aiosmtpd, in this process (its own thread), on a free port.
It keeps every message it accepts, and can refuse the first few with a temporary error."""

from __future__ import annotations

import email
import re
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.servers import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        return body.get_content()

    def links(self) -> list[str]:
        return re.findall(r"https?://[^\s<>\"]+", self.part("plain"))


@dataclass
class MailHandler:
    refuse_first: int = 0  # this many DATA commands answered 451 before accepting
    refuse_with: str = "451 4.3.0 Try again later"
    received: list[Received] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refused < self.refuse_first:
                self.refused += 1
                return self.refuse_with
            message = email.message_from_bytes(envelope.content, policy=policy.default)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 2.0.0 OK"


class SmtpServer:
    def __init__(self, refuse_first: int = 0, refuse_with: str = "451 4.3.0 Try again later") -> None:
        self.port = free_port()
        self.handler = MailHandler(refuse_first=refuse_first, refuse_with=refuse_with)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, count: int, seconds: float = 15) -> list[Received]:
        """At least `count` messages, waiting up to `seconds` (then whatever there is)."""
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received

    async def await_for(self, count: int, seconds: float = 15) -> list[Received]:
        import asyncio

        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:  # noqa: ASYNC110 (another thread fills it)
            await asyncio.sleep(0.05)
        return self.received


def mail_settings(database_url: str, smtp: SmtpServer) -> Any:
    """The test forum's settings, its mail going to `smtp`, its links to the test client."""
    from forum.settings import Settings
    from tests.conftest import TEST_SECRET

    return Settings(database_url=database_url, secret_key=TEST_SECRET, rate_limits=False,
                    smtp_url=smtp.url, base_url="http://testserver",
                    mail_from="Practice Forum <forum@forum.example>")


def path_of(link: str) -> str:
    """A mailed link as the in-process test client follows it."""
    return link.removeprefix("http://testserver")


async def confirmed_member(client: Any, smtp: SmtpServer, username: str,
                           display_name: str = "") -> dict[str, str]:
    """Signed up with an address, confirmed by following the mailed link; an API token."""
    from tests.helpers import PASSWORD, api_token

    before = len(smtp.received)
    created = await client.post("/api/v1/users", json={"username": username, "password": PASSWORD,
                                                       "email": f"{username}@example.org",
                                                       "display_name": display_name})
    assert created.status_code == 201
    mail = (await smtp.await_for(before + 1))[before]
    link = next(link for link in mail.links() if "/confirm/" in link)
    assert (await client.get(path_of(link))).status_code == 200
    return await api_token(client, username, signup=False)
