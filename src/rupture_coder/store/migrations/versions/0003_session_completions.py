"""session completions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_completions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("rater_id", sa.String(length=32), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rater_id"], ["raters.id"], name=op.f("fk_session_completions_rater_id_raters")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_session_completions_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_completions")),
        sa.UniqueConstraint(
            "session_id", "rater_id", name=op.f("uq_session_completions_session_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("session_completions")
