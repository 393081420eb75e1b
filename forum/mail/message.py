"""Emails built from templates/mail: a plain-text part and a light HTML part from one pair of
templates, with the headers every forum email carries."""

from __future__ import annotations

import email.utils
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from forum.mail.addresses import mailbox, one_line
from forum.web.templating import TEMPLATES_DIR

MAIL_TEMPLATES_DIR = TEMPLATES_DIR / "mail"


class MailTemplates:
    """`NAME.txt` and `NAME.html` under templates/mail; the HTML is escaped, the text is not
    (it is never read as markup)."""

    def __init__(self) -> None:
        self.env = Environment(loader=FileSystemLoader(str(MAIL_TEMPLATES_DIR)),
                               autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, auto_reload=False)

    def render(self, name: str, context: dict[str, Any]) -> tuple[str, str]:
        text = self.env.get_template(f"{name}.txt").render(context)
        html = self.env.get_template(f"{name}.html").render(context)
        return text, html


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar"
    text: str


def build_message(templates: MailTemplates, *, sender: str, to_name: str, to_email: str, subject: str,
                  template: str, context: dict[str, Any], unsubscribe_url: str | None = None,
                  attachments: Sequence[Attachment] = ()) -> EmailMessage:
    """One email, multipart/alternative. With `unsubscribe_url` it carries List-Unsubscribe and
    List-Unsubscribe-Post (RFC 8058), so a mail program offers one-click unsubscribing."""
    subject = one_line(subject)
    text, html = templates.render(template, {**context, "subject": subject,
                                             "unsubscribe_url": unsubscribe_url})
    message = EmailMessage(policy=policy.default)
    from_address = parse_from(sender)
    message["From"] = from_address
    message["To"] = mailbox(to_name, to_email)
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = email.utils.make_msgid(domain=from_address.domain or "localhost")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to the forum
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for attachment in attachments:
        maintype, subtype = attachment.content_type.split("/", 1)
        message.add_attachment(attachment.text, subtype=subtype, filename=attachment.filename)
        assert maintype == "text", "only text attachments (an .ics) so far"
    return message


def parse_from(sender: str) -> Address:
    """FORUM_MAIL_FROM, "Name <address>" or a bare address."""
    name, address = email.utils.parseaddr(sender)
    if not address or "@" not in address:
        raise ValueError(f"FORUM_MAIL_FROM is not an address: {sender!r}")
    return mailbox(name, address)
