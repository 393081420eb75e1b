"""One module per area of verbs. Each action checks (raising ValidationError or
PermissionDenied), writes in one transaction with its events, then wakes the hub after commit:
a rolled-back change never reaches a browser."""


class PermissionDenied(Exception):
    """The member may not do this; the message says why, in words for people."""


class NotFound(Exception):
    pass
