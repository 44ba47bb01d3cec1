"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("command", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("undoes", sa.Integer(), nullable=True),
        sa.Column("redoes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["redoes"], ["audit_log.id"], name=op.f("fk_audit_log_redoes_audit_log")
        ),
        sa.ForeignKeyConstraint(
            ["undoes"], ["audit_log.id"], name=op.f("fk_audit_log_undoes_audit_log")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "codebook_versions",
        sa.Column("codebook_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("codebook_id", "version", name=op.f("pk_codebook_versions")),
    )
    op.create_table(
        "project_settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_project_settings")),
    )
    op.create_table(
        "raters",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('coder', 'lead', 'supervisor', 'consensus')", name=op.f("ck_raters_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raters")),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("codebook_id", sa.String(length=64), nullable=True),
        sa.Column("codebook_version", sa.String(length=64), nullable=True),
        sa.Column("media_path", sa.Text(), nullable=True),
        sa.Column("media_hash", sa.String(length=64), nullable=True),
        sa.Column("media_offset_s", sa.Float(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("source_hash", sa.String(length=64), nullable=True),
        sa.Column("segment_length_s", sa.Float(), nullable=True),
        sa.Column("segment_utterances", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('individual', 'group')", name=op.f("ck_sessions_kind")),
        sa.ForeignKeyConstraint(
            ["codebook_id", "codebook_version"],
            ["codebook_versions.codebook_id", "codebook_versions.version"],
            name=op.f("fk_sessions_codebook_id_codebook_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_source_hash"), ["source_hash"], unique=False)

    op.create_table(
        "participants",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("pseudonym", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_participants_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.UniqueConstraint("session_id", "label", name=op.f("uq_participants_session_id")),
    )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participants_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "segments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=True),
        sa.Column("end_s", sa.Float(), nullable=True),
        sa.Column("first_position", sa.Integer(), nullable=True),
        sa.Column("last_position", sa.Integer(), nullable=True),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_segments_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
        sa.UniqueConstraint("session_id", "index", name=op.f("uq_segments_session_id")),
    )
    op.create_table(
        "session_ratings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("rater_id", sa.String(length=32), nullable=False),
        sa.Column("codebook_id", sa.String(length=64), nullable=False),
        sa.Column("codebook_version", sa.String(length=64), nullable=False),
        sa.Column("rating_id", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("is_na", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "value IS NOT NULL OR is_na", name=op.f("ck_session_ratings_value_or_na")
        ),
        sa.ForeignKeyConstraint(
            ["codebook_id", "codebook_version"],
            ["codebook_versions.codebook_id", "codebook_versions.version"],
            name=op.f("fk_code_events_codebook_id_codebook_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"], ["raters.id"], name=op.f("fk_session_ratings_rater_id_raters")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_session_ratings_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_ratings")),
        sa.UniqueConstraint(
            "session_id",
            "rater_id",
            "codebook_id",
            "codebook_version",
            "rating_id",
            name=op.f("uq_session_ratings_session_id"),
        ),
    )
    op.create_table(
        "segment_ratings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("segment_id", sa.String(length=32), nullable=False),
        sa.Column("rater_id", sa.String(length=32), nullable=False),
        sa.Column("codebook_id", sa.String(length=64), nullable=False),
        sa.Column("codebook_version", sa.String(length=64), nullable=False),
        sa.Column("rating_id", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("is_na", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "value IS NOT NULL OR is_na", name=op.f("ck_segment_ratings_value_or_na")
        ),
        sa.ForeignKeyConstraint(
            ["codebook_id", "codebook_version"],
            ["codebook_versions.codebook_id", "codebook_versions.version"],
            name=op.f("fk_code_events_codebook_id_codebook_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"], ["raters.id"], name=op.f("fk_segment_ratings_rater_id_raters")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_segment_ratings_segment_id_segments")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_segment_ratings_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment_ratings")),
        sa.UniqueConstraint(
            "segment_id",
            "rater_id",
            "codebook_id",
            "codebook_version",
            "rating_id",
            name=op.f("uq_segment_ratings_segment_id"),
        ),
    )
    with op.batch_alter_table("segment_ratings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_segment_ratings_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "utterances",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(length=200), nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=True),
        sa.Column("start_s", sa.Float(), nullable=True),
        sa.Column("end_s", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_utterances_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_utterances_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_utterances")),
        sa.UniqueConstraint("session_id", "position", name=op.f("uq_utterances_session_id")),
    )
    op.create_table(
        "code_events",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("rater_id", sa.String(length=32), nullable=False),
        sa.Column("codebook_id", sa.String(length=64), nullable=False),
        sa.Column("codebook_version", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("segment_id", sa.String(length=32), nullable=True),
        sa.Column("first_utterance_id", sa.String(length=32), nullable=True),
        sa.Column("last_utterance_id", sa.String(length=32), nullable=True),
        sa.Column("start_s", sa.Float(), nullable=True),
        sa.Column("end_s", sa.Float(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.String(length=32), nullable=True),
        sa.Column("target_id", sa.String(length=32), nullable=True),
        sa.Column("level", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "first_utterance_id IS NOT NULL OR start_s IS NOT NULL OR segment_id IS NOT NULL",
            name=op.f("ck_code_events_anchored"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["participants.id"], name=op.f("fk_code_events_actor_id_participants")
        ),
        sa.ForeignKeyConstraint(
            ["codebook_id", "codebook_version"],
            ["codebook_versions.codebook_id", "codebook_versions.version"],
            name=op.f("fk_code_events_codebook_id_codebook_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["first_utterance_id"],
            ["utterances.id"],
            name=op.f("fk_code_events_first_utterance_id_utterances"),
        ),
        sa.ForeignKeyConstraint(
            ["last_utterance_id"],
            ["utterances.id"],
            name=op.f("fk_code_events_last_utterance_id_utterances"),
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"], ["raters.id"], name=op.f("fk_code_events_rater_id_raters")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_code_events_segment_id_segments")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_code_events_session_id_sessions")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["participants.id"], name=op.f("fk_code_events_target_id_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_events")),
    )
    with op.batch_alter_table("code_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_code_events_session_rater", ["session_id", "rater_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("code_events", schema=None) as batch_op:
        batch_op.drop_index("ix_code_events_session_rater")

    op.drop_table("code_events")
    op.drop_table("utterances")
    with op.batch_alter_table("segment_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_segment_ratings_session_id"))

    op.drop_table("segment_ratings")
    op.drop_table("session_ratings")
    op.drop_table("segments")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participants_session_id"))

    op.drop_table("participants")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_source_hash"))

    op.drop_table("sessions")
    op.drop_table("raters")
    op.drop_table("project_settings")
    op.drop_table("codebook_versions")
    op.drop_table("audit_log")
