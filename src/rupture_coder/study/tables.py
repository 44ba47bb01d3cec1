"""Tidy rating tables from a project, as 3RS labs define their units.

Units: ``segment-presence`` (per item and pooled per category: was it coded in the segment, 1/0;
in group codebooks also the joint unit item x actor x target x level), ``segment-rating`` (per
segment rating, with the values the summaries use: an impact rating left empty where no marker of
its type is coded counts as the lowest point), ``session-frequency`` (per item and per category:
the summaries' frequencies, i.e. segments with the item, or the sum of counts for count items),
``session-rating`` (per session rating); docs/ratings.md defines each. A rater counts as having
coded a session when they have any code or rating in it; in sessions they did not code, their
values are missing, not zero. Codes of older codebook versions are carried to the newest version
used (or the one asked for) through the declared mappings; without a mapping the comparison is
refused with the reason.
"""

from __future__ import annotations

import functools
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
from rupture_coder.services.segmentation import GROUP, locate_segment
from rupture_coder.store.db import Project, named_rows, raw_rows
from rupture_coder.store.models import (
    CodebookVersion,
    CodeEvent,
    Participant,
    Rater,
    Segment,
    SegmentRating,
    Session,
    SessionCompletion,
    SessionRating,
    Utterance,
)
from rupture_coder.study.scoring import frequency_of, rating_values
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
    warnings: list[str] = field(default_factory=list)  # raters and sessions not marked complete


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
        raters_in = list(chosen_raters)

        def chosen(model) -> tuple:  # the selected sessions and raters, under this codebook
            return (model.session_id.in_(session_ids), model.rater_id.in_(raters_in),
                    model.codebook_id == cb_id)  # fmt: skip

        def who(model) -> set[tuple[str, str]]:  # (session, rater) with a row, for a unit that
            # does not use the rows themselves
            return set(raw_rows(db, select(model.session_id, model.rater_id).distinct().where(*chosen(model))))  # fmt: skip

        coded: set[tuple[str, str]] = set()
        codes: list = []
        if unit == "session-rating":
            coded |= who(CodeEvent)
        else:  # the driver's rows, named: no SQLAlchemy row processing for 500,000 codes
            codes = raw_rows(  # plain tuples, in this order (_Builder._items unpacks them)
                db,
                select(CodeEvent.session_id, CodeEvent.rater_id, CodeEvent.codebook_version, CodeEvent.item_id,
                       CodeEvent.segment_id, CodeEvent.first_utterance_id, CodeEvent.start_s, CodeEvent.count,
                       CodeEvent.actor_id, CodeEvent.target_id, CodeEvent.level)
                .where(*chosen(CodeEvent))
            )  # fmt: skip
            coded |= {(c[0], c[1]) for c in codes}
        maps: dict[str, dict[str, list[str]]] = {}
        for version in {c[2] for c in codes}:  # codebook_version
            try:
                maps[version] = translation(known[version], target, known)
            except IncomparableVersions as exc:
                raise StudyError(str(exc)) from None
        seg_ratings: list = []
        if unit == "segment-rating":
            seg_ratings = named_rows(
                db,
                select(SegmentRating.session_id, SegmentRating.segment_id, SegmentRating.rater_id, SegmentRating.rating_id,
                       SegmentRating.value, SegmentRating.is_na, SegmentRating.codebook_version)
                .where(*chosen(SegmentRating))
            )  # fmt: skip
            coded |= {(r.session_id, r.rater_id) for r in seg_ratings}
        else:
            coded |= who(SegmentRating)
        sess_ratings: list = []
        if unit == "session-rating":
            sess_ratings = named_rows(
                db,
                select(SessionRating.session_id, SessionRating.rater_id, SessionRating.rating_id, SessionRating.value,
                       SessionRating.is_na, SessionRating.codebook_version)
                .where(*chosen(SessionRating))
            )  # fmt: skip
            coded |= {(r.session_id, r.rater_id) for r in sess_ratings}
        else:
            coded |= who(SessionRating)
        segments = named_rows(
            db,
            select(Segment.id, Segment.session_id, Segment.index, Segment.start_s, Segment.end_s,
                   Segment.first_position, Segment.last_position).where(Segment.session_id.in_(session_ids))
        )  # fmt: skip
        positions = dict(
            raw_rows(
                db,
                select(Utterance.id, Utterance.position).where(
                    Utterance.session_id.in_(session_ids)
                ),
            )
        )
        names = dict(
            raw_rows(
                db,
                select(Participant.id, Participant.pseudonym).where(
                    Participant.session_id.in_(session_ids)
                ),
            )
        )
        done = set(
            raw_rows(
                db,
                select(SessionCompletion.session_id, SessionCompletion.rater_id).where(
                    SessionCompletion.session_id.in_(session_ids)
                ),
            )
        )
    study.warnings = [
        f"{chosen_raters[r]} has not marked session {study.sessions[s]!r} complete: "
        "its scores may change"
        for s, r in sorted(coded - done, key=lambda k: (study.sessions[k[0]], chosen_raters[k[1]]))
    ]
    builder = _Builder(study, coded, segments, positions, names)
    if unit == "segment-presence":
        builder.segment_presence(codes, maps)
    elif unit == "session-frequency":
        builder.session_frequency(codes, maps)
    elif unit == "segment-rating":
        builder.segment_ratings(seg_ratings, codes, maps)
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
    def __init__(self, study: Study, coded: set, segments, positions: dict[str, int], names=None):
        self.study = study
        self.names = names or {}
        cb = study.codebook
        self.to_group = (
            {lv.id for lv in cb.group.levels if lv.target_role == cb.group.group_target}
            if cb.group
            else set()
        )
        self.coded = sorted(coded)
        self.by_session = defaultdict(list)
        for seg in segments:
            self.by_session[seg.session_id].append(seg)
        self.positions = positions
        self.segments = segments

    @functools.cached_property
    def segment_at(self) -> dict[tuple[str, int], str]:
        """Utterance position -> segment, once (for codes placed on utterances), instead of a
        search per code."""
        out: dict[tuple[str, int], str] = {}
        for seg in self.segments:
            if seg.first_position is not None:
                for pos in range(seg.first_position, seg.last_position + 1):
                    out[(seg.session_id, pos)] = seg.id
        return out

    def _unit(self, session_id: str, index: int | None = None) -> str:
        title = self.study.sessions[session_id]
        return f"{title} [{session_id[:8]}]" + ("" if index is None else f" segment {index + 1}")

    def _segment_of(
        self, session_id: str, segment_id: str | None, first: str | None, start_s: float | None
    ) -> str | None:
        if segment_id:
            return segment_id
        pos = self.positions.get(first)  # type: ignore[arg-type]
        if pos is not None:
            return self.segment_at.get((session_id, pos))
        seg = locate_segment(self.by_session[session_id], None, None, start_s)
        return seg.id if seg is not None else None

    def _items(self, codes, maps) -> list[tuple]:
        """(session, rater, target item, count, segment id, (actor, target, level)) with items
        carried to the target version; who coded it (the last) only under a group codebook."""
        out: list[tuple] = []
        names, to_group = self.names, self.to_group
        grouped = self.study.codebook.group is not None  # who coded it: the joint units' only
        # plain unpacking of the rows (the columns of load_study's code select, in order)
        for (
            sid,
            rid,
            version,
            item_id,
            segment_id,
            first,
            start_s,
            count,
            actor,
            target_id,
            level,
        ) in codes:
            targets = maps[version].get(item_id)
            if targets:
                seg = segment_id or self._segment_of(sid, segment_id, first, start_s)
                who = None
                if grouped:
                    target = names.get(target_id) or (GROUP if level in to_group else None)
                    who = (names.get(actor), target, level)
                if len(targets) == 1:  # most items map to themselves
                    out.append((sid, rid, targets[0], count, seg, who))
                else:
                    out.extend((sid, rid, item, count, seg, who) for item in targets)
        return out

    def segment_presence(self, codes, maps) -> None:
        cb = self.study.codebook
        labels: dict[str, list[str]] = {}  # session -> its segments' unit names
        for session_id, _rater in self.coded:
            if session_id not in labels:
                labels[session_id] = [self._unit(session_id, seg.index) for seg in self.by_session[session_id]]  # fmt: skip
        base = [(unit, self.study.raters[rater], (seg.id, rater))
                for session_id, rater in self.coded
                for seg, unit in zip(self.by_session[session_id], labels[session_id], strict=True)]  # fmt: skip
        units = pd.Categorical([b[0] for b in base])  # shared by the 28 tables: cheap to build
        names = pd.Categorical([b[1] for b in base])
        row_of = {b[2]: i for i, b in enumerate(base)}  # (segment id, rater) -> row
        present = defaultdict(list)  # item -> the rows where it was coded
        joint = defaultdict(set)  # item -> {(segment id, rater, (actor, target, level))}
        grouped = cb.group is not None  # the joint units are a group codebook's only
        for _session, rater, item, _count, seg, who in self._items(codes, maps):
            row = row_of.get((seg, rater))
            if row is not None:
                present[item].append(row)
                if grouped:
                    joint[item].add((seg, rater, who))
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
        if cb.group is not None:
            for cat in cb.categories:
                for item in cat.items:
                    self._joint(
                        f"{item.id}@joint",
                        f"{item.id} {item.label} (who, at which level)",
                        joint[item.id],
                    )
                self._joint(f"{cat.id}@joint", f"{cat.label} (any; who, at which level)",
                            set().union(*(joint[i.id] for i in cat.items)))  # fmt: skip

    def _joint(self, key: str, label: str, hits: set) -> None:
        """The joint unit (item, actor, target, level): per segment, one unit for each combination
        of actor, target and level that a compared rater coded in the session."""
        session_of = {seg.id: seg.session_id for segs in self.by_session.values() for seg in segs}
        combos: dict[str, set] = defaultdict(set)
        for seg_id, _rater, who in hits:
            combos[session_of[seg_id]].add(who)
        rows = []
        for session_id, rater in self.coded:
            for who in sorted(combos.get(session_id, ()), key=str):
                actor, target, level = who
                for seg in self.by_session[session_id]:
                    unit = f"{self._unit(session_id, seg.index)} {actor}→{target or '-'} ({level})"
                    rows.append(
                        (
                            unit,
                            self.study.raters[rater],
                            int((seg.id, rater, who) in hits),
                            session_id,
                        )
                    )
        self._add(key, label, "joint", "nominal", [0, 1], rows)

    def session_frequency(self, codes, maps) -> None:
        counts: defaultdict[tuple[str, str, str], int] = defaultdict(int)
        segments: defaultdict[tuple[str, str, str], set] = defaultdict(set)
        for session_id, rater, item, count, seg, _who in self._items(codes, maps):
            counts[(session_id, rater, item)] += count
            if seg is not None:
                segments[(session_id, rater, item)].add(seg)
        cb = self.study.codebook
        totals = {  # the frequencies of docs/ratings.md section 3, as the summaries give them
            (s, r, item.id): frequency_of(
                item.kind, len(segments[(s, r, item.id)]), counts[(s, r, item.id)]
            )
            for s, r in self.coded
            for item in cb.items()
        }
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

    def segment_ratings(self, ratings, codes, maps) -> None:
        """The values used for segment ratings (docs/ratings.md section 4): an impact rating left
        empty where the rater coded no marker of its type counts as the scale's lowest point."""
        cb = self.study.codebook
        category = {i.id: c.id for c in cb.categories for i in c.items}
        index = {seg.id: seg.index for segs in self.by_session.values() for seg in segs}
        marked: dict[tuple, dict[str, set[int]]] = defaultdict(dict)
        for session_id, rater, item, _count, seg, _who in self._items(codes, maps):
            if seg is not None and item in category:
                marked[(session_id, rater)].setdefault(category[item], set()).add(index[seg])
        given: dict[tuple, dict] = defaultdict(dict)
        for r in ratings:
            if r.codebook_version == cb.version and r.segment_id in index:
                given[(r.session_id, r.rater_id)][(index[r.segment_id], r.rating_id)] = (
                    r.value,
                    r.value is None,
                )
        rows: dict[str, list] = defaultdict(list)
        for session_id, rater in self.coded:
            n = len(self.by_session[session_id])
            columns = rating_values(cb, n, given[(session_id, rater)], marked[(session_id, rater)])
            for rating_id, column in columns.items():
                rows[rating_id] += [  # N/A is a judgement: analysed on its own (agreement on N/A)
                    (self._unit(session_id, seg), self.study.raters[rater], value, session_id,
                     status == "na")
                    for seg, (status, value) in enumerate(column)
                    if value is not None or status == "na"
                ]  # fmt: skip
        for definition in cb.ratings_for(Scope.SEGMENT):
            scale = cb.scale(definition.scale)
            self._add(
                definition.id,
                definition.label,
                "rating",
                "interval",
                scale.points(),
                rows[definition.id],
                True,
            )

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
