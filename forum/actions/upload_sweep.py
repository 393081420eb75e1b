"""Files no post uses are removed after a day: uploaded in a composer, then never posted (the
tab closed, the post abandoned). A file a post has shown is kept, even if the post is later
edited or deleted: its earlier versions and a hidden post may be looked at or restored."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from forum.clock import utcnow
from forum.db import uploads
from forum.services import Forum

log = logging.getLogger("forum")

SWEEP_EVERY_SECONDS = 3600
# A bounded batch per transaction: the lock that keeps new uploads waiting is held briefly.
SWEEP_BATCH = 100


async def sweep_unused_uploads(forum: Forum, now: datetime) -> int:
    """Remove the uploads no post has named for a day; the stored bytes go only when no other
    upload shares them. Returns how many uploads were removed. Safe with several processes:
    one transaction per batch, under a lock that also keeps new uploads out until it commits."""
    cutoff = uploads.day_before(now)
    removed = 0
    while await uploads.any_unused(forum.db, cutoff):
        async with forum.db.transaction():
            await uploads.lock_for_sweep(forum.db)
            rows = await uploads.delete_unused(forum.db, cutoff, SWEEP_BATCH)
            keys = {key for row in rows for key in uploads.sizes_of(row)}
            # Deleted before the commit, while the lock holds: an upload of the same bytes
            # waits, then finds them gone and stores them again (forum/actions/uploads.py).
            for key in sorted(keys - await uploads.keys_in_use(forum.db, keys)):
                await forum.uploads.delete(key)
        removed += len(rows)
        if len(rows) < SWEEP_BATCH:
            break
    return removed


async def sweep_periodically(forum: Forum, every: float = SWEEP_EVERY_SECONDS) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            removed = await sweep_unused_uploads(forum, utcnow())
            if removed:
                log.info("removed %d uploads no post used for a day", removed)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database or the store may be restarting: try again next round
            log.exception("sweeping unused uploads failed")
