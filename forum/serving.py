"""Serving the app with uvicorn on a listening socket the forum makes itself, so that every
connection it accepts carries TCP_USER_TIMEOUT.

Why: a live reader that stops reading is dropped by its connection (a bounded queue, then a
closing frame with a one-second limit; see forum/realtime/connection.py), but its socket is
uvicorn's, and closing a transport waits for its buffer to drain, which a reader that never
reads never lets happen. ASGI has no "abort". The kernel does: with TCP_USER_TIMEOUT, data
that stays unacknowledged (or waits behind a zero window) that long ends the connection.
Accepted sockets inherit the option from the listening one (Linux), so setting it here covers
them all, under one worker or several, through uvicorn's public `Config.bind_socket`,
`Server.run(sockets=...)` and `supervisors.Multiprocess`.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

# Longer than any pause a reading client makes (a phone switching networks resumes by id
# anyway); short enough that a reader who stopped reading does not keep its socket for long.
UNACKNOWLEDGED_SECONDS = 15


def listening_socket(config: uvicorn.Config) -> socket.socket:
    sock = config.bind_socket()
    if hasattr(socket, "TCP_USER_TIMEOUT") and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, UNACKNOWLEDGED_SECONDS * 1000)
    return sock


def serve(app: str, **options: Any) -> bool:
    """As `uvicorn.run(app, **options)` for an import string, on `listening_socket`; False if
    a single worker's app did not start."""
    config = uvicorn.Config(app, **options)
    sock = listening_socket(config)
    try:
        if config.workers > 1:
            Multiprocess(config, sockets=[sock]).run()
            return True
        server = uvicorn.Server(config)
        server.run(sockets=[sock])
        return server.started
    except KeyboardInterrupt:
        return True
    finally:
        sock.close()
