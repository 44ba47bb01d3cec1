"""Session progress per rater: completion (with its required ratings) and consistency warnings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import select

from rupture_coder.codebook.model import Scope
from rupture_coder.errors import NotComplete
from rupture_coder.services.project import get_row, stored_codebook
from rupture_coder.services.segmentation import locate_segment
from rupture_coder.store.db import Db
from rupture_coder.store.models import (
    CodeEvent,
    SegmentRating,
    Session,
    SessionCompletion,
    SessionRating,
    Utterance,
)


@dataclass(frozen=True)
class MissingRating:
    """A required rating not given yet: of a segment (its id and 0-based index) or the session."""

    rating_id: str
    label: str
    segment_id: str | None = None
    segment_index: int | None = None

    def __str__(self) -> str:
        where = "session" if self.segment_index is None else f"segment {self.segment_index + 1}"
        return f"{where}: {self.label}"


def missing_ratings(db: Db, session_id: str, rater_id: str) -> list[MissingRating]:
    """The required ratings this rater has not given yet (N/A counts as given).

    A segment with no utterance in a session that has a transcript (a stretch before the first
    or between utterances) has nothing to rate and needs no ratings."""
    session = get_row(db, Session, session_id, "session")
    cb = stored_codebook(db, session.codebook_id, session.codebook_version)
    seg_given = {
        (r.segment_id, r.rating_id)
        for r in db.scalars(
            select(SegmentRating).filter_by(session_id=session_id, rater_id=rater_id)
        )
    }
    sess_given = {
        r.rating_id
        for r in db.scalars(
            select(SessionRating).filter_by(session_id=session_id, rater_id=rater_id)
        )
    }
    has_transcript = any(s.first_position is not None for s in session.segments)
    out = []
    for seg in sorted(session.segments, key=lambda s: s.index):
        if has_transcript and seg.first_position is None:
            continue
        for r in cb.ratings_for(Scope.SEGMENT):
            if r.required and (seg.id, r.id) not in seg_given:
                out.append(MissingRating(r.id, r.label, seg.id, seg.index))
    out += [
        MissingRating(r.id, r.label)
        for r in cb.ratings_for(Scope.SESSION)
        if r.required and r.id not in sess_given
    ]
    return out


@dataclass
class MarkComplete:
    session_id: str
    rater_id: str
    complete: bool = True
    command_name: ClassVar[str] = "mark session complete"

    def describe(self) -> str:
        return "mark session complete" if self.complete else "reopen session"

    def apply(self, db: Db) -> None:
        row = db.scalar(
            select(SessionCompletion).filter_by(session_id=self.session_id, rater_id=self.rater_id)
        )
        if not self.complete:
            if row is not None:
                db.delete(row)
            return
        missing = missing_ratings(db, self.session_id, self.rater_id)
        if missing:
            raise NotComplete(missing)
        if row is None:
            db.add(SessionCompletion(session_id=self.session_id, rater_id=self.rater_id))


def session_status(db: Db, rater_id: str, session_ids: set[str] | None = None) -> dict[str, str]:
    """session id -> 'complete', 'in progress' or 'not started' for one rater: of every session
    (one grouped query per table), or of the sessions given (index look-ups, for a key press)."""

    def sessions_of(model) -> set[str]:
        query = select(model.session_id).where(model.rater_id == rater_id)
        if session_ids is not None:
            query = query.where(model.session_id.in_(list(session_ids)))
        return set(db.scalars(query.distinct()))

    done = sessions_of(SessionCompletion)
    started = sessions_of(CodeEvent) | sessions_of(SegmentRating) | sessions_of(SessionRating)
    every = session_ids if session_ids is not None else db.scalars(select(Session.id))
    return {
        sid: "complete" if sid in done else "in progress" if sid in started else "not started"
        for sid in every
    }


PlacedCode = tuple[str, str | None, int | None, float | None]  # item, segment id, position, time


def consistency_warnings(
    db: Db, session_id: str, rater_id: str, codes: list[PlacedCode] | None = None
) -> list[str]:
    """Warnings, not blocks: strategies before any rupture; impact ratings that contradict the
    markers. ``codes``: the rater's codes in the session when the caller holds them already (the
    workspace), else they are read."""
    session = get_row(db, Session, session_id, "session")
    cb = stored_codebook(db, session.codebook_id, session.codebook_version)
    kind = {i.id: c.rupture_type for c in cb.categories for i in c.items}
    segs = sorted(session.segments, key=lambda s: s.index)
    if codes is None:
        core = db.connection()
        pos = dict(
            core.execute(
                select(Utterance.id, Utterance.position).where(Utterance.session_id == session_id)
            ).all()
        )
        query = select(
            CodeEvent.item_id, CodeEvent.segment_id, CodeEvent.first_utterance_id, CodeEvent.start_s
        ).where(CodeEvent.session_id == session_id, CodeEvent.rater_id == rater_id)
        codes = [(i, s, pos.get(u) if u else None, t) for i, s, u, t in core.execute(query)]
    by_id = {s.id: s for s in segs}
    at_position = {
        p: s
        for s in segs
        if s.first_position is not None and s.last_position is not None
        for p in range(s.first_position, s.last_position + 1)
    }
    placed = []
    for item_id, segment_id, position, start_s in codes:  # plain tuples: 50,000 codes
        if segment_id:
            seg = by_id.get(segment_id)
        elif position is not None:
            seg = at_position.get(position)
        else:
            seg = locate_segment(segs, None, None, start_s)
        index = seg.index if seg is not None else -1
        order = (index, -1 if position is None else position, start_s or 0)
        placed.append((order, item_id, seg))
    placed.sort(key=lambda x: x[0])
    out = []
    seen_rupture = False
    for _order, item_id, seg in placed:
        if kind.get(item_id) in ("withdrawal", "confrontation"):
            seen_rupture = True
        elif kind.get(item_id) == "resolution" and not seen_rupture:
            where = f"segment {seg.index + 1}" if seg else "the session"
            out.append(
                f"{item_id} in {where}: a resolution strategy with no rupture coded before it"
            )
    ratings = db.scalars(
        select(SegmentRating).filter_by(session_id=session_id, rater_id=rater_id)
    ).all()
    by_type = {
        r.relates_to: r
        for r in cb.ratings_for(Scope.SEGMENT)
        if r.relates_to in ("withdrawal", "confrontation")
    }
    rating_of = {(r.segment_id, r.rating_id): r for r in ratings}
    coded: dict[tuple[int, str], set[str]] = {}  # (segment index, rupture type) -> items
    for _o, item_id, s in placed:
        if s is not None and kind.get(item_id) in by_type:
            coded.setdefault((s.index, kind[item_id]), set()).add(item_id)
    for rupture, definition in by_type.items():
        for seg in segs:
            rating = rating_of.get((seg.id, definition.id))
            markers = sorted(coded.get((seg.index, rupture), ()))
            if rating is None or rating.value is None:
                continue
            if rating.value == 1 and markers:
                out.append(
                    f"segment {seg.index + 1}: {definition.label} is 1 (none) but {', '.join(markers)} coded"
                )
            if rating.value > 1 and not markers:
                out.append(
                    f"segment {seg.index + 1}: {definition.label} is {rating.value} but no {rupture} marker is coded"
                )
    return out
