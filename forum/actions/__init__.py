"""One module per area of verbs. Each action checks (raising ValidationError or
PermissionDenied), writes in one transaction with its events, then wakes the hub after commit:
a rolled-back change never reaches a browser."""


from forum.auth import Member


class PermissionDenied(Exception):
    """The member may not do this; the message says why, in words for people."""


class NotFound(Exception):
    pass


def require_writer(member: Member | None) -> Member:
    if member is None:
        raise PermissionDenied("Log in to post.")
    if not member.can_write:
        raise PermissionDenied("Your account is suspended: you can read but not post.")
    return member


def require_moderator(member: Member | None) -> Member:
    member = require_writer(member)
    if not member.is_moderator:
        raise PermissionDenied("Only moderators can do that.")
    return member
