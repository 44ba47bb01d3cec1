"""Commands that create, re-segment and delete sessions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy.orm import Session as Db

from rupture_coder.domain import ParsedSession, ParticipantPlan, propose_participants
from rupture_coder.segmentation import SegmentPlan, plan_segments
from rupture_coder.services.changes import bulk_insert
from rupture_coder.services.project_commands import CommandError, stored_codebook
from rupture_coder.store.models import Participant, Segment, Session, Utterance, new_id


def segment_rows(session_id: str, plans: list[SegmentPlan]) -> list[dict]:
    return [
        {"id": new_id(), "session_id": session_id, "index": p.index, "start_s": p.start_s, "end_s": p.end_s,
         "first_position": p.first_position, "last_position": p.last_position, "partial": p.partial}
        for p in plans
    ]  # fmt: skip


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
        labels = {p.label for p in plans}
        missing = [s for s in self.parsed.speakers() if s not in labels]
        if missing:
            raise CommandError(f"speaker(s) {missing} have no participant; map every speaker")
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
        by_label = {}
        for p in plans:
            part = Participant(
                session_id=session.id, label=p.label, pseudonym=p.pseudonym, role=p.role
            )
            db.add(part)
            by_label[p.label] = part
        db.flush()
        bulk_insert(db, Utterance, [
            {"id": new_id(), "session_id": session.id, "position": pos, "speaker": u.speaker,
             "participant_id": by_label[u.speaker].id, "start_s": u.start_s, "end_s": u.end_s, "text": u.text}
            for pos, u in enumerate(self.parsed.utterances)
        ])  # fmt: skip
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
