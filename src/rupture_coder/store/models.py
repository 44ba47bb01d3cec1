"""The project's data model (SQLAlchemy 2.x ORM).

Portable on purpose: nothing here is SQLite-only, so the same models run on PostgreSQL.
Entities that travel between projects (sessions, utterances, raters, codes) have UUID string ids,
so rater packages merge by id, never by name. Parent -> child deletes cascade in the ORM (not in the
database), so that every deleted row passes through the command layer and can be undone.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

RATER_ROLES = ("coder", "lead", "supervisor", "consensus")
SESSION_KINDS = ("individual", "group")


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    __table__: ClassVar[Table]  # every model here maps one table (SQLAlchemy types it FromClause)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {getattr(self, 'id', '')}>"


_CASCADE = "all, delete"  # ORM-side: children pass through session.delete and the audit


class ProjectSetting(Base):
    __tablename__ = "project_settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class CodebookVersion(Base):
    """A codebook version exactly as registered; frozen once any code refers to it."""

    __tablename__ = "codebook_versions"
    codebook_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Rater(Base):
    __tablename__ = "raters"
    __table_args__ = (CheckConstraint(f"role IN {RATER_ROLES}", name="role"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="coder")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _refers(name: str, column: str, partial: bool = True) -> Index:
    """An index on a column that refers to another table's row (migration 0008): SQLite looks the
    referring rows up on every delete of a row they refer to. ``partial``: only the rows where it
    is set (most codes have no last utterance, segment, actor or target)."""
    where = text(f"{column} IS NOT NULL") if partial else None
    return Index(name, column, sqlite_where=where, postgresql_where=where)


def _codebook_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["codebook_id", "codebook_version"],
        ["codebook_versions.codebook_id", "codebook_versions.version"],
    )


class Session(Base):
    """One therapy session: a transcript, a media file with a clock, or both."""

    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint(f"kind IN {SESSION_KINDS}", name="kind"),
        _codebook_fk(),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(300))
    session_date: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20), default="individual")
    codebook_id: Mapped[str | None] = mapped_column(String(64))
    codebook_version: Mapped[str | None] = mapped_column(String(64))
    media_path: Mapped[str | None] = mapped_column(Text)
    media_hash: Mapped[str | None] = mapped_column(String(64))
    media_offset_s: Mapped[float] = mapped_column(Float, default=0.0)
    duration_s: Mapped[float | None] = mapped_column(Float)
    source_file: Mapped[str | None] = mapped_column(Text)
    source_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    segment_length_s: Mapped[float | None] = mapped_column(Float)
    segment_utterances: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    participants: Mapped[list[Participant]] = relationship(
        cascade=_CASCADE, order_by="Participant.label", back_populates="session"
    )
    utterances: Mapped[list[Utterance]] = relationship(
        cascade=_CASCADE, order_by="Utterance.position", back_populates="session"
    )
    segments: Mapped[list[Segment]] = relationship(
        cascade=_CASCADE, order_by="Segment.index", back_populates="session"
    )
    code_events: Mapped[list[CodeEvent]] = relationship(cascade=_CASCADE, back_populates="session")
    segment_ratings: Mapped[list[SegmentRating]] = relationship(cascade=_CASCADE)
    session_ratings: Mapped[list[SessionRating]] = relationship(cascade=_CASCADE)
    completions: Mapped[list[SessionCompletion]] = relationship(cascade=_CASCADE)
    decisions: Mapped[list[ConsensusDecision]] = relationship(cascade=_CASCADE)
    comments: Mapped[list[ReviewComment]] = relationship(cascade=_CASCADE)
    gold: Mapped[list[GoldSession]] = relationship(cascade=_CASCADE)


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("session_id", "label"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    pseudonym: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    session: Mapped[Session] = relationship(back_populates="participants")


class Utterance(Base):
    __tablename__ = "utterances"
    __table_args__ = (
        UniqueConstraint("session_id", "position"),
        _refers("ix_utterances_participant", "participant_id"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"))
    position: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(200))
    participant_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"))
    start_s: Mapped[float | None] = mapped_column(Float)
    end_s: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    session: Mapped[Session] = relationship(back_populates="utterances")
    participant: Mapped[Participant | None] = relationship()


class Segment(Base):
    """A coding unit: a fixed time window, or a run of utterances when there are no times."""

    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("session_id", "index"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"))
    index: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float | None] = mapped_column(Float)
    end_s: Mapped[float | None] = mapped_column(Float)
    first_position: Mapped[int | None] = mapped_column(Integer)
    last_position: Mapped[int | None] = mapped_column(Integer)
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    session: Mapped[Session] = relationship(back_populates="segments")
    comments: Mapped[list[ReviewComment]] = relationship(foreign_keys="ReviewComment.segment_id")


class CodeEvent(Base):
    """One marker or strategy, by one rater, anchored to utterances, a time span or a segment.

    Group codebooks add actor, target and level. ``count`` is for count items, ``value`` for
    rating items.
    """

    __tablename__ = "code_events"
    __table_args__ = (
        _codebook_fk(),
        CheckConstraint(
            "first_utterance_id IS NOT NULL OR start_s IS NOT NULL OR segment_id IS NOT NULL",
            name="anchored",
        ),
        # one rater's codes in a session, and (AddCode's duplicate check) at one place: a look-up
        Index(
            "ix_code_events_place",
            "session_id",
            "rater_id",
            "item_id",
            "first_utterance_id",
            "start_s",
        ),
        # the codes that span utterances (AddCode's overlap check): a look-up too
        Index(
            "ix_code_events_spans",
            "session_id",
            "rater_id",
            "item_id",
            sqlite_where=text("last_utterance_id IS NOT NULL"),
            postgresql_where=text("last_utterance_id IS NOT NULL"),
        ),
        _refers("ix_code_events_first_utterance", "first_utterance_id", partial=False),
        _refers("ix_code_events_last_utterance", "last_utterance_id"),
        _refers("ix_code_events_segment", "segment_id"),
        _refers("ix_code_events_actor", "actor_id"),
        _refers("ix_code_events_target", "target_id"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"))
    rater_id: Mapped[str] = mapped_column(ForeignKey("raters.id"))
    codebook_id: Mapped[str] = mapped_column(String(64))
    codebook_version: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str] = mapped_column(String(64))
    segment_id: Mapped[str | None] = mapped_column(ForeignKey("segments.id"))
    first_utterance_id: Mapped[str | None] = mapped_column(ForeignKey("utterances.id"))
    last_utterance_id: Mapped[str | None] = mapped_column(ForeignKey("utterances.id"))
    start_s: Mapped[float | None] = mapped_column(Float)
    end_s: Mapped[float | None] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer, default=1)
    value: Mapped[int | None] = mapped_column(Integer)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"))
    target_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"))
    level: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    session: Mapped[Session] = relationship(back_populates="code_events")
    # many-to-one links, so that a flush deletes code events before what they point at
    segment: Mapped[Segment | None] = relationship()
    first_utterance: Mapped[Utterance | None] = relationship(foreign_keys=[first_utterance_id])
    last_utterance: Mapped[Utterance | None] = relationship(foreign_keys=[last_utterance_id])
    actor: Mapped[Participant | None] = relationship(foreign_keys=[actor_id])
    target: Mapped[Participant | None] = relationship(foreign_keys=[target_id])
    # deleting a code keeps its review comments (their code link is set to NULL, and undone with it)
    comments: Mapped[list[ReviewComment]] = relationship(foreign_keys="ReviewComment.code_id")


class _RatingColumns:
    """What a segment rating and a session rating share: who, under which codebook, what value."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    rater_id: Mapped[str] = mapped_column(ForeignKey("raters.id"))
    codebook_id: Mapped[str] = mapped_column(String(64))
    codebook_version: Mapped[str] = mapped_column(String(64))
    rating_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[int | None] = mapped_column(Integer)
    is_na: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SegmentRating(_RatingColumns, Base):
    __tablename__ = "segment_ratings"
    __table_args__ = (
        _codebook_fk(),
        UniqueConstraint("segment_id", "rater_id", "codebook_id", "codebook_version", "rating_id"),
        CheckConstraint("value IS NOT NULL OR is_na", name="value_or_na"),
    )
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"), index=True)
    segment_id: Mapped[str] = mapped_column(ForeignKey("segments.id"))
    segment: Mapped[Segment] = relationship()


class SessionRating(_RatingColumns, Base):
    __tablename__ = "session_ratings"
    __table_args__ = (
        _codebook_fk(),
        UniqueConstraint("session_id", "rater_id", "codebook_id", "codebook_version", "rating_id"),
        CheckConstraint("value IS NOT NULL OR is_na", name="value_or_na"),
    )
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"))


class SessionCompletion(Base):
    """A rater marked a session complete (in progress / not started are derived from their codes)."""

    __tablename__ = "session_completions"
    __table_args__ = (UniqueConstraint("session_id", "rater_id"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"))
    rater_id: Mapped[str] = mapped_column(ForeignKey("raters.id"))
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsensusDecision(Base):
    """How the lead settled one unit for the consensus rater, and from which raters' codes."""

    __tablename__ = "consensus_decisions"
    __table_args__ = (UniqueConstraint("session_id", "unit_kind", "segment_key", "key"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"), index=True)
    unit_kind: Mapped[str] = mapped_column(String(20))  # presence | segment-rating | session-rating
    segment_key: Mapped[str] = mapped_column(
        String(32), default=""
    )  # segment id, "" for session units
    key: Mapped[str] = mapped_column(String(64))  # item or rating id
    decision: Mapped[str] = mapped_column(String(20))  # agreed | kept | present | absent | value
    chosen_rater_id: Mapped[str | None] = mapped_column(ForeignKey("raters.id"))
    source_raters: Mapped[list] = mapped_column(JSON)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewComment(Base):
    """A supervisor's comment on a flagged code or a moment of a session, with its status."""

    __tablename__ = "review_comments"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'reviewed')", name="status"),
        _refers("ix_review_comments_segment", "segment_id"),
        _refers("ix_review_comments_code", "code_id"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"), index=True)
    code_id: Mapped[str | None] = mapped_column(ForeignKey("code_events.id"))
    segment_id: Mapped[str | None] = mapped_column(ForeignKey("segments.id"))
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GoldSession(Base):
    """A session whose codes by ``rater_id`` (an expert or the consensus) are the gold standard."""

    __tablename__ = "gold_sessions"
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"), primary_key=True)
    rater_id: Mapped[str] = mapped_column(ForeignKey("raters.id"))
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RaterKey(Base):
    """The signing secret a lead's project issued to one rater for their coder copy.

    The lead's project and that rater's coder copy hold the same secret: the copy signs its
    packages with it (HMAC-SHA256) and the lead's project verifies them against it."""

    __tablename__ = "rater_keys"
    rater_id: Mapped[str] = mapped_column(ForeignKey("raters.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))  # 32 random bytes, hex
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MergedPackage(Base):
    """One rater package merged into this project: whose, made when, its checksum.

    A package made before the last one merged for the same rater is refused (it would undo the
    coder's newer work) unless the lead forces it."""

    __tablename__ = "merged_packages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rater_id: Mapped[str] = mapped_column(ForeignKey("raters.id"), index=True)
    package_created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sha256: Mapped[str] = mapped_column(String(64))
    merged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Who changed what, when: one row per command, with the rows before and after."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    command: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(Text)
    changes: Mapped[list] = mapped_column(JSON)
    undoes: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id"))
    redoes: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id"))
