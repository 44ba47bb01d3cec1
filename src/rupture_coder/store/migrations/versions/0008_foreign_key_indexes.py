"""the columns that refer to utterances, segments, participants and codes indexed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

SQLite checks every foreign key when a row it points to is deleted: deleting an utterance looks
for codes that start or end on it, a segment for codes and comments on it, a participant for
utterances and group codes. Without an index on the referring column each look-up walks the whole
table, so deleting a session (or undoing the import of 300 transcripts) in a project of 200,000
codes took minutes to hours. The mostly empty columns get partial indexes (only the rows that
refer to something), which the check uses all the same.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# (index, table, column, partial: only the rows where the column is set)
INDEXES = (
    ("ix_code_events_first_utterance", "code_events", "first_utterance_id", False),
    ("ix_code_events_last_utterance", "code_events", "last_utterance_id", True),
    ("ix_code_events_segment", "code_events", "segment_id", True),
    ("ix_code_events_actor", "code_events", "actor_id", True),
    ("ix_code_events_target", "code_events", "target_id", True),
    ("ix_utterances_participant", "utterances", "participant_id", True),
    ("ix_review_comments_segment", "review_comments", "segment_id", True),
    ("ix_review_comments_code", "review_comments", "code_id", True),
)


def upgrade() -> None:
    for name, table, column, partial in INDEXES:
        where = sa.text(f"{column} IS NOT NULL") if partial else None
        op.create_index(name, table, [column], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, table, _column, _partial in reversed(INDEXES):
        op.drop_index(name, table_name=table)
