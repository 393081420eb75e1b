"""reactions on posts, and each post's summary of them

Revision ID: 0015
Revises: 0011
Create Date: 2027-01-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "post_reactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("emoji", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE",
                                name="fk_post_reactions_post_id_posts"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_post_reactions_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_post_reactions"),
        sa.UniqueConstraint("post_id", "user_id", "emoji", name="uq_post_reactions_post_id_user_id_emoji"),
    )
    op.create_index("ix_post_reactions_user_id", "post_reactions", ["user_id"], unique=False)
    # The page shows this summary as it is: no query for reactions per thread page.
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("reactions", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("reactions")
    op.drop_index("ix_post_reactions_user_id", table_name="post_reactions")
    op.drop_table("post_reactions")
