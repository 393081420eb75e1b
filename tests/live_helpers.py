"""A WebSocket client speaking the forum's /ws protocol, for tests against a real server."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

RECEIVE_SECONDS = 10.0


class LiveClient:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.events: list[dict[str, Any]] = []
        self.frames: list[dict[str, Any]] = []

    @classmethod
    async def open(cls, ws_url: str, *, cookie: str | None = None, origin: str | None = None,
                   **options: Any) -> LiveClient:
        headers = {"Cookie": cookie} if cookie else {}
        connection = await connect(ws_url, additional_headers=headers, origin=origin, **options)
        return cls(connection)

    async def send(self, frame: Any) -> None:
        await self.connection.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def receive(self, timeout: float = RECEIVE_SECONDS) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            frame = json.loads(await self.connection.recv())
        self.frames.append(frame)
        if frame["type"] == "event":
            self.events.append(frame)
        return frame

    async def receive_type(self, kind: str, timeout: float = RECEIVE_SECONDS) -> dict[str, Any]:
        """The next frame of this type; frames of other types are kept, not lost."""
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.receive()
                if frame["type"] == kind:
                    return frame

    async def subscribe(self, channels: list[str], since: int | None = None) -> dict[str, Any]:
        frame: dict[str, Any] = {"type": "subscribe", "channels": channels}
        if since is not None:
            frame["since"] = since
        await self.send(frame)
        return await self.receive_type("subscribed")

    async def receive_events(self, count: int, timeout: float = RECEIVE_SECONDS) -> list[dict[str, Any]]:
        """Wait until `count` events in all have arrived on this client."""
        async with asyncio.timeout(timeout):
            while len(self.events) < count:
                await self.receive()
        return self.events

    @property
    def last_event_id(self) -> int:
        return self.events[-1]["id"] if self.events else 0

    async def close(self) -> None:
        await self.connection.close()


async def session_cookie(base_url: str, username: str, display_name: str = "") -> str:
    """Sign up through the form of a real server, as a browser would; its Cookie header."""
    import httpx

    from tests.helpers import CSRF_META, PASSWORD

    async with httpx.AsyncClient(base_url=base_url) as http:
        token = CSRF_META.search((await http.get("/signup")).text).group(1)
        response = await http.post("/signup", data={"username": username, "password": PASSWORD,
                                                    "display_name": display_name, "csrf_token": token})
        assert response.status_code == 303, response.text
        return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


async def follow_with_drops(ws_urls: list[str], channel: str, done: asyncio.Event, rng: Any,
                            stay: tuple[int, int] = (5, 60), wait: float = 10.0) -> list[int]:
    """A reader that keeps dropping its connection after a random number of events and
    resuming from the last id it saw, on a randomly chosen server; every event id it saw,
    in order, once `done` is set and the stream has gone quiet."""
    seen: list[int] = []
    since = None
    while True:
        client = await LiveClient.open(rng.choice(ws_urls))
        subscribed = await client.subscribe([channel], since=since)
        seen.extend(e["id"] for e in client.events)  # replayed before "subscribed"
        since = seen[-1] if seen else subscribed["last_id"]
        left = rng.randint(*stay)
        try:
            while left:
                frame = await client.receive(timeout=2 if done.is_set() else wait)
                if frame["type"] == "event":
                    seen.append(frame["id"])
                    since = frame["id"]
                    left -= 1
        except TimeoutError:
            if done.is_set():
                await client.close()
                return seen
        await client.close()  # drop, then resume from the last id seen


def drop_abruptly(client: LiveClient) -> None:
    """Cut the TCP connection with no closing handshake, as a phone going into a tunnel does."""
    client.connection.transport.abort()


class StalledClient:
    """A raw socket that subscribes and then never reads, with a tiny receive window."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect(("127.0.0.1", port))
        self.port = port

    async def subscribe(self, channels: list[str]) -> None:
        import base64
        import os

        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        response = self.sock.recv(4096)
        assert b" 101 " in response
        payload = json.dumps({"type": "subscribe", "channels": channels}).encode()
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
        await asyncio.sleep(0.3)  # let the server register the subscription

    async def was_dropped(self) -> bool:
        """Read everything the server had sent; a dropped client finds the end of the stream."""
        self.sock.setblocking(False)
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(30):
                while True:
                    chunk = await loop.sock_recv(self.sock, 65536)
                    if not chunk:
                        return True
        except TimeoutError:
            return False
        except (ConnectionResetError, ConnectionClosed):
            return True
        finally:
            self.sock.close()
