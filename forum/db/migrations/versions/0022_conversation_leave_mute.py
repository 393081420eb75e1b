"""leaving and muting private conversations

Revision ID: 0022
Revises: 0021
Create Date: 2027-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        # "text", or "left": the line the others see when a member leaves.
        batch.add_column(sa.Column("kind", sa.String(10), nullable=False, server_default="text"))
    with op.batch_alter_table("conversation_members") as batch:
        batch.add_column(sa.Column("muted", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("conversation_members") as batch:
        batch.drop_column("muted")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("kind")
