"""Tidy rating tables from a project, as 3RS labs define their units.

Units: ``segment-presence`` (per item and pooled per category: was it coded in the segment, 1/0),
``segment-rating`` (per segment rating), ``session-frequency`` (per item and per category: total
occurrences in the session), ``session-rating`` (per session rating). A rater counts as having
coded a session when they have any code or rating in it; in sessions they did not code, their
values are missing, not zero. Codes of older codebook versions are carried to the newest version
used (or the one asked for) through the declared mappings; without a mapping the comparison is
refused with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import semver
from sqlalchemy import select

from rupture_coder.agreement.tables import Level
from rupture_coder.codebook import Codebook
from rupture_coder.codebook.model import Scope
from rupture_coder.codebook.versions import translation
from rupture_coder.errors import IncomparableVersions, StudyError
from rupture_coder.services.project import stored_codebook
from rupture_coder.services.segmentation import locate_segment
from rupture_coder.store.db import Project
from rupture_coder.store.models import (
    CodebookVersion,
    CodeEvent,
    Rater,
    Segment,
    SegmentRating,
    Session,
    SessionRating,
    Utterance,
)
from rupture_coder.study.units import UNITS

__all__ = ["UNITS", "ItemTable", "Study", "load_study"]


@dataclass
class ItemTable:
    """One item's (or category's, or rating's) tidy table: unit, rater, value."""

    key: str
    label: str
    kind: str  # item | category | rating | total
    level: Level
    categories: list | None
    data: pd.DataFrame


@dataclass
class Study:
    codebook: Codebook
    raters: dict[str, str]  # id -> name
    sessions: dict[str, str]  # id -> title
    tables: list[ItemTable] = field(default_factory=list)


def _pick_raters(db, wanted: list[str] | None) -> dict[str, str]:
    all_raters = {r.id: r.name for r in db.scalars(select(Rater))}
    if not wanted:
        return all_raters
    chosen = {}
    for w in wanted:
        hits = [rid for rid, name in all_raters.items() if w in (rid, name)]
        if not hits:
            raise StudyError(
                f"no rater {w!r}; the raters are {', '.join(sorted(all_raters.values()))}"
            )
        chosen[hits[0]] = all_raters[hits[0]]
    return chosen


def load_study(
    project: Project,
    unit: str,
    raters: list[str] | None = None,
    sessions: list[str] | None = None,
    codebook: tuple[str, str] | None = None,
) -> Study:
    if unit not in UNITS:
        raise StudyError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    with project.read() as db:
        chosen_raters = _pick_raters(db, raters)
        rows = db.scalars(select(Session)).all()
        if sessions:
            rows = [s for s in rows if s.id in sessions or s.title in sessions]
        ids = {s.codebook_id for s in rows if s.codebook_id}
        if codebook:
            rows = [s for s in rows if s.codebook_id == codebook[0]]
        elif len(ids) > 1:
            raise StudyError(
                f"the sessions use {len(ids)} different codebooks ({', '.join(sorted(ids))}), whose codes are "
                "never compared; choose one with --codebook ID@VERSION"
            )
        if not rows:
            raise StudyError("no sessions match the selection")
        if not codebook and not ids:
            raise StudyError("none of the selected sessions has a codebook; assign one first")
        cb_id = codebook[0] if codebook else ids.pop()
        target = _target_version(db, cb_id, codebook[1] if codebook else None)
        known = {
            v: stored_codebook(db, cb_id, v)
            for v in db.scalars(select(CodebookVersion.version).filter_by(codebook_id=cb_id))
        }
        session_ids = [s.id for s in rows]
        study = Study(target, chosen_raters, {s.id: s.title for s in rows})
        core = db.connection()  # plain Core rows: no ORM bookkeeping for tens of thousands of codes
        codes = core.execute(
            select(CodeEvent.session_id, CodeEvent.rater_id, CodeEvent.codebook_version, CodeEvent.item_id,
                   CodeEvent.segment_id, CodeEvent.first_utterance_id, CodeEvent.start_s, CodeEvent.count)
            .where(CodeEvent.session_id.in_(session_ids), CodeEvent.rater_id.in_(list(chosen_raters)),
                   CodeEvent.codebook_id == cb_id)
        ).all()  # fmt: skip
        maps: dict[str, dict[str, list[str]]] = {}
        for version in {c.codebook_version for c in codes}:
            try:
                maps[version] = translation(known[version], target, known)
            except IncomparableVersions as exc:
                raise StudyError(str(exc)) from None
        seg_ratings = core.execute(
            select(SegmentRating.session_id, SegmentRating.segment_id, SegmentRating.rater_id, SegmentRating.rating_id,
                   SegmentRating.value, SegmentRating.is_na, SegmentRating.codebook_version)
            .where(SegmentRating.session_id.in_(session_ids), SegmentRating.rater_id.in_(list(chosen_raters)),
                   SegmentRating.codebook_id == cb_id)
        ).all()  # fmt: skip
        sess_ratings = core.execute(
            select(SessionRating.session_id, SessionRating.rater_id, SessionRating.rating_id, SessionRating.value,
                   SessionRating.is_na, SessionRating.codebook_version)
            .where(SessionRating.session_id.in_(session_ids), SessionRating.rater_id.in_(list(chosen_raters)),
                   SessionRating.codebook_id == cb_id)
        ).all()  # fmt: skip
        segments = core.execute(
            select(Segment.id, Segment.session_id, Segment.index, Segment.start_s, Segment.end_s,
                   Segment.first_position, Segment.last_position).where(Segment.session_id.in_(session_ids))
        ).all()  # fmt: skip
        positions = dict(
            db.execute(
                select(Utterance.id, Utterance.position).where(
                    Utterance.session_id.in_(session_ids)
                )
            ).all()
        )
    coded = {(c.session_id, c.rater_id) for c in codes} | {
        (r.session_id, r.rater_id) for r in (*seg_ratings, *sess_ratings)
    }
    builder = _Builder(study, coded, segments, positions)
    if unit == "segment-presence":
        builder.segment_presence(codes, maps)
    elif unit == "session-frequency":
        builder.session_frequency(codes, maps)
    elif unit == "segment-rating":
        builder.ratings(seg_ratings, Scope.SEGMENT, segments)
    else:
        builder.ratings(sess_ratings, Scope.SESSION, segments)
    return study


def _target_version(db, cb_id: str, version: str | None) -> Codebook:
    versions = db.scalars(select(CodebookVersion.version).filter_by(codebook_id=cb_id)).all()
    if version is None:
        version = max(versions, key=semver.Version.parse)
    elif version not in versions:
        raise StudyError(
            f"codebook {cb_id} has no version {version} in this project ({', '.join(versions)})"
        )
    return stored_codebook(db, cb_id, version)


class _Builder:
    def __init__(self, study: Study, coded: set, segments, positions: dict[str, int]):
        self.study = study
        self.coded = sorted(coded)
        self.by_session = defaultdict(list)
        for seg in segments:
            self.by_session[seg.session_id].append(seg)
        self.positions = positions
        # utterance position -> segment, once, instead of a search per code
        self.segment_at: dict[tuple[str, int], str] = {}
        for seg in segments:
            if seg.first_position is not None:
                for pos in range(seg.first_position, seg.last_position + 1):
                    self.segment_at[(seg.session_id, pos)] = seg.id

    def _unit(self, session_id: str, index: int | None = None) -> str:
        title = self.study.sessions[session_id]
        return f"{title} [{session_id[:8]}]" + ("" if index is None else f" segment {index + 1}")

    def _segment_of(self, code) -> str | None:
        if code.segment_id:
            return code.segment_id
        pos = self.positions.get(code.first_utterance_id)
        if pos is not None:
            return self.segment_at.get((code.session_id, pos))
        seg = locate_segment(self.by_session[code.session_id], None, None, code.start_s)
        return seg.id if seg is not None else None

    def _items(self, codes, maps) -> list[tuple]:
        """(session, rater, target item, count, segment id) with items carried to the target version."""
        out: list[tuple] = []
        for c in codes:
            targets = maps[c.codebook_version].get(c.item_id, ())
            if targets:
                seg = self._segment_of(c)
                out.extend((c.session_id, c.rater_id, item, c.count, seg) for item in targets)
        return out

    def segment_presence(self, codes, maps) -> None:
        cb = self.study.codebook
        base = [(self._unit(seg.session_id, seg.index), self.study.raters[rater], (seg.id, rater))
                for session_id, rater in self.coded for seg in self.by_session[session_id]]  # fmt: skip
        units = pd.Categorical([b[0] for b in base])  # shared by the 28 tables: cheap to build
        names = pd.Categorical([b[1] for b in base])
        row_of = {b[2]: i for i, b in enumerate(base)}  # (segment id, rater) -> row
        present = defaultdict(list)  # item -> the rows where it was coded
        for _session, rater, item, _count, seg in self._items(codes, maps):
            row = row_of.get((seg, rater))
            if row is not None:
                present[item].append(row)
        self._sessions = pd.Categorical([session_id for session_id, _rater in self.coded
                                         for _seg in self.by_session[session_id]])  # fmt: skip
        for cat in cb.categories:
            any_present = np.zeros(len(base), np.int8)
            for item in cat.items:
                column = np.zeros(len(base), np.int8)
                column[present[item.id]] = 1
                any_present |= column
                self._add_columns(item.id, f"{item.id} {item.label}", "item", "nominal", [0, 1],
                                  units, names, column)  # fmt: skip
            self._add_columns(cat.id, f"{cat.label} (any)", "category", "nominal", [0, 1],
                              units, names, any_present)  # fmt: skip

    def session_frequency(self, codes, maps) -> None:
        totals: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        for session_id, rater, item, count, _seg in self._items(codes, maps):
            totals[(session_id, rater, item)] += count
        cb = self.study.codebook
        for cat in cb.categories:
            for item in cat.items:
                rows = [
                    (self._unit(s), self.study.raters[r], totals[(s, r, item.id)], s)
                    for s, r in self.coded
                ]
                self._add(item.id, f"{item.id} {item.label}", "item", "interval", None, rows)
            rows = [
                (
                    self._unit(s),
                    self.study.raters[r],
                    sum(totals[(s, r, i.id)] for i in cat.items),
                    s,
                )
                for s, r in self.coded
            ]
            self._add(cat.id, f"{cat.label} (total)", "total", "interval", None, rows)

    def ratings(self, ratings, scope: Scope, segments) -> None:
        cb = self.study.codebook
        index = {seg.id: seg.index for seg in segments}
        for definition in cb.ratings_for(scope):
            scale = cb.scale(definition.scale)
            rows = [
                (
                    self._unit(r.session_id, index[r.segment_id] if scope == "segment" else None),
                    self.study.raters[r.rater_id],
                    None if r.is_na else r.value,
                    r.session_id,
                    bool(r.is_na),
                )
                for r in ratings
                if r.rating_id == definition.id
                and (r.value is not None or r.is_na)
                and r.codebook_version == cb.version
            ]
            self._add(
                definition.id, definition.label, "rating", "interval", scale.points(), rows, True
            )

    # Every table has the columns unit, rater, value and session (the unit's session: the cluster
    # agreement CIs resample); rating tables also na (True: rated N/A, value missing).
    def _add_columns(self, key, label, kind, level, categories, units, raters, values) -> None:
        data = pd.DataFrame(
            {"unit": units, "rater": raters, "value": values, "session": self._sessions}
        )
        self.study.tables.append(ItemTable(key, label, kind, level, categories, data))

    def _add(self, key, label, kind, level, categories, rows, with_na: bool = False) -> None:
        columns = ["unit", "rater", "value", "session"] + (["na"] if with_na else [])
        data = pd.DataFrame(rows, columns=columns)
        self.study.tables.append(ItemTable(key, label, kind, level, categories, data))
