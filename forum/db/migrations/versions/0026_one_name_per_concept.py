"""one name per concept: the live-update log is `live_log`, and the Events feature's tables are
`events` and `event_registrations` (they were `events`, `meetings` and `meeting_registrations`)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

# (old index name, new index name, columns); the feature's carry their table first.
LOG_INDEXES = [
    ("ix_events_channel_id", "ix_live_log_channel_id", ["channel", "id"]),
    ("ix_events_subject", "ix_live_log_subject", ["subject"]),
    ("ix_events_author_id", "ix_live_log_author_id", ["author_id"]),
]
EVENT_INDEXES = [
    ("events", "ix_meetings_starts_at", "ix_events_starts_at", ["starts_at"]),
    ("event_registrations", "ix_meeting_registrations_user_id", "ix_event_registrations_user_id", ["user_id"]),
]
# (table, old name, new name, columns): SQLite keeps these names in the table's SQL, so the
# two tables are rebuilt under the new names there (they are small: events and sign-ups).
SQLITE_UNIQUE = [
    ("events", "uq_meetings_thread_id", "uq_events_thread_id", ["thread_id"]),
    ("event_registrations", "uq_meeting_registrations_meeting_id_user_id",
     "uq_event_registrations_event_id_user_id", ["event_id", "user_id"]),
]
# PostgreSQL keeps every constraint's name through a rename.
PG_CONSTRAINTS = [
    ("live_log", "pk_events", "pk_live_log"),
    ("events", "pk_meetings", "pk_events"),
    ("events", "uq_meetings_thread_id", "uq_events_thread_id"),
    ("events", "fk_meetings_thread_id_threads", "fk_events_thread_id_threads"),
    ("event_registrations", "pk_meeting_registrations", "pk_event_registrations"),
    ("event_registrations", "fk_meeting_registrations_meeting_id_meetings",
     "fk_event_registrations_event_id_events"),
    ("event_registrations", "fk_meeting_registrations_user_id_users", "fk_event_registrations_user_id_users"),
    ("event_registrations", "uq_meeting_registrations_meeting_id_user_id",
     "uq_event_registrations_event_id_user_id"),
]


def _rename_index(table: str, old: str, new: str, columns: list[str]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER INDEX {old} RENAME TO {new}")
    else:  # SQLite cannot rename an index
        op.drop_index(old, table_name=table)
        op.create_index(new, table, columns)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    # The log first: its old name is the feature's new one.
    op.rename_table("events", "live_log")
    for old, new, columns in LOG_INDEXES:
        _rename_index("live_log", old, new, columns)
    op.execute("UPDATE meta SET key = 'live_log_pruned_through' WHERE key = 'events_pruned_through'")
    op.rename_table("meetings", "events")
    op.rename_table("meeting_registrations", "event_registrations")
    op.execute("ALTER TABLE event_registrations RENAME COLUMN meeting_id TO event_id")
    for table, old, new, columns in EVENT_INDEXES:
        _rename_index(table, old, new, columns)
    _rename_constraints(postgres, back=False)


def _rename_constraints(postgres: bool, back: bool) -> None:
    if postgres:
        for table, old, new in reversed(PG_CONSTRAINTS) if back else PG_CONSTRAINTS:
            op.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {new if back else old} TO {old if back else new}")
        return
    for table, old, new, columns in SQLITE_UNIQUE:
        if back:  # the column is still event_id: it is renamed back afterwards
            old, new = new, old
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.drop_constraint(old, type_="unique")
            batch.create_unique_constraint(new, columns)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    _rename_constraints(postgres, back=True)
    for table, old, new, columns in EVENT_INDEXES:
        _rename_index(table, new, old, columns)
    op.execute("ALTER TABLE event_registrations RENAME COLUMN event_id TO meeting_id")
    op.rename_table("event_registrations", "meeting_registrations")
    op.rename_table("events", "meetings")
    op.execute("UPDATE meta SET key = 'events_pruned_through' WHERE key = 'live_log_pruned_through'")
    for old, new, columns in LOG_INDEXES:
        _rename_index("live_log", new, old, columns)
    op.rename_table("live_log", "events")
