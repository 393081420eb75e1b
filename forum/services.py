"""What the app holds open for its lifetime: settings, database, hub, templates, signer.
Built in the lifespan and handed to handlers and actions; never a module global."""

from __future__ import annotations

from dataclasses import dataclass, field

from forum.auth import Passwords, Signer
from forum.db.engine import Database
from forum.mail.mailer import Mailer
from forum.ratelimit import RateLimiter
from forum.realtime.hub import Hub
from forum.settings import Settings
from forum.storage import Storage
from forum.storage.picture_workers import PictureWorkers
from forum.web.invalidation import Invalidation
from forum.web.shared_reads import SharedReads, weighed_documents, weighed_pages
from forum.web.templating import Templates


@dataclass
class Forum:
    settings: Settings
    db: Database
    hub: Hub
    templates: Templates
    signer: Signer
    limits: RateLimiter
    passwords: Passwords
    mailer: Mailer
    uploads: Storage
    invalidation: Invalidation = field(default_factory=Invalidation)
    shared: SharedReads = field(default_factory=SharedReads)
    # Pages of threads' posts (forum/web/thread_reads.py), weighed by their text.
    thread_pages: SharedReads = field(default_factory=weighed_pages)
    # Finished answers shared by many readers (a thread's JSON), as bytes.
    documents: SharedReads = field(default_factory=weighed_documents)
    pictures: PictureWorkers = field(default_factory=PictureWorkers)

    def __post_init__(self) -> None:
        self.invalidation.register(self.shared)
        self.invalidation.register(self.thread_pages)
        self.invalidation.register(self.documents)
