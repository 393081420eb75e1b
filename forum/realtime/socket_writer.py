"""Writing live frames straight into uvicorn's WebSocket protocol, several in one socket write.

ASGI sends one message per `await send(...)`, and uvicorn frames each one and writes it to the
socket on its own: a coroutine, the framing and a system call per frame per reader, which is
most of what fan-out costs. A `SocketWriter` writes all the frames one read of the event log
holds for a reader (see Hub.catch_up) in one socket write, and frames each event once for every
reader: with no extension negotiated (no compression), a server's frame is the same bytes on
every connection. A socket that cannot take more is left to the ASGI `send`, which waits.

This reaches past ASGI into uvicorn's websockets-sansio protocol (the one `forum serve` runs)
and the `websockets` protocol object inside it. Anything else (another server or protocol
class) gets no writer, and the connection uses plain ASGI sends. tests/test_socket_writer.py
pins what is used here.
"""

from __future__ import annotations

from typing import Any

from starlette.types import Receive
from websockets.frames import Frame, Opcode
from websockets.protocol import State

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # uvicorn without websockets: no direct writes
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]

# Framed events, by the identity of the text the hub hands every reader; the text is kept
# with its frame so that its id cannot be reused while the entry lives.
_FRAMED_MAX_BYTES = 4 * 1024 * 1024
_framed: dict[int, tuple[str, bytes]] = {}
_framed_bytes = 0


class SocketClosed(Exception):
    """The client is gone or the close handshake has begun: no more frames can go out."""


def framed(text: str) -> bytes:
    """`text` as an unmasked, uncompressed WebSocket text frame, as `websockets` frames it."""
    global _framed_bytes
    kept = _framed.get(id(text))
    if kept is not None and kept[0] is text:
        return kept[1]
    frame = Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])
    size = len(text) + len(frame)  # both are held
    if _framed_bytes + size > _FRAMED_MAX_BYTES:
        _framed.clear()
        _framed_bytes = 0
    _framed[id(text)] = (text, frame)
    _framed_bytes += size
    return frame


class SocketWriter:
    __slots__ = ("_protocol",)

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol

    def ready(self) -> bool:
        """True when the socket takes frames without waiting (its buffer is below the
        transport's high-water mark); otherwise the ASGI send, which waits, must carry them."""
        return self._protocol.writable.is_set()

    def write(self, frames: list[str]) -> None:
        protocol = self._protocol
        if protocol.disconnected or protocol.close_sent:
            raise SocketClosed
        connection = protocol.conn
        if (connection.extensions or connection.state is not State.OPEN
                or connection.expect_continuation_frame):
            # Compression keeps state per connection, and a closing one refuses: frame each.
            try:
                for frame in frames:
                    connection.send_text(frame.encode())
            except Exception as error:  # websockets' InvalidState: the client began closing
                raise SocketClosed from error
            protocol.transport.write(b"".join(connection.data_to_send()))
            return
        # Normally nothing is queued (uvicorn writes what it queues); asked only when there
        # is, since each ask leaves a new list behind.
        queued = connection.data_to_send() if connection.writes else ()
        if len(frames) == 1 and not queued:
            protocol.transport.write(framed(frames[0]))
        else:
            protocol.transport.write(b"".join([*queued, *map(framed, frames)]))

    def cut_if_open(self) -> None:
        """Drop the TCP connection at once, if it is still there: a reader that stopped reading
        never takes the closing frame, and its socket would otherwise stay until it read."""
        if not self._protocol.disconnected:
            self._protocol.transport.abort()


def socket_writer(receive: Receive) -> SocketWriter | None:
    """A writer for the WebSocket whose ASGI `receive` this is, if uvicorn's protocol serves it.
    `receive` reaches the endpoint as uvicorn's bound method: no middleware wraps it."""
    protocol = getattr(receive, "__self__", None)
    if WebSocketsSansIOProtocol is None or type(protocol) is not WebSocketsSansIOProtocol:
        return None
    if not protocol.handshake_complete or protocol.initial_response is not None:
        return None
    return SocketWriter(protocol)
