"""The one schema. Migrations in forum/db/migrations are generated from it and reviewed."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# 64-bit ids where they grow without bound; SQLite wants plain INTEGER for its rowid alias.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(30), nullable=False),
    # Lower-cased username: uniqueness without regard to case, on both engines.
    sa.Column("username_key", sa.String(30), nullable=False, unique=True),
    sa.Column("display_name", sa.String(60), nullable=False),
    sa.Column("bio", sa.Text, nullable=False, server_default=""),
    sa.Column("role", sa.String(16), nullable=False, server_default="member"),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("suspended_at", Timestamp, nullable=True),
    # The site banner this member closed; a newer banner shows again.
    sa.Column("dismissed_banner_id", sa.Integer, nullable=True),
    sa.Column("organisation", sa.String(120), nullable=False, server_default=""),
    sa.Column("location", sa.String(120), nullable=False, server_default=""),
    # Denormalised for the member directory, kept in the posting transaction.
    sa.Column("post_count", sa.Integer, nullable=False, server_default="0"),
    # Greeters opt in to hear of each new introduction; a newcomer's first welcome is kept.
    sa.Column("greeter", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("welcomed_by", sa.Integer, nullable=True),
    sa.Column("welcomed_at", Timestamp, nullable=True),
    sa.Column("last_active_at", Timestamp, nullable=True),
    # Lower-cased (see forum/mail/addresses.py), so one address is one account whatever its case.
    sa.Column("email", sa.String(254), nullable=True, unique=True),
    # Set when a link mailed to `email` is followed; nothing else is mailed to it before.
    sa.Column("email_confirmed_at", Timestamp, nullable=True),
    # "immediately", "daily" or "off" (forum/mail/preferences.py).
    sa.Column("email_notifications", sa.String(16), nullable=False, server_default="immediately"),
    # Email about events they registered for (registration, seat, changes, reminder).
    sa.Column("email_events", sa.Boolean, nullable=False, server_default=sa.true()),
    # Why mail to `email` last failed for good (a bounce, a refused address), shown on /settings.
    sa.Column("email_problem", sa.String(300), nullable=False, server_default=""),
    sa.Index("ix_users_created_at", "created_at"),
    sa.Index("ix_users_last_active_at", "last_active_at"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # sha256 of the cookie's token: a leaked table does not leak live sessions.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("last_seen_at", Timestamp, nullable=False),
    sa.Column("user_agent", sa.String(200), nullable=False, server_default=""),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("last_used_at", Timestamp, nullable=True),
)

channels = sa.Table(
    "channels",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("slug", sa.String(60), nullable=False, unique=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("description", sa.String(300), nullable=False, server_default=""),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    # Denormalised, kept in the same transaction as the change that moves it.
    sa.Column("thread_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_activity_at", Timestamp, nullable=True),
)

threads = sa.Table(
    "threads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("slug", sa.String(80), nullable=False),
    sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("last_activity_at", Timestamp, nullable=False),
    sa.Column("reply_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("locked", sa.Boolean, nullable=False, server_default=sa.false()),
    # A newcomer's "introduce yourself" thread in Welcome.
    sa.Column("is_introduction", sa.Boolean, nullable=False, server_default=sa.false()),
    # Unread counts look only at the most recently active threads (forum/db/reads.py).
    sa.Index("ix_threads_last_activity_at", "last_activity_at"),
)

# A thread sits in one or more channels. Pinned and last activity are copied here so that a
# channel page is one index range scan: (channel, pinned, last activity, thread) keyset.
thread_channels = sa.Table(
    "thread_channels",
    metadata,
    sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("last_activity_at", Timestamp, nullable=False),
    sa.Index("ix_thread_channels_listing", "channel_id", "pinned", "last_activity_at", "thread_id"),
    sa.Index("ix_thread_channels_thread", "thread_id"),
)

posts = sa.Table(
    "posts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("posts.id"), nullable=True),
    sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    # Materialised path of zero-padded ids: ordering by it is the thread's reading order
    # (depth first, oldest first), so any slice of a huge thread is one index range.
    sa.Column("path", sa.String(100), nullable=False),
    sa.Column("depth", sa.SmallInteger, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("html", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("edited_at", Timestamp, nullable=True),
    sa.Column("deleted_at", Timestamp, nullable=True),
    # Hidden by a moderator: members see the public reason, moderators the post, marked.
    sa.Column("hidden_at", Timestamp, nullable=True),
    sa.Column("hidden_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("hidden_reason", sa.String(300), nullable=True),
    # Reaction counts and who reacted, as JSON, kept in the reacting transaction: the thread
    # page shows them with no query of its own, and a new summary makes a new post fragment.
    sa.Column("reactions", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("thread_id", "path", name="uq_posts_thread_path"),
    # Unread counts: the replies above a member's read mark are one range of this index, which
    # holds all the count needs (forum/db/reads.py), so the posts themselves are not read.
    sa.Index("ix_posts_unread", "thread_id", "id", "author_id", "deleted_at"),
)

# One row per member, post and emoji: a member reacts with each emoji at most once per post.
post_reactions = sa.Table(
    "post_reactions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("emoji", sa.String(16), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("post_id", "user_id", "emoji", name="uq_post_reactions_post_id_user_id_emoji"),
)

# Private conversations: only their members may see them (everyone else gets a 404).
conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(200), nullable=False, server_default=""),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("last_message_at", Timestamp, nullable=False),
)

# Who is in a conversation, and how far each has read (message ids grow with time).
conversation_members = sa.Table(
    "conversation_members",
    metadata,
    sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("last_read_message_id", sa.Integer, nullable=False, server_default="0"),
    # Muted: no header count, live nudge or email from it; the messages are still there.
    sa.Column("muted", sa.Boolean, nullable=False, server_default=sa.false()),
    # The newest message emailed to this member (forum/mail/message_mail.py): none goes twice.
    sa.Column("emailed_message_id", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_conversation_members_user_id", "user_id"),
)

messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    # "text", or "left": the line the others see when a member leaves.
    sa.Column("kind", sa.String(10), nullable=False, server_default="text"),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("html", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Index("ix_messages_conversation_id_id", "conversation_id", "id"),
)

# A member who blocked another: the blocked one can no longer write to them privately or
# notify them with an @mention. Only the blocker sees it (on /settings and the profile).
blocks = sa.Table(
    "blocks",
    metadata,
    sa.Column("blocker_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("blocked_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Index("ix_blocks_blocked_id", "blocked_id"),
)

# The durable event log behind live updates. Ids are strictly increasing in commit order
# (see forum/db/live_log.py); clients resume from it by id.
live_log = sa.Table(
    "live_log",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("channel", sa.String(80), nullable=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    # What the event is about ('post:12', 'thread:3', 'user:7', 'banner') and whose name it
    # shows: a take-down or a new name restates every logged event about it (live_log.restate).
    sa.Column("subject", sa.String(40)),
    sa.Column("author_id", sa.Integer),
    sa.Index("ix_live_log_channel_id", "channel", "id"),
    sa.Index("ix_live_log_subject", "subject"),
    sa.Index("ix_live_log_author_id", "author_id"),
    sqlite_autoincrement=True,  # never reuse an id after pruning
)

# Every moderator action: who, what, when, why.
moderation_log = sa.Table(
    "moderation_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("actor_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=True),
    sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="CASCADE"), nullable=True),
    sa.Column("reason", sa.String(300), nullable=False, server_default=""),
    sa.Column("created_at", Timestamp, nullable=False, index=True),
)

# A post's earlier versions: each edit keeps the text it replaced.
post_revisions = sa.Table(
    "post_revisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("edited_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)

# A member's report of a post; waits in the queue at /mod until a moderator resolves it.
flags = sa.Table(
    "flags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("reporter_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("resolved_at", Timestamp, nullable=True, index=True),
    sa.Column("resolved_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("resolution", sa.String(20), nullable=True),
    sa.Column("note", sa.String(500), nullable=False, server_default=""),
)

# A participant's report of one private message. Moderators see that message only (its text,
# author and time, with the reporter and reason), never the rest of the conversation.
message_reports = sa.Table(
    "message_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("reporter_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("resolved_at", Timestamp, nullable=True, index=True),
    sa.Column("resolved_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
)

# The site-wide announcement banner; the newest uncleared one shows on every page.
banners = sa.Table(
    "banners",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text", sa.String(500), nullable=False),
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("cleared_at", Timestamp, nullable=True),
)

# What a member is told: replies to them, mentions, moderators acting on their posts.
notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("actor_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=True),
    sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="CASCADE"), nullable=True),
    sa.Column("note", sa.String(300), nullable=False, server_default=""),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("read_at", Timestamp, nullable=True),
    # When it went out by email (forum/mail/notification_mail.py); it never goes twice.
    sa.Column("emailed_at", Timestamp, nullable=True),
    sa.Index("ix_notifications_user_id_id", "user_id", "id"),
)

# How far each member has read each thread: post ids grow with time, so every reply above the
# mark is new to them, wherever it sits in the tree.
thread_reads = sa.Table(
    "thread_reads",
    metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("last_read_post_id", sa.Integer, nullable=False),
)

# An event (a network meeting, a conference) is a thread with a date, a place and seats.
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False,
              unique=True),
    sa.Column("starts_at", Timestamp, nullable=False, index=True),
    sa.Column("ends_at", Timestamp, nullable=False),
    sa.Column("location", sa.String(200), nullable=False),
    # None: as many seats as people who come.
    sa.Column("capacity", sa.Integer, nullable=True),
    # The IANA zone the times were entered in, so the edit form shows them as entered.
    sa.Column("timezone", sa.String(64), nullable=True),
    # Set when a moderator cancels it: it stays listed, marked, until it would have ended.
    sa.Column("cancelled_at", Timestamp, nullable=True),
    sa.Column("cancel_note", sa.String(500), nullable=False, server_default=""),
)

# Who comes: "registered" holds a seat; "reserve" waits in id order for one to free up.
event_registrations = sa.Table(
    "event_registrations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("reminded_at", Timestamp, nullable=True),
    sa.UniqueConstraint("event_id", "user_id", name="uq_event_registrations_event_id_user_id"),
)

# One-use links mailed to a member (confirm an address, reset a password), kept by hash.
account_tokens = sa.Table(
    "account_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("purpose", sa.String(20), nullable=False),
    # The address a confirmation link confirms: a later change of address voids it.
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False),
    sa.Column("used_at", Timestamp, nullable=True),
)

# Every email, written in the transaction of the change that causes it and sent after commit
# by the outbox sender (forum/mail/sender.py), so a crash or an SMTP outage delays mail but
# never loses it.
mail_outbox = sa.Table(
    "mail_outbox",
    metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    sa.Column("recipient", sa.String(254), nullable=False),
    # The whole message as it goes out (headers included), fixed when it is queued: a retry
    # sends the very same Message-ID.
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    # Due at; a sender that claims a row moves this past its send timeout (its lease).
    sa.Column("next_attempt_at", Timestamp, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.String(500), nullable=False, server_default=""),
    sa.Column("sent_at", Timestamp, nullable=True),
    # Given up: the server refused it for good, or it kept failing for days.
    sa.Column("failed_at", Timestamp, nullable=True),
    sa.Index("ix_mail_outbox_next_attempt_at", "next_attempt_at"),
)

# Files members uploaded. The bytes live in the upload store (forum/storage) under
# content-addressed keys; a picture has three: the re-encoded full size, a page-width copy and a
# thumbnail. used_at: when a post last named it (a file no post uses is swept after a day).
uploads = sa.Table(
    "uploads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("key", sa.String(80), nullable=False, index=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content_type", sa.String(120), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("width", sa.Integer, nullable=True),
    sa.Column("height", sa.Integer, nullable=True),
    sa.Column("display_key", sa.String(80), nullable=True, index=True),
    sa.Column("display_width", sa.Integer, nullable=True),
    sa.Column("display_height", sa.Integer, nullable=True),
    sa.Column("thumbnail_key", sa.String(80), nullable=True, index=True),
    sa.Column("original_name", sa.String(200), nullable=False),
    sa.Column("alt", sa.String(500), nullable=False, server_default=""),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("used_at", Timestamp, nullable=True),
    sa.Index("ix_uploads_owner_id_created_at", "owner_id", "created_at"),
)

# A tag is shown as first written (`name`) and matched by `key` (forum/tag_names.py). A tag
# renamed or merged away stays as an alias (`merged_into`), so old #links still lead somewhere.
tags = sa.Table(
    "tags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    # Folding can lengthen a name ("ﬁ" -> "fi"): room for that.
    sa.Column("key", sa.String(100), nullable=False, unique=True),
    # Denormalised, kept in the tagging transaction.
    sa.Column("thread_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("merged_into", sa.Integer, sa.ForeignKey("tags.id"), nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
)

# Last activity copied here, as in thread_channels: a tag page is one range of the listing index.
# A library thread's item id too (written with the item, or with the tag, whichever comes
# second), so the library filtered by a tag is one range of ix_thread_tags_library, newest item
# first, however few of the library's items carry the tag.
thread_tags = sa.Table(
    "thread_tags",
    metadata,
    sa.Column("tag_id", sa.Integer, sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("last_activity_at", Timestamp, nullable=False),
    sa.Column("library_item_id", sa.Integer, nullable=True),
    sa.Index("ix_thread_tags_listing", "tag_id", "last_activity_at", "thread_id"),
    sa.Index("ix_thread_tags_thread", "thread_id"),
    sa.Index("ix_thread_tags_library", "tag_id", "library_item_id"),
)

# A library item (a resource or a case study) is a thread plus this row of structured fields,
# as an event is a thread plus its row in `events`; its opening post is the description.
library_items = sa.Table(
    "library_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("thread_id", sa.Integer, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False,
              unique=True),
    # "resource" or "case_study" (forum/actions/library.py).
    sa.Column("kind", sa.String(16), nullable=False),
    # A resource's type: toolkit, guide, report, video, website or other.
    sa.Column("resource_type", sa.String(16), nullable=True),
    sa.Column("link", sa.String(500), nullable=False, server_default=""),
    sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id", ondelete="SET NULL"), nullable=True),
    sa.Column("year", sa.Integer, nullable=True),
    sa.Column("organisation", sa.String(120), nullable=False, server_default=""),
    sa.Column("location", sa.String(120), nullable=False, server_default=""),
    sa.Column("what_was_done", sa.Text, nullable=False, server_default=""),
    sa.Column("outcomes", sa.Text, nullable=False, server_default=""),
    sa.Column("contact", sa.String(200), nullable=False, server_default=""),
    # Moderators feature a few at the top of /library.
    sa.Column("featured", sa.Boolean, nullable=False, server_default=sa.false()),
    # The thread's reply count, copied in the same transaction (forum/db/threads.py), so "most
    # discussed first" is one range of an index, not a sort of every item.
    sa.Column("reply_count", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_library_items_kind_id", "kind", "id"),
    sa.Index("ix_library_items_featured", "featured", "id"),
    sa.Index("ix_library_items_discussed", "reply_count", "id"),
    sa.Index("ix_library_items_kind_discussed", "kind", "reply_count", "id"),
)

# A member follows a tag or a channel (one of the two per row) to be told of its new threads.
follows = sa.Table(
    "follows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("tag_id", sa.Integer, sa.ForeignKey("tags.id", ondelete="CASCADE"), nullable=True, index=True),
    sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id", ondelete="CASCADE"), nullable=True,
              index=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("user_id", "tag_id", name="uq_follows_user_id_tag_id"),
    sa.UniqueConstraint("user_id", "channel_id", name="uq_follows_user_id_channel_id"),
)

# The full-text index (post_search) is engine-specific and made by migrations alone: an FTS5
# table on SQLite, a tsvector table with a GIN index on PostgreSQL (0002, forum/db/search.py),
# and on PostgreSQL a GIN index of its title part alone (0020, for suggestions). Private
# messages have an index of their own, message_search (0026, forum/db/message_search.py).

# Small key/value facts about the database itself, e.g. how far the event log was pruned.
meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(60), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)
