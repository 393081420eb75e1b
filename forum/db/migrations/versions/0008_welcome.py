"""welcoming newcomers: introductions, greeters, who welcomed whom

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("greeter", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("welcomed_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("welcomed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("is_introduction", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("is_introduction")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("welcomed_at")
        batch.drop_column("welcomed_by")
        batch.drop_column("greeter")
