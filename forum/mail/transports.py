"""Where mail goes, picked from FORUM_SMTP_URL's scheme: a Maildir (no server needed: any mail
program reads it) or an SMTP server through aiosmtplib."""

from __future__ import annotations

import asyncio
import mailbox
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from forum.settings import sqlite_path

# An SMTP conversation that takes longer than this is given up and retried later. The outbox
# sender's claim on a message lasts well beyond it (forum/mail/sender.py).
SMTP_TIMEOUT_SECONDS = 30


class SendFailed(Exception):
    """The message did not go. `permanent`: the server refused it for good (a 5xx answer, say
    an address that does not exist); otherwise trying again later may work."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    def describe(self) -> str: ...

    async def send(self, sender: str, recipient: str, message: str) -> None: ...


@dataclass(frozen=True)
class MaildirTransport:
    path: Path

    def describe(self) -> str:
        return f"the Maildir {self.path}"

    async def send(self, sender: str, recipient: str, message: str) -> None:
        await asyncio.to_thread(self._deliver, message)

    def _deliver(self, message: str) -> None:
        try:
            mailbox.Maildir(self.path, create=True).add(message)
        except OSError as error:
            raise SendFailed(f"could not write to {self.path}: {error}") from error


@dataclass(frozen=True)
class SmtpTransport:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool = False

    def describe(self) -> str:
        how = " over TLS" if self.use_tls else " with STARTTLS" if self.start_tls else ""
        return f"the SMTP server {self.host}:{self.port}{how}"

    async def send(self, sender: str, recipient: str, message: str) -> None:
        try:
            await aiosmtplib.send(
                message, sender=sender, recipients=[recipient], hostname=self.host, port=self.port,
                username=self.username, password=self.password, use_tls=self.use_tls,
                # False, not None: never upgrade on our own to a certificate we cannot check.
                start_tls=self.start_tls, timeout=SMTP_TIMEOUT_SECONDS)
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [refused.code for refused in error.recipients]
            raise SendFailed(_describe(error), permanent=all(500 <= c < 600 for c in codes)) from error
        except aiosmtplib.SMTPResponseException as error:
            raise SendFailed(_describe(error), permanent=500 <= error.code < 600) from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise SendFailed(_describe(error)) from error


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def transport_for(smtp_url: str, database_url: str) -> Transport:
    """`maildir://./mail` is relative to the SQLite file's folder (the working directory on
    PostgreSQL); `smtp://user:password@host:port`, `smtps://...`, `smtp://...?starttls=1`."""
    parts = urlsplit(smtp_url)
    if parts.scheme == "maildir":
        relative = unquote(parts.netloc + parts.path)
        db_file = sqlite_path(database_url)
        base = db_file.parent if db_file else Path(".")
        return MaildirTransport(Path(relative) if Path(relative).is_absolute() else base / relative)
    if parts.scheme in ("smtp", "smtps"):
        if not parts.hostname:
            raise ValueError(f"FORUM_SMTP_URL names no host: {smtp_url!r}")
        use_tls = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        start_tls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes", "on")
        return SmtpTransport(
            host=parts.hostname, port=parts.port or (465 if use_tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=use_tls, start_tls=start_tls)
    raise ValueError(f"FORUM_SMTP_URL must start with maildir://, smtp:// or smtps://, not {smtp_url!r}")
