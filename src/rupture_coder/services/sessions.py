"""Commands that create, re-segment and delete sessions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import select

from rupture_coder.domain import (
    ParsedSession,
    ParsedUtterance,
    ParticipantPlan,
    propose_participants,
)
from rupture_coder.errors import CommandError
from rupture_coder.services.project import stored_codebook
from rupture_coder.services.recorder import bulk_insert
from rupture_coder.services.segmentation import SegmentPlan, plan_segments
from rupture_coder.store.db import Db
from rupture_coder.store.models import (
    CodeEvent,
    Participant,
    Segment,
    SegmentRating,
    Session,
    Utterance,
    new_id,
)
from rupture_coder.timestamps import format_timestamp


def segment_rows(session_id: str, plans: list[SegmentPlan]) -> list[dict]:
    return [
        {"id": new_id(), "session_id": session_id, "index": p.index, "start_s": p.start_s, "end_s": p.end_s,
         "first_position": p.first_position, "last_position": p.last_position, "partial": p.partial}
        for p in plans
    ]  # fmt: skip


def insert_transcript(
    db: Db, session_id: str, plans: list[ParticipantPlan], utterances: list[ParsedUtterance]
) -> None:
    """Participants (one per speaker label) and utterances of a session, in transcript order."""
    labels = {p.label for p in plans}
    missing = sorted({u.speaker for u in utterances} - labels)
    if missing:
        raise CommandError(f"speaker(s) {missing} have no participant; map every speaker")
    by_label = {}
    for p in plans:
        part = Participant(session_id=session_id, label=p.label, pseudonym=p.pseudonym, role=p.role)
        db.add(part)
        by_label[p.label] = part
    db.flush()
    bulk_insert(db, Utterance, [
        {"id": new_id(), "session_id": session_id, "position": pos, "speaker": u.speaker,
         "participant_id": by_label[u.speaker].id, "start_s": u.start_s, "end_s": u.end_s, "text": u.text}
        for pos, u in enumerate(utterances)
    ])  # fmt: skip


@dataclass
class CreateSession:
    """Store one parsed session with its participants, utterances and segments."""

    parsed: ParsedSession
    codebook: tuple[str, str]
    participants: list[ParticipantPlan] | None = None
    segment_length_s: float | None = None  # default: the codebook's
    segment_utterances: int | None = None  # for untimed transcripts
    session_id: str | None = None
    command_name: ClassVar[str] = "create session"

    def describe(self) -> str:
        return f"create session {self.parsed.title!r} ({len(self.parsed.utterances)} utterances)"

    def apply(self, db: Db) -> Session:
        cb = stored_codebook(db, *self.codebook)
        if cb.kind != self.parsed.kind:
            raise CommandError(
                f"session {self.parsed.title!r} is {self.parsed.kind} but codebook {cb.id} is {cb.kind}"
            )
        plans = self.participants or propose_participants(self.parsed)
        roles = set(cb.group.roles) if cb.group else set(cb.participant_roles)
        for p in plans:
            if p.role not in roles:
                raise CommandError(
                    f"participant {p.label!r}: role {p.role!r} is not one of {sorted(roles)}"
                )
        length = self.segment_length_s if self.segment_length_s is not None else cb.segment_length_s
        session = Session(
            title=self.parsed.title,
            kind=self.parsed.kind,
            codebook_id=cb.id,
            codebook_version=cb.version,
            media_path=self.parsed.media_path,
            media_hash=self.parsed.media_hash,
            duration_s=self.parsed.duration_s,
            media_offset_s=self.parsed.media_offset_s,
            source_file=self.parsed.source_file,
            source_hash=self.parsed.source_hash,
            segment_length_s=length,
            segment_utterances=self.segment_utterances,
        )
        if self.session_id:
            session.id = self.session_id
        db.add(session)
        db.flush()
        insert_transcript(db, session.id, plans, self.parsed.utterances)
        windows = plan_segments(
            self.parsed.utterances, length, self.parsed.duration_s, self.segment_utterances
        )
        bulk_insert(db, Segment, segment_rows(session.id, windows))
        db.flush()
        return session


@dataclass
class DeleteSession:
    session_id: str
    command_name: ClassVar[str] = "delete session"

    def describe(self) -> str:
        return f"delete session {self.session_id}"

    def apply(self, db: Db) -> None:
        session = db.get(Session, self.session_id)
        if session is None:
            raise CommandError(f"no session {self.session_id}")
        db.delete(session)


@dataclass
class Resegment:
    """Cut a session into new segments: by time, every N utterances, or at manual boundaries.

    Codes on utterances or times are unaffected. Segment ratings and codes anchored to a segment
    cannot follow new segments: the command is refused while any exist, unless
    ``drop_segment_data`` says to delete them (they are listed in the audit and come back on undo).
    """

    session_id: str
    length_s: float | None = None
    per_utterances: int | None = None
    boundaries: list[int] | None = None
    drop_segment_data: bool = False
    command_name: ClassVar[str] = "resegment session"

    def describe(self) -> str:
        how = (
            f"at {len(self.boundaries)} boundaries" if self.boundaries
            else f"every {self.per_utterances} utterances" if self.per_utterances
            else f"into {self.length_s:g} s segments"
        )  # fmt: skip
        return f"resegment session {how}"

    def apply(self, db: Db) -> Session:
        session = db.get(Session, self.session_id)
        if session is None:
            raise CommandError(f"no session {self.session_id}")
        if not (self.length_s or self.per_utterances or self.boundaries):
            raise CommandError("give a segment length, a number of utterances or boundaries")
        segment_ids = [s.id for s in session.segments]
        ratings = db.scalars(
            select(SegmentRating).where(SegmentRating.segment_id.in_(segment_ids))
        ).all()
        anchored = db.scalars(select(CodeEvent).where(CodeEvent.segment_id.in_(segment_ids))).all()
        if (ratings or anchored) and not self.drop_segment_data:
            raise CommandError(
                f"session {session.title!r} has {len(ratings)} segment rating(s) and {len(anchored)} code(s) "
                "on whole segments, which cannot follow new segments; resegmenting would delete them "
                "(choose to drop them explicitly; undo brings them back)"
            )
        for row in [*ratings, *anchored]:
            db.delete(row)
        db.flush()
        for segment in list(session.segments):
            db.delete(segment)
        db.flush()
        utterances = [
            ParsedUtterance(u.speaker, u.text, u.start_s, u.end_s) for u in session.utterances
        ]  # fmt: skip
        try:
            windows = plan_segments(
                utterances, self.length_s, session.duration_s, self.per_utterances, self.boundaries
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        bulk_insert(db, Segment, segment_rows(session.id, windows))
        session.segment_length_s = self.length_s if not self.boundaries else None
        session.segment_utterances = self.per_utterances
        return session


@dataclass
class AttachTranscript:
    """Give a media session (coded by time, no transcript yet) its transcript.

    ``offset_s``: media time = transcript time + offset. The segments keep their time windows and
    learn which utterances they hold; codes already made on the media clock stay where they are.
    """

    session_id: str
    parsed: ParsedSession
    offset_s: float = 0.0
    participants: list[ParticipantPlan] | None = None
    command_name: ClassVar[str] = "attach transcript"

    def describe(self) -> str:
        return f"attach transcript {self.parsed.source_file or self.parsed.title!r}"

    def apply(self, db: Db) -> Session:
        session = db.get(Session, self.session_id)
        if session is None:
            raise CommandError(f"no session {self.session_id}")
        if session.utterances:
            raise CommandError(f"session {session.title!r} already has a transcript")
        shifted = [
            ParsedUtterance(u.speaker, u.text, None if u.start_s is None else u.start_s + self.offset_s,
                            None if u.end_s is None else u.end_s + self.offset_s, u.where)
            for u in self.parsed.utterances
        ]  # fmt: skip
        last = max((u.end_s or u.start_s for u in shifted if u.start_s is not None), default=None)
        if session.duration_s is not None and last is not None and last > session.duration_s + 1e-6:
            raise CommandError(
                f"the transcript runs to {format_timestamp(last)} on the media clock, past the end of "
                f"the media ({format_timestamp(session.duration_s)}); check the offset ({self.offset_s:+g} s)"
            )
        plans = self.participants or propose_participants(self.parsed)
        insert_transcript(db, session.id, plans, shifted)
        starts = [u.start_s for u in shifted]
        for segment in session.segments:
            if segment.start_s is None or segment.end_s is None:
                raise CommandError(
                    f"segment {segment.index + 1} of {session.title!r} has no time window; "
                    "segment the session by time before attaching a transcript"
                )
            inside = [
                i
                for i, t in enumerate(starts)
                if t is not None and segment.start_s <= t < segment.end_s + 1e-9
            ]
            segment.first_position = inside[0] if inside else None
            segment.last_position = inside[-1] if inside else None
        session.media_offset_s = self.offset_s
        session.source_file, session.source_hash = self.parsed.source_file, self.parsed.source_hash
        return session
