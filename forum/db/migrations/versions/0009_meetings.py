"""events: meetings and conferences with registration, seats and a reserve list

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], ondelete="CASCADE",
                                name="fk_meetings_thread_id_threads"),
        sa.PrimaryKeyConstraint("id", name="pk_meetings"),
        sa.UniqueConstraint("thread_id", name="uq_meetings_thread_id"),
    )
    op.create_index("ix_meetings_starts_at", "meetings", ["starts_at"], unique=False)
    op.create_table(
        "meeting_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], ondelete="CASCADE",
                                name="fk_meeting_registrations_meeting_id_meetings"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_meeting_registrations_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_meeting_registrations"),
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_meeting_registrations_meeting_id_user_id"),
    )
    op.create_index("ix_meeting_registrations_user_id", "meeting_registrations", ["user_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_meeting_registrations_user_id", table_name="meeting_registrations")
    op.drop_table("meeting_registrations")
    op.drop_index("ix_meetings_starts_at", table_name="meetings")
    op.drop_table("meetings")
