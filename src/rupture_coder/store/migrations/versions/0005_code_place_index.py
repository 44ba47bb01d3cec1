"""code events indexed by their place (the duplicate check of a key press is a look-up)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

One rater's codes of one item at one utterance (or time) are found by index, however many codes
the session holds. The index starts with (session_id, rater_id), so it also serves every read
the index it replaces served.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PLACE = ["session_id", "rater_id", "item_id", "first_utterance_id", "start_s"]


def upgrade() -> None:
    op.create_index("ix_code_events_place", "code_events", PLACE)
    op.drop_index("ix_code_events_session_rater", table_name="code_events")


def downgrade() -> None:
    op.create_index("ix_code_events_session_rater", "code_events", ["session_id", "rater_id"])
    op.drop_index("ix_code_events_place", table_name="code_events")
