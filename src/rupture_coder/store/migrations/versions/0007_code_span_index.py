"""code events that span utterances indexed (AddCode's overlap check is a look-up)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

A new code must not overlap a code of the same item by the same rater. Codes on one utterance are
found by their place (ix_code_events_place); the few that span several utterances (a last
utterance) are found by this partial index, so the check does not walk every code of the item,
however many the session holds.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SPANS = sa.text("last_utterance_id IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_code_events_spans", "code_events", ["session_id", "rater_id", "item_id"],
                    sqlite_where=SPANS, postgresql_where=SPANS)  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_code_events_spans", table_name="code_events")
