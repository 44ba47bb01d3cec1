"""Reconciliation: the lead settles where raters disagree, into a separate consensus rater.

Units: item presence per segment, segment ratings, session ratings. Raw codes never change: the
consensus rater gets copies (keep a rater's codes), new codes, or ratings, and every decision is
recorded with its source raters, who decided, when, and a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import select

from rupture_coder.codebook.model import Scope
from rupture_coder.errors import CommandError
from rupture_coder.services.coding import check_value
from rupture_coder.services.project import find_row, get_row, stored_codebook
from rupture_coder.services.segmentation import locate_segment
from rupture_coder.store.db import Db, Project
from rupture_coder.store.models import (
    CodeEvent,
    ConsensusDecision,
    Rater,
    Segment,
    SegmentRating,
    Session,
    SessionRating,
    Utterance,
    new_id,
    utcnow,
)

CONSENSUS = "Consensus"


@dataclass(frozen=True)
class Unit:
    kind: str  # presence | segment-rating | session-rating
    segment_id: str  # "" for session units
    segment_index: int | None
    key: str  # item or rating id
    values: dict[str, Any]  # rater id -> present (bool) or (value, is_na)

    @property
    def agreed(self) -> bool:
        return len({repr(v) for v in self.values.values()}) == 1

    def label(self) -> str:
        where = f"segment {self.segment_index + 1}" if self.segment_index is not None else "session"
        return f"{where}: {self.key}"


def consensus_rater(db: Db) -> Rater | None:
    return db.scalar(select(Rater).filter_by(role="consensus"))


def units(project: Project, session_id: str, rater_ids: list[str]) -> list[Unit]:
    """Every unit of the session with each chosen rater's value (presence: coded there or not)."""
    if len(rater_ids) < 2:
        raise CommandError("reconciling needs two or more raters")
    with project.read() as db:
        session = get_row(db, Session, session_id, "session")
        cb = stored_codebook(db, session.codebook_id, session.codebook_version)
        segs = sorted(session.segments, key=lambda s: s.index)
        pos: dict[str | None, int] = dict(
            db.execute(
                select(Utterance.id, Utterance.position).filter_by(session_id=session_id)
            ).all()
        )
        present: dict[tuple, set] = {}
        for c in db.scalars(
            select(CodeEvent).where(
                CodeEvent.session_id == session_id, CodeEvent.rater_id.in_(rater_ids)
            )
        ):
            seg = locate_segment(segs, c.segment_id, pos.get(c.first_utterance_id), c.start_s)
            if seg is not None:
                present.setdefault((seg.id, c.item_id), set()).add(c.rater_id)
        seg_r = {(r.segment_id, r.rating_id, r.rater_id): (r.value, r.is_na)
                 for r in db.scalars(select(SegmentRating).where(SegmentRating.session_id == session_id, SegmentRating.rater_id.in_(rater_ids)))}  # fmt: skip
        sess_r = {(r.rating_id, r.rater_id): (r.value, r.is_na)
                  for r in db.scalars(select(SessionRating).where(SessionRating.session_id == session_id, SessionRating.rater_id.in_(rater_ids)))}  # fmt: skip
    out = []
    for seg in segs:
        for item in cb.items():
            who = present.get((seg.id, item.id), set())
            out.append(
                Unit("presence", seg.id, seg.index, item.id, {r: r in who for r in rater_ids})
            )
        for rating in cb.ratings_for(Scope.SEGMENT):
            out.append(
                Unit(
                    "segment-rating",
                    seg.id,
                    seg.index,
                    rating.id,
                    {r: seg_r.get((seg.id, rating.id, r), (None, False)) for r in rater_ids},
                )
            )
    for rating in cb.ratings_for(Scope.SESSION):
        out.append(
            Unit(
                "session-rating",
                "",
                None,
                rating.id,
                {r: sess_r.get((rating.id, r), (None, False)) for r in rater_ids},
            )
        )
    return out


def decisions(project: Project, session_id: str) -> dict[tuple, ConsensusDecision]:
    with project.read() as db:
        return {
            (d.unit_kind, d.segment_key, d.key): d
            for d in db.scalars(select(ConsensusDecision).filter_by(session_id=session_id))
        }


@dataclass
class Decide:
    """Settle one unit for the consensus rater.

    ``decision``: "kept" (take ``chosen_rater_id``'s codes or rating), "present" (a new consensus
    code on ``utterance_id``), "absent" (no consensus code here), "value" (a rating ``value``, or
    N/A with ``value`` None), "agreed" (the raters agree: take the first rater's).
    """

    session_id: str
    unit: Unit
    decision: str
    chosen_rater_id: str | None = None
    value: Any = None
    utterance_id: str | None = None
    note: str = ""
    decided_by: str = ""
    command_name: ClassVar[str] = "reconcile"

    def describe(self) -> str:
        return f"consensus for {self.unit.label()}: {self.decision}"

    def apply(self, db: Db) -> ConsensusDecision:
        session = get_row(db, Session, self.session_id, "session")
        cb = stored_codebook(db, session.codebook_id, session.codebook_version)
        consensus = consensus_rater(db)
        if consensus is None:
            consensus = Rater(name=CONSENSUS, role="consensus")
            db.add(consensus)
            db.flush()
        sources = list(self.unit.values)
        if self.decision in ("kept", "agreed"):
            chosen = self.chosen_rater_id or sources[0]
            if chosen not in sources:
                raise CommandError("keep the codes of one of the raters being reconciled")
        else:
            chosen = None
        if self.unit.kind == "presence":
            self._presence(db, cb, consensus.id, chosen)
        else:
            self._rating(db, cb, consensus.id, chosen)
        row = db.scalar(select(ConsensusDecision).filter_by(session_id=self.session_id, unit_kind=self.unit.kind,
                                                             segment_key=self.unit.segment_id, key=self.unit.key))  # fmt: skip
        if row is None:
            row = ConsensusDecision(
                session_id=self.session_id,
                unit_kind=self.unit.kind,
                segment_key=self.unit.segment_id,
                key=self.unit.key,
            )
            db.add(row)
        row.decision, row.chosen_rater_id, row.source_raters = self.decision, chosen, sources
        row.value, row.note, row.decided_by, row.decided_at = (
            self.value,
            self.note,
            self.decided_by,
            utcnow(),
        )
        db.flush()
        return row

    def _presence(self, db: Db, cb, consensus_id: str, chosen: str | None) -> None:
        session = get_row(db, Session, self.session_id, "session")
        segs = sorted(session.segments, key=lambda s: s.index)
        seg = db.get(Segment, self.unit.segment_id)
        pos: dict[str | None, int] = dict(
            db.execute(
                select(Utterance.id, Utterance.position).filter_by(session_id=self.session_id)
            ).all()
        )

        def here(rater_id: str) -> list[CodeEvent]:
            found = db.scalars(
                select(CodeEvent).filter_by(
                    session_id=self.session_id, rater_id=rater_id, item_id=self.unit.key
                )
            ).all()
            return [
                c
                for c in found
                if locate_segment(segs, c.segment_id, pos.get(c.first_utterance_id), c.start_s)
                is seg
            ]

        for old in here(consensus_id):
            db.delete(old)
        db.flush()
        if chosen is not None:  # "kept" or "agreed": apply checked it is one of the sources
            for c in here(chosen):
                copy = {k: getattr(c, k) for k in ("session_id", "codebook_id", "codebook_version", "item_id", "segment_id",
                        "first_utterance_id", "last_utterance_id", "start_s", "end_s", "count", "value", "actor_id",
                        "target_id", "level", "note")}  # fmt: skip
                db.add(CodeEvent(id=new_id(), rater_id=consensus_id, **copy))
        elif self.decision == "present":
            if self.utterance_id is None:
                raise CommandError("a new consensus code needs an utterance")
            db.add(CodeEvent(session_id=self.session_id, rater_id=consensus_id, codebook_id=cb.id, codebook_version=cb.version,
                             item_id=self.unit.key, first_utterance_id=self.utterance_id, note=self.note))  # fmt: skip
        elif self.decision != "absent":
            raise CommandError(f"{self.decision!r} is not a decision for a code")

    def _rating(self, db: Db, cb, consensus_id: str, chosen: str | None) -> None:
        if chosen is not None:  # "kept" or "agreed": apply checked it is one of the sources
            value, is_na = self.unit.values[chosen]
        elif self.decision == "value":
            value, is_na = self.value, self.value is None
        else:
            raise CommandError(f"{self.decision!r} is not a decision for a rating")
        model: type[SegmentRating | SessionRating]
        model = SegmentRating if self.unit.kind == "segment-rating" else SessionRating
        where = {"segment_id": self.unit.segment_id} if model is SegmentRating else {}
        row = find_row(
            db,
            model,
            session_id=self.session_id,
            rater_id=consensus_id,
            rating_id=self.unit.key,
            **where,
        )
        if value is None and not is_na:
            if row is not None:
                db.delete(row)
            return
        check_value(cb.scale(cb.rating(self.unit.key).scale), value, is_na, self.unit.key)
        if row is None:
            row = model(session_id=self.session_id, rater_id=consensus_id, codebook_id=cb.id, codebook_version=cb.version,
                        rating_id=self.unit.key, **where)  # fmt: skip
            db.add(row)
        row.value, row.is_na, row.updated_at = value, is_na, utcnow()


@dataclass
class AcceptAgreements:
    """Copy every unit the raters agree on into the consensus (decision "agreed"), in one command."""

    session_id: str
    units: list[Unit]
    decided_by: str = ""
    command_name: ClassVar[str] = "accept agreements"

    def describe(self) -> str:
        return f"accept {sum(u.agreed for u in self.units)} agreed unit(s) into the consensus"

    def apply(self, db: Db) -> int:
        n = 0
        for unit in self.units:
            if unit.agreed:
                Decide(self.session_id, unit, "agreed", decided_by=self.decided_by).apply(db)
                n += 1
        return n


def progress(project: Project, session_id: str, rater_ids: list[str]) -> tuple[int, int]:
    """(disagreements resolved, disagreements) for the session."""
    done = decisions(project, session_id)
    open_units = [u for u in units(project, session_id, rater_ids) if not u.agreed]
    return sum((u.kind, u.segment_id, u.key) in done for u in open_units), len(open_units)
