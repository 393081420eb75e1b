"""The one way features send email: `Mailer.queue` inside the causing change's transaction."""

from __future__ import annotations

import email.utils
from collections.abc import Sequence
from typing import Any

from forum.clock import utcnow
from forum.db import mail_outbox
from forum.db.engine import Database
from forum.mail.message import Attachment, MailTemplates, build_message, parse_from
from forum.mail.sender import OutboxSender
from forum.mail.transports import Transport, transport_for
from forum.mail.unsubscribe import UnsubscribeLinks, unsubscribe_path
from forum.settings import Settings

DEFAULT_FORUM_NAME = "Practice Forum"


class Mailer:
    def __init__(self, settings: Settings, db: Database, transport: Transport | None = None) -> None:
        self.settings, self.db = settings, db
        self.templates = MailTemplates()
        self.transport = transport or transport_for(settings.smtp_url, settings.database_url)
        self.envelope_from = parse_from(settings.mail_from).addr_spec
        self.forum_name = email.utils.parseaddr(settings.mail_from)[0] or DEFAULT_FORUM_NAME
        self.sender = OutboxSender(db, self.transport, self.envelope_from)
        self.unsubscribe_links = UnsubscribeLinks(settings.secret_key)

    def link(self, path: str) -> str:
        """An absolute link for an email: FORUM_BASE_URL and a path."""
        return f"{self.settings.base_url.rstrip('/')}{path}"

    def unsubscribe_url(self, user_id: int, kind: str) -> str:
        """The one-click link (and List-Unsubscribe header) for this member and kind of email."""
        return self.link(unsubscribe_path(self.unsubscribe_links.token(user_id, kind)))

    def compose(self, *, to_name: str, to_email: str, subject: str, template: str,
                context: dict[str, Any], unsubscribe_url: str | None = None,
                attachments: Sequence[Attachment] = ()) -> str:
        message = build_message(
            self.templates, sender=self.settings.mail_from, to_name=to_name, to_email=to_email,
            subject=subject, template=template, unsubscribe_url=unsubscribe_url, attachments=attachments,
            context={"forum_name": self.forum_name, "base_url": self.settings.base_url.rstrip("/"),
                     **context})
        return message.as_string()

    async def queue(self, *, kind: str, user_id: int | None, to_name: str, to_email: str, subject: str,
                    template: str, context: dict[str, Any], unsubscribe_url: str | None = None,
                    attachments: Sequence[Attachment] = ()) -> None:
        """Write one email to the outbox. Call inside the causing change's db.transaction(): the
        mail goes if and only if the change happened, and the sender wakes once it commits."""
        message = self.compose(to_name=to_name, to_email=to_email, subject=subject, template=template,
                               context=context, unsubscribe_url=unsubscribe_url, attachments=attachments)
        await mail_outbox.insert(self.db, kind=kind, user_id=user_id, recipient=to_email,
                                 message=message, now=utcnow())
        self.db.after_commit(self._wake_after_commit)

    async def _wake_after_commit(self) -> None:
        self.wake()

    def wake(self) -> None:
        self.sender.wake()

    async def send_test(self, to_email: str) -> None:
        """`forum mail test`: straight through the transport, no outbox, so the command says
        at once what the server answered (raises SendFailed)."""
        message = self.compose(to_name="", to_email=to_email, subject=f"Test email from {self.forum_name}",
                               template="test", context={})
        await self.transport.send(self.envelope_from, to_email, message)
