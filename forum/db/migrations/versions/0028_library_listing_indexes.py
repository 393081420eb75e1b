"""library listing indexes: a tag's, the featured and the most discussed items, never every item

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05

At 1,000,000 posts (2,500 items) the library filtered by a tag few items carry walked every
item newest first, testing each for the tag; the featured list did the same when fewer than five
are featured; "most discussed first" read and sorted every item of its kind: all grew with the
library (bench/data_scale.py; BENCHMARKS.md, Scale of data). thread_tags now carries the item's
id for a library thread, so a tag's items are one range of an index, newest first; items carry
their thread's reply count, indexed; featured items get an index of their own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("thread_tags", sa.Column("library_item_id", sa.Integer(), nullable=True))
    op.execute("UPDATE thread_tags SET library_item_id = (SELECT library_items.id FROM library_items"
               " WHERE library_items.thread_id = thread_tags.thread_id)"
               " WHERE thread_id IN (SELECT thread_id FROM library_items)")
    op.create_index("ix_thread_tags_library", "thread_tags", ["tag_id", "library_item_id"])
    op.create_index("ix_library_items_featured", "library_items", ["featured", "id"])
    op.add_column("library_items", sa.Column("reply_count", sa.Integer(), server_default="0", nullable=False))
    op.execute("UPDATE library_items SET reply_count ="
               " (SELECT threads.reply_count FROM threads WHERE threads.id = library_items.thread_id)")
    op.create_index("ix_library_items_discussed", "library_items", ["reply_count", "id"])
    op.create_index("ix_library_items_kind_discussed", "library_items", ["kind", "reply_count", "id"])


def downgrade() -> None:
    op.drop_index("ix_library_items_kind_discussed", table_name="library_items")
    op.drop_index("ix_library_items_discussed", table_name="library_items")
    with op.batch_alter_table("library_items") as batch:
        batch.drop_column("reply_count")
    op.drop_index("ix_library_items_featured", table_name="library_items")
    op.drop_index("ix_thread_tags_library", table_name="thread_tags")
    with op.batch_alter_table("thread_tags") as batch:
        batch.drop_column("library_item_id")
