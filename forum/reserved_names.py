"""Names people would trust as the forum speaking: nobody may sign up as them, nor claim a role
in a display name ("Helen Marsh (admin)"). An admin on the command line may use them: that is
how a real "admin" account is made."""

from __future__ import annotations

import re
import unicodedata

RESERVED = frozenset({
    "admin", "administrator", "admins", "moderator", "moderators", "mod", "mods", "support",
    "staff", "system", "root", "forum", "practiceforum", "help", "helpdesk", "official",
    "security", "team", "owner", "webmaster", "postmaster", "abuse", "noreply", "sysop",
})
ROLE_WORDS = frozenset({"admin", "administrator", "moderator", "mod", "staff", "support",
                        "official", "team", "sysop", "owner"})
# "(admin)", "[Moderator]", "{staff}"; or a role after a separator: "Helen - Admin", "Helen | mod".
BRACKETED = re.compile(r"[(\[{<]([^)\]}>]*)[)\]}>]")
TRAILING_ROLE = re.compile(r"[-|:,/\u2013\u2014\u00b7]\s*([^-|:,/\u2013\u2014\u00b7]+)$")


def _folded(text: str) -> str:
    """Letters and digits only, compatibility-folded and caseless: "ＡＤ_MIN" is "admin"."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def is_reserved(name: str) -> bool:
    return _folded(name) in RESERVED


def claims_a_role(display_name: str) -> bool:
    parts = [*BRACKETED.findall(display_name), *TRAILING_ROLE.findall(display_name)]
    return is_reserved(display_name) or any(_folded(part) in ROLE_WORDS for part in parts)
