"""consensus review and gold

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consensus_decisions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("unit_kind", sa.String(length=20), nullable=False),
        sa.Column("segment_key", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("chosen_rater_id", sa.String(length=32), nullable=True),
        sa.Column("source_raters", sa.JSON(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chosen_rater_id"],
            ["raters.id"],
            name=op.f("fk_consensus_decisions_chosen_rater_id_raters"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_consensus_decisions_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consensus_decisions")),
        sa.UniqueConstraint(
            "session_id",
            "unit_kind",
            "segment_key",
            "key",
            name=op.f("uq_consensus_decisions_session_id"),
        ),
    )
    with op.batch_alter_table("consensus_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consensus_decisions_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "gold_sessions",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("rater_id", sa.String(length=32), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rater_id"], ["raters.id"], name=op.f("fk_gold_sessions_rater_id_raters")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_gold_sessions_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_gold_sessions")),
    )
    op.create_table(
        "review_comments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("code_id", sa.String(length=32), nullable=True),
        sa.Column("segment_id", sa.String(length=32), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'reviewed')", name=op.f("ck_review_comments_status")
        ),
        sa.ForeignKeyConstraint(
            ["code_id"], ["code_events.id"], name=op.f("fk_review_comments_code_id_code_events")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_review_comments_segment_id_segments")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_review_comments_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_comments")),
    )
    with op.batch_alter_table("review_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_comments_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("review_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_comments_session_id"))

    op.drop_table("review_comments")
    op.drop_table("gold_sessions")
    with op.batch_alter_table("consensus_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consensus_decisions_session_id"))

    op.drop_table("consensus_decisions")
