"""events keep the time zone they were given in, so the edit form shows the times as entered

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An IANA name such as 'Europe/London'; None for events made before, or with offsets only.
    op.add_column("meetings", sa.Column("timezone", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("meetings", "timezone")
