"""The outbox sender: one loop per process, started in the app's lifespan, sending what the
outbox holds that is due, with retries and backoff."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime, timedelta
from typing import Any

from forum.clock import utcnow
from forum.db import mail_outbox
from forum.db.engine import Database
from forum.mail.transports import SMTP_TIMEOUT_SECONDS, SendFailed, Transport

log = logging.getLogger("forum.mail")

# Without a wake-up, the outbox is looked at this often: mail queued by another process, and
# retries coming due, wait at most this long.
POLL_SECONDS = 2.0
# Messages claimed at once, and how long a claim holds: far beyond one SMTP conversation each,
# so a slow server never has a message sent twice by two senders.
BATCH = 20
LEASE = timedelta(seconds=BATCH * SMTP_TIMEOUT_SECONDS * 2)
# On shutdown, how long the message being sent may take to finish.
SHUTDOWN_GRACE_SECONDS = 10
# Retries: 5 s, 10 s, 20 s ... then hourly; a server out for a day and a half loses nothing.
FIRST_RETRY_SECONDS = 5
LONGEST_RETRY_SECONDS = 3600
MAX_ATTEMPTS = 45
# Sent messages are kept this long (to see what went out), then deleted.
KEEP_SENT = timedelta(days=7)
PRUNE_EVERY_SECONDS = 3600


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_RETRY_SECONDS))


class OutboxSender:
    def __init__(self, db: Database, transport: Transport, envelope_from: str) -> None:
        self.db, self.transport, self.envelope_from = db, transport, envelope_from
        self._wake = asyncio.Event()
        self._forgotten_at = time.monotonic()  # first an hour after start: leave a starting app be

    def wake(self) -> None:
        """Look at the outbox now (a change that queued mail has just committed)."""
        self._wake.set()

    async def run(self, poll_seconds: float = POLL_SECONDS) -> None:
        """For as long as the app runs. An unreachable database or mail server is logged and
        tried again; nothing here ends the loop but cancellation."""
        while True:
            try:
                while await self.send_due():
                    pass
                await self._forget_old_mail()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the mail outbox could not be read; trying again")
            try:
                async with asyncio.timeout(poll_seconds):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()

    async def _forget_old_mail(self) -> None:
        """Hourly: a write bumps the page cache's stamp, so not on every look."""
        if time.monotonic() - self._forgotten_at >= PRUNE_EVERY_SECONDS:
            self._forgotten_at = time.monotonic()
            await mail_outbox.delete_sent_before(self.db, utcnow() - KEEP_SENT)

    async def send_due(self, now: datetime | None = None) -> int:
        """Send what is due at `now`; the number of messages tried."""
        now = now or utcnow()
        if not await mail_outbox.any_due(self.db, now):
            return 0
        rows = await mail_outbox.claim_due(self.db, now, BATCH, LEASE)
        for done, row in enumerate(rows):
            in_flight = asyncio.ensure_future(self._send(row))
            try:
                await asyncio.shield(in_flight)
            except asyncio.CancelledError:
                # Shutting down: let the message in flight finish and be marked (a send cut
                # off after the server took it would go again), and hand back the claims on
                # those not started, so another sender takes them at once, not after the lease.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(in_flight, SHUTDOWN_GRACE_SECONDS)
                with contextlib.suppress(Exception):
                    await mail_outbox.release(self.db, [r["id"] for r in rows[done + 1:]], utcnow())
                raise
        return len(rows)

    async def _send(self, row: Any) -> None:
        try:
            try:
                await self.transport.send(self.envelope_from, row["recipient"], row["message"])
            except SendFailed:
                raise
            except Exception as unexpected:  # a transport's surprise is a delay, not a lost mail
                raise SendFailed(f"{type(unexpected).__name__}: {unexpected}") from unexpected
        except SendFailed as error:
            attempts = row["attempts"] + 1  # counted by the claim
            if error.permanent or attempts >= MAX_ATTEMPTS:
                log.warning("mail %s to %s given up after %d attempts: %s",
                            row["id"], row["recipient"], attempts, error)
                await mail_outbox.give_up(self.db, row, str(error), utcnow())
                return
            delay = retry_delay(attempts)
            log.warning("mail %s to %s not sent (attempt %d), trying again in %s: %s",
                        row["id"], row["recipient"], attempts, delay, error)
            await mail_outbox.retry_later(self.db, row["id"], str(error), utcnow() + delay)
            return
        # The one window left: the server has accepted the message and this process dies (or
        # the database goes away) before the row is marked. The claim then runs out and the
        # message goes again: at least once, never lost. Only this, never an unmarked success.
        await mail_outbox.mark_sent(self.db, row["id"], utcnow())
