"""Supervisor review: flagged codes and the moments matching filters, with comments and a status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from rupture_coder.services import queries
from rupture_coder.services.identity import LEAD_OR_SUPERVISOR, require_role
from rupture_coder.services.project import stored_codebook
from rupture_coder.services.segmentation import locate_segment
from rupture_coder.store.db import Project
from rupture_coder.store.models import (
    CodeEvent,
    Rater,
    ReviewComment,
    Segment,
    SegmentRating,
    Session,
)
from rupture_coder.study.snapshot import Snapshot
from rupture_coder.study.summaries import session_summary


@dataclass
class Moment:
    session_id: str
    session: str
    rater: str
    segment: int | None  # 1-based
    position: int | None
    start_s: float | None
    item: str
    why: str
    code_id: str | None = None
    segment_id: str | None = None
    comments: list[tuple[str, str, str]] = field(default_factory=list)  # (author, status, text)
    label: str = ""  # the item or rating as a person reads it ("C5 Complaints about progress")


@dataclass
class Filters:
    flagged: bool = True
    min_impact: int | None = None  # segments with an impact rating >= this
    unresolved: bool = False  # ruptures with no repair within the window
    category: str | None = None  # withdrawal | confrontation | resolution
    rater: str | None = None  # name or id
    consensus_only: bool = False


def moments(project: Project, filters: Filters) -> list[Moment]:
    require_role(project, LEAD_OR_SUPERVISOR, "supervisor review")
    out: list[Moment] = []
    with project.read() as db:
        raters = {r.id: r for r in db.scalars(select(Rater))}
        sessions = {s.id: s for s in db.scalars(select(Session))}
        comments: dict[str, list] = {}
        for c in db.scalars(select(ReviewComment).order_by(ReviewComment.created_at)):
            comments.setdefault(c.code_id or c.segment_id or c.session_id, []).append(
                (c.author, c.status, c.text)
            )
        wanted = {rid for rid, r in raters.items() if (not filters.rater or filters.rater in (rid, r.name))
                  and (not filters.consensus_only or r.role == "consensus")}  # fmt: skip
        segs = {s.id: s for s in db.scalars(select(Segment))}
        flagged = (
            db.scalars(
                select(CodeEvent).where(CodeEvent.flagged, CodeEvent.rater_id.in_(wanted))
            ).all()
            if filters.flagged
            else []
        )
        impacts: Sequence[SegmentRating] = []
        if filters.min_impact is not None:
            impacts = db.scalars(select(SegmentRating).where(SegmentRating.value >= filters.min_impact,
                                                              SegmentRating.rater_id.in_(wanted),
                                                              SegmentRating.rating_id.like("%impact%"))).all()  # fmt: skip
    category_of: dict[str, str] = {}
    label_of: dict[str, str] = {}  # item and rating ids -> what a person reads
    for key in {(s.codebook_id, s.codebook_version) for s in sessions.values() if s.codebook_id}:
        with project.read() as db:
            cb = stored_codebook(db, *key)
        category_of |= {i.id: c.rupture_type for c in cb.categories for i in c.items}
        label_of |= {i.id: f"{i.id} {i.label}" for i in cb.items()}
        label_of |= {r.id: r.label for r in cb.ratings}
    transcripts: dict[str, dict] = {}
    segment_rows: dict[str, list] = {}
    for c in flagged:
        if filters.category and category_of.get(c.item_id) != filters.category:
            continue
        if c.session_id not in transcripts:
            transcripts[c.session_id] = {u.id: u for u in queries.transcript(project, c.session_id)}
            segment_rows[c.session_id] = queries.segments(project, c.session_id)
        u = transcripts[c.session_id].get(c.first_utterance_id)
        seg = locate_segment(
            segment_rows[c.session_id], c.segment_id, u.position if u else None, c.start_s
        )
        out.append(Moment(c.session_id, sessions[c.session_id].title, raters[c.rater_id].name, seg.index + 1 if seg else None,
                          u.position if u else None, u.start_s if u else c.start_s, c.item_id,
                          f"flagged: {c.flag_reason}", c.id, seg.id if seg else None, comments.get(c.id, []),
                          label_of.get(c.item_id, c.item_id)))  # fmt: skip
    for r in impacts:
        seg = segs[r.segment_id]
        out.append(Moment(r.session_id, sessions[r.session_id].title, raters[r.rater_id].name, seg.index + 1,
                          seg.first_position, seg.start_s, r.rating_id, f"{label_of.get(r.rating_id, r.rating_id)} {r.value}",
                          None, seg.id, comments.get(seg.id, []), label_of.get(r.rating_id, r.rating_id)))  # fmt: skip
    if filters.unresolved:
        with project.read() as db:
            coded = db.execute(
                select(CodeEvent.session_id, CodeEvent.rater_id)
                .where(CodeEvent.rater_id.in_(wanted))
                .distinct()
            ).all()
        snapshot = Snapshot.read(project, {sid for sid, _rid in coded})  # one read for all
        for sid, rid in sorted(coded):
            summary = session_summary(
                project, sid, rid, snapshot.context(sid), snapshot.rater_data(sid, rid)
            )
            for e in summary.episode_list:
                kinds = {category_of.get(m) for m in e.markers}
                if e.repaired or (filters.category and filters.category not in kinds):
                    continue
                out.append(Moment(sid, sessions[sid].title, raters[rid].name, e.segments[0], e.position, e.start_s,
                                  ", ".join(dict.fromkeys(e.markers)), "rupture episode with no repair within the window",
                                  label=", ".join(label_of.get(m, m) for m in dict.fromkeys(e.markers))))  # fmt: skip
    return sorted(out, key=lambda m: (m.session, m.segment or 0, m.position or 0, m.rater))
