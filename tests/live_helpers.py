"""A WebSocket client speaking the forum's /ws protocol, for tests against a real server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

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
