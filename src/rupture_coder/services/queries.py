"""Read-only views of a project for the GUI, the CLI and reports.

Every read returns plain frozen dataclasses, never ORM objects: what leaves a read cannot be
changed behind the service layer's back, and nothing is loaded lazily after the read ended."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import func, select

from rupture_coder.codebook import Codebook
from rupture_coder.services.project import get_row, stored_codebook
from rupture_coder.store.db import Project, raw_rows
from rupture_coder.store.models import CodeEvent, Participant, Rater, Segment, Session, Utterance


@dataclass(frozen=True)
class SessionRow:
    id: str
    title: str
    kind: str
    session_date: date | None
    codebook_id: str | None
    codebook_version: str | None
    media_path: str | None
    media_hash: str | None
    media_offset_s: float
    duration_s: float | None
    source_file: str | None
    source_hash: str | None
    segment_length_s: float | None
    segment_utterances: int | None
    notes: str


@dataclass(frozen=True)
class SegmentRow:
    id: str
    session_id: str
    index: int
    start_s: float | None
    end_s: float | None
    first_position: int | None
    last_position: int | None
    partial: bool


@dataclass(frozen=True)
class RaterRow:
    id: str
    name: str
    role: str
    created_at: datetime


@dataclass(frozen=True)
class CommentRow:
    id: str
    session_id: str
    code_id: str | None
    segment_id: str | None
    author: str
    text: str
    status: str
    created_at: datetime
    updated_at: datetime


Row = TypeVar("Row")


def plain(cls: type[Row], obj: Any) -> Row:
    """The dataclass ``cls`` filled from the same-named attributes of an ORM object."""
    return cls(**{f.name: getattr(obj, f.name) for f in fields(cls)})  # type: ignore[arg-type]


@dataclass(frozen=True)
class SessionInfo:
    id: str
    title: str
    kind: str
    codebook: tuple[str, str] | None
    utterances: int
    segments: int
    duration_s: float | None
    source_file: str | None
    has_media: bool = False


@dataclass(frozen=True)
class UtteranceRow:
    id: str
    position: int
    speaker: str
    pseudonym: str
    role: str
    start_s: float | None
    end_s: float | None
    text: str


@dataclass(frozen=True)
class CodeRow:
    id: str
    item_id: str
    first_position: int | None
    last_position: int | None
    start_s: float | None
    segment_id: str | None
    actor: str | None
    target: str | None
    level: str | None
    note: str
    flagged: bool
    flag_reason: str
    end_s: float | None = None  # a span on the media clock ends here


def natural_key(text: str) -> list:
    """Sort key that puts 'session 2' before 'session 10'."""
    return [int(part) if part.isdecimal() else part.lower() for part in re.split(r"(\d+)", text)]


def list_sessions(project: Project) -> list[SessionInfo]:
    with project.read() as db:
        n_utt = dict(
            db.execute(
                select(Utterance.session_id, func.count()).group_by(Utterance.session_id)
            ).all()
        )
        n_seg = dict(
            db.execute(select(Segment.session_id, func.count()).group_by(Segment.session_id)).all()
        )
        ends = dict(
            db.execute(
                select(
                    Utterance.session_id,
                    func.max(func.coalesce(Utterance.end_s, Utterance.start_s)),
                ).group_by(Utterance.session_id)
            ).all()
        )
        out = []
        for s in sorted(db.scalars(select(Session)), key=lambda s: natural_key(s.title)):
            duration = s.duration_s if s.duration_s is not None else ends.get(s.id)
            cb = (
                (s.codebook_id, s.codebook_version)
                if s.codebook_id and s.codebook_version
                else None
            )
            out.append(
                SessionInfo(
                    s.id,
                    s.title,
                    s.kind,
                    cb,
                    n_utt.get(s.id, 0),
                    n_seg.get(s.id, 0),
                    duration,
                    s.source_file,
                    bool(s.media_path),
                )
            )
        return out


def session_codebook(project: Project, session_id: str) -> Codebook:
    with project.read() as db:
        s = get_row(db, Session, session_id, "session")
        return stored_codebook(db, s.codebook_id, s.codebook_version)


def transcript(project: Project, session_id: str) -> list[UtteranceRow]:
    with project.read() as db:
        people = {
            p.id: (p.pseudonym, p.role)
            for p in db.connection().execute(
                select(Participant.id, Participant.pseudonym, Participant.role).where(
                    Participant.session_id == session_id
                )
            )
        }
        rows = raw_rows(db,  # the driver's rows: no ORM objects for 20,000 utterances
            select(Utterance.id, Utterance.position, Utterance.speaker, Utterance.participant_id,
                   Utterance.start_s, Utterance.end_s, Utterance.text)
            .where(Utterance.session_id == session_id)
            .order_by(Utterance.position)
        )  # fmt: skip
        make = _maker(UtteranceRow)
        out = []
        for uid, position, speaker, pid, start, end, text in rows:
            pseudo, role = people.get(pid, (None, None))
            out.append(
                make((uid, position, speaker, pseudo or speaker, role or "", start, end, text))
            )
        return out


def segments(project: Project, session_id: str) -> list[SegmentRow]:
    with project.read() as db:
        query = select(Segment).filter_by(session_id=session_id).order_by(Segment.index)
        return [plain(SegmentRow, s) for s in db.scalars(query)]


def raters(project: Project) -> list[RaterRow]:
    with project.read() as db:
        return [plain(RaterRow, r) for r in db.scalars(select(Rater).order_by(Rater.name))]


def codes(
    project: Project,
    session_id: str,
    rater_id: str,
    ids: set[str] | None = None,
    positions: dict[str, int] | None = None,
    names: dict[str, str] | None = None,
) -> list[CodeRow]:
    """One rater's codes in a session (blind: other raters' codes are never returned); ``ids``
    limits them to those codes, ``positions``/``names`` spare the look-ups when the caller has them."""
    with project.read() as db:
        core = db.connection()
        if positions is None:
            positions = dict(
                core.execute(
                    select(Utterance.id, Utterance.position).where(
                        Utterance.session_id == session_id
                    )
                ).all()
            )
        if names is None:
            names = dict(
                core.execute(
                    select(Participant.id, Participant.pseudonym).where(
                        Participant.session_id == session_id
                    )
                ).all()
            )
        query = select(
            CodeEvent.id, CodeEvent.item_id, CodeEvent.first_utterance_id, CodeEvent.last_utterance_id,
            CodeEvent.start_s, CodeEvent.segment_id, CodeEvent.actor_id, CodeEvent.target_id, CodeEvent.level,
            CodeEvent.note, CodeEvent.flagged, CodeEvent.flag_reason, CodeEvent.end_s,
        ).where(CodeEvent.session_id == session_id, CodeEvent.rater_id == rater_id)  # fmt: skip
        if ids is not None:
            query = query.where(CodeEvent.id.in_(list(ids)))
        make = _maker(CodeRow)
        rows = [  # e: (id, item, first, last, start, segment, actor, target, level, note, flagged, reason, end)
            make((
                e[0], e[1], positions.get(e[2]), positions.get(e[3] or e[2]), e[4], e[5],
                names.get(e[6]), names.get(e[7]), e[8], e[9], bool(e[10]), e[11], e[12],
            ))
            for e in raw_rows(db, query)
        ]  # fmt: skip
    return sorted(
        rows, key=lambda r: (r.first_position if r.first_position is not None else -1, r.item_id)
    )


def _maker(cls: type[Row]):
    """A fast constructor of a frozen dataclass from a tuple in field order: a session's 50,000
    codes would spend most of their read in the generated ``__init__``'s ``object.__setattr__``."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    new = object.__new__

    def make(values: tuple) -> Row:
        obj = new(cls)
        obj.__dict__.update(zip(names, values, strict=True))
        return obj

    return make


def codes_by_position(rows: list[CodeRow]) -> dict[int, list[CodeRow]]:
    out: dict[int, list[CodeRow]] = defaultdict(list)
    for r in rows:
        if r.first_position is not None:
            out[r.first_position].append(r)
    return out


@dataclass(frozen=True)
class ParticipantRow:
    id: str
    label: str
    pseudonym: str
    role: str


def participants(project: Project, session_id: str) -> list[ParticipantRow]:
    with project.read() as db:
        rows = db.scalars(
            select(Participant).filter_by(session_id=session_id).order_by(Participant.pseudonym)
        )
        return [ParticipantRow(p.id, p.label, p.pseudonym, p.role) for p in rows]


def session_row(project: Project, session_id: str) -> SessionRow | None:
    with project.read() as db:
        s = db.get(Session, session_id)
        return None if s is None else plain(SessionRow, s)


def ratings(project: Project, session_id: str, rater_id: str) -> tuple[dict, dict]:
    """({(segment id, rating id): (value, is_na)}, {rating id: (value, is_na)}) of one rater."""
    from rupture_coder.store.models import SegmentRating, SessionRating

    with project.read() as db:
        seg = {
            (r.segment_id, r.rating_id): (r.value, r.is_na)
            for r in db.scalars(
                select(SegmentRating).filter_by(session_id=session_id, rater_id=rater_id)
            )
        }
        sess = {
            r.rating_id: (r.value, r.is_na)
            for r in db.scalars(
                select(SessionRating).filter_by(session_id=session_id, rater_id=rater_id)
            )
        }
    return seg, sess


def session_status(
    project: Project, rater_id: str, session_ids: set[str] | None = None
) -> dict[str, str]:
    """session id -> complete, in progress or not started, for every session or those given."""
    from rupture_coder.services.progress import session_status as status

    with project.read() as db:
        return status(db, rater_id, session_ids)


def warnings(
    project: Project, session_id: str, rater_id: str, codes: list[CodeRow] | None = None
) -> list[str]:
    """The consistency warnings of one rater's coding of a session; ``codes`` spares reading the
    codes again when the caller holds them (they must be that rater's, in that session)."""
    from rupture_coder.services.progress import consistency_warnings

    placed = (
        None
        if codes is None
        else [(c.item_id, c.segment_id, c.first_position, c.start_s) for c in codes]
    )
    with project.read() as db:
        return consistency_warnings(db, session_id, rater_id, placed)


def segment_bound_data(project: Project, session_id: str) -> int:
    """Segment ratings and codes on whole segments, of every rater: what re-cutting would drop."""
    from rupture_coder.store.models import SegmentRating

    with project.read() as db:
        ratings = db.scalar(
            select(func.count()).select_from(SegmentRating).filter_by(session_id=session_id)
        )
        anchored = db.scalar(
            select(func.count())
            .select_from(CodeEvent)
            .where(CodeEvent.session_id == session_id, CodeEvent.segment_id.is_not(None))
        )
    return int(ratings or 0) + int(anchored or 0)
