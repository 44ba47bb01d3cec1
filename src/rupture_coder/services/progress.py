"""Session progress per rater: completion (with its required ratings) and consistency warnings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import select

from rupture_coder.codebook.model import Codebook, Scope
from rupture_coder.errors import CommandError, NotComplete
from rupture_coder.services.project import get_row, stored_codebook
from rupture_coder.services.segmentation import (
    RUPTURES,
    RawCode,
    SegmentSpan,
    locate,
    order_key,
    utterance_times,
)
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
    segments = [(g.id, g.index, g.first_position) for g in session.segments]
    return missing_of(cb, segments, seg_given, sess_given)


SegmentPlace = tuple[str, int, int | None]  # segment id, 0-based index, first utterance position


def missing_of(
    cb: Codebook,
    segments: list[SegmentPlace],
    seg_given: set[tuple[str, str]],
    sess_given: set[str],
) -> list[MissingRating]:
    """``missing_ratings`` from data in hand: the session's segments, the (segment id, rating id)
    and the session rating ids given."""
    has_transcript = any(first is not None for _id, _index, first in segments)
    out = []
    for seg_id, index, first in sorted(segments, key=lambda g: g[1]):
        if has_transcript and first is None:
            continue
        for r in cb.ratings_for(Scope.SEGMENT):
            if r.required and (seg_id, r.id) not in seg_given:
                out.append(MissingRating(r.id, r.label, seg_id, index))
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
        conflicts = na_conflicts(db, self.session_id, self.rater_id, declared_only=True)
        if conflicts:
            raise CommandError(
                f"cannot mark complete: {'; '.join(conflicts)}. Give these ratings a value."
            )
        missing = missing_ratings(db, self.session_id, self.rater_id)
        if missing:
            raise NotComplete(missing)
        if row is None:
            db.add(SessionCompletion(session_id=self.session_id, rater_id=self.rater_id))


def session_status(db: Db, rater_id: str, session_ids: set[str] | None = None) -> dict[str, str]:
    """session id -> 'complete', 'in progress' or 'not started' for one rater: of every session
    (one grouped query per table), or of the sessions given (index look-ups, for a key press)."""

    def sessions_of(model) -> set[str]:
        if session_ids is None:
            query = select(model.session_id).where(model.rater_id == rater_id)
            return set(db.scalars(query.distinct()))
        # one index probe per session: DISTINCT would walk every code of a 50,000-code session
        return {
            sid
            for sid in session_ids
            if db.scalar(
                select(model.session_id)
                .where(model.session_id == sid, model.rater_id == rater_id)
                .limit(1)
            )
            is not None
        }

    done = sessions_of(SessionCompletion)
    started = sessions_of(CodeEvent) | sessions_of(SegmentRating) | sessions_of(SessionRating)
    every = session_ids if session_ids is not None else db.scalars(select(Session.id))
    return {
        sid: "complete" if sid in done else "in progress" if sid in started else "not started"
        for sid in every
    }


PlacedCode = tuple[str, str | None, int | None, float | None]  # item, segment id, position, time


def placed_codes(
    db: Db, session: Session, rater_id: str, codes: list[PlacedCode] | None = None
) -> list[Placement]:
    """One rater's codes in a session as (order key, item id, 0-based segment or None), in the
    order of docs/ratings.md section 1 (codes in no segment last). ``codes``: the rater's codes in
    the session as (item, segment id, utterance position, time) when the caller holds them already
    (the workspace, on every key press), else they are read."""
    cb = stored_codebook(db, session.codebook_id, session.codebook_version)
    segs = sorted(session.segments, key=lambda s: s.index)
    spans = [SegmentSpan(s.index, s.id, s.start_s, s.end_s) for s in segs]
    core = db.connection()
    utterances = core.execute(
        select(Utterance.id, Utterance.position, Utterance.start_s)
        .where(Utterance.session_id == session.id)
        .order_by(Utterance.position)
    ).all()
    times = utterance_times([u.start_s for u in utterances])
    at = {
        p: s.index
        for s in segs
        if s.first_position is not None and s.last_position is not None
        for p in range(s.first_position, s.last_position + 1)
    }
    if codes is None:
        pos = {u.id: u.position for u in utterances}
        query = select(
            CodeEvent.item_id, CodeEvent.segment_id, CodeEvent.first_utterance_id, CodeEvent.start_s
        ).where(CodeEvent.session_id == session.id, CodeEvent.rater_id == rater_id)
        codes = [(i, s, pos.get(u) if u else None, t) for i, s, u, t in core.execute(query)]
    return place_codes(cb, spans, at, times, codes)


Placement = tuple[tuple, str, int | None]  # order key, item id, 0-based segment or None


def place_codes(
    cb: Codebook, spans: list[SegmentSpan], at: dict[int, int], times: list[float] | None,
    codes: list[PlacedCode],
) -> list[Placement]:  # fmt: skip
    """``placed_codes`` from data in hand: the segments, utterance position -> segment, the
    utterances' times (``utterance_times``) and the codes as (item, segment id, position, time)."""
    kind_of = {i.id: c.rupture_type for c in cb.categories for i in c.items}
    strategy_of = {item: int(kind not in RUPTURES) for item, kind in kind_of.items()}
    n_times = len(times) if times is not None else 0
    out: list[Placement] = []
    for item_id, segment_id, position, start_s in codes:  # plain tuples: 50,000 codes
        if segment_id is None and position is not None:
            # the common case, a code on an utterance, inline: place_code's own arithmetic
            seg = at.get(position)
            if seg is None:
                out.append(((1,), item_id, None))
                continue
            t = start_s
            if t is None and position < n_times:
                t = times[position]  # type: ignore[index]
            key = (0, seg, 1, t if t is not None else 0.0, position, strategy_of.get(item_id, 1),
                   item_id)  # fmt: skip
            out.append((key, item_id, seg))
        else:
            out.append(
                place_code(kind_of, spans, at, times, item_id, segment_id, position, start_s)
            )
    out.sort(key=lambda x: x[0])
    return out


def place_code(
    kind_of: Mapping[str, str], spans: list[SegmentSpan], at: dict[int, int],
    times: list[float] | None, item_id: str, segment_id: str | None, position: int | None,
    start_s: float | None,
) -> Placement:  # fmt: skip
    """One code's placement, by the rules themselves (``locate``, ``order_key``)."""
    raw = RawCode(item_id, segment_id, position, start_s)
    seg = locate(spans, raw, at)
    if seg is None:
        return ((1,), item_id, None)
    return ((0, *order_key(raw, kind_of.get(item_id, "other"), seg, times)), item_id, seg)


def na_conflicts(
    db: Db,
    session_id: str,
    rater_id: str,
    declared_only: bool = False,
    placed: list[tuple[tuple, str, int | None]] | None = None,
) -> list[str]:
    """N/A ("no rupture occurred") given on a rating while rupture markers are coded: every rating
    that declares ``na_only_without_rupture``, and (unless ``declared_only``) resolution ratings of
    codebooks that do not declare it (1.0.0)."""
    session = get_row(db, Session, session_id, "session")
    cb = stored_codebook(db, session.codebook_id, session.codebook_version)
    if placed is None:
        placed = placed_codes(db, session, rater_id)
    sess_rows, seg_rows = _rating_rows(db, session_id, rater_id)
    index = {s.id: s.index for s in session.segments}
    return na_conflicts_of(cb, index, placed, seg_rows, sess_rows, declared_only)


SegmentRatingRow = tuple[str, str, int | None, bool]  # segment id, rating id, value, N/A
SessionRatingRow = tuple[str, int | None, bool]  # rating id, value, N/A


def _rating_rows(
    db: Db, session_id: str, rater_id: str
) -> tuple[list[SessionRatingRow], list[SegmentRatingRow]]:
    sess = [
        (r.rating_id, r.value, bool(r.is_na))
        for r in db.scalars(select(SessionRating).filter_by(session_id=session_id, rater_id=rater_id))
    ]  # fmt: skip
    seg = [
        (r.segment_id, r.rating_id, r.value, bool(r.is_na))
        for r in db.scalars(select(SegmentRating).filter_by(session_id=session_id, rater_id=rater_id))
    ]  # fmt: skip
    return sess, seg


def na_conflicts_of(
    cb: Codebook, index: dict[str, int], placed: list[Placement],
    seg_ratings: list[SegmentRatingRow], sess_ratings: list[SessionRatingRow],
    declared_only: bool = False,
) -> list[str]:  # fmt: skip
    """``na_conflicts`` from data in hand (``index``: segment id -> 0-based index)."""
    markers = [(item, seg) for _k, item, seg in placed if cb.rupture_type_of(item) in RUPTURES]
    if not markers:
        return []
    resolution = {c.id for c in cb.categories if c.rupture_type == "resolution"}

    def watched(rating_id: str) -> bool:
        try:
            r = cb.rating(rating_id)
        except KeyError:
            return False
        implicit = r.relates_to in resolution and cb.scale(r.scale).allow_na
        return r.na_only_without_rupture or (implicit and not declared_only)

    out = []
    for rating_id, _value, is_na in sess_ratings:
        if is_na and watched(rating_id):
            found = sorted({item for item, _seg in markers})
            out.append(f"{cb.rating(rating_id).label} is N/A (no rupture occurred) but "
                       f"{', '.join(found)} {'is' if len(found) == 1 else 'are'} coded")  # fmt: skip
    for segment_id, rating_id, _value, is_na in sorted(
        seg_ratings, key=lambda r: index.get(r[0], -1)
    ):
        here = sorted({item for item, seg in markers if seg == index.get(segment_id)})
        if is_na and watched(rating_id) and here:
            out.append(f"segment {index[segment_id] + 1}: {cb.rating(rating_id).label} is N/A "
                       f"(no rupture occurred) but {', '.join(here)} {'is' if len(here) == 1 else 'are'} coded")  # fmt: skip
    return out


def rupture_markers(
    db: Db, session: Session, rater_id: str, segment_index: int | None = None
) -> list[tuple[str, int | None]]:
    """(item, 0-based segment) of each rupture marker the rater coded (in one segment, if given)."""
    cb = stored_codebook(db, session.codebook_id, session.codebook_version)
    return [
        (item, seg)
        for _k, item, seg in placed_codes(db, session, rater_id)
        if cb.rupture_type_of(item) in RUPTURES and (segment_index is None or seg == segment_index)
    ]


def consistency_warnings(
    db: Db, session_id: str, rater_id: str, codes: list[PlacedCode] | None = None
) -> list[str]:
    """Warnings, not blocks: strategies before any rupture; impact ratings that contradict the
    markers; N/A (no rupture occurred) on ratings while ruptures are coded. ``codes``: as for
    ``placed_codes``."""
    session = get_row(db, Session, session_id, "session")
    cb = stored_codebook(db, session.codebook_id, session.codebook_version)
    segs = [(s.id, s.index) for s in sorted(session.segments, key=lambda s: s.index)]
    placed = placed_codes(db, session, rater_id, codes)
    sess_rows, seg_rows = _rating_rows(db, session_id, rater_id)
    return consistency_of(cb, segs, placed, seg_rows, sess_rows)


def consistency_of(
    cb: Codebook, segs: list[tuple[str, int]], placed: list[Placement],
    seg_ratings: list[SegmentRatingRow], sess_ratings: list[SessionRatingRow],
) -> list[str]:  # fmt: skip
    """``consistency_warnings`` from data in hand (``segs``: (id, 0-based index) in order)."""
    out = []
    seen_rupture = False
    for _key, item, seg in placed:
        kind = cb.rupture_type_of(item)
        if kind in RUPTURES:
            seen_rupture = True
        elif kind == "resolution" and not seen_rupture:
            where = f"segment {seg + 1}" if seg is not None else "the session"
            out.append(f"{item} in {where}: a resolution strategy with no rupture coded before it")
    by_type = {
        r.relates_to: r
        for r in cb.ratings_for(Scope.SEGMENT)
        if r.relates_to in ("withdrawal", "confrontation")
    }
    rating_of = {(r[0], r[1]): r[2] for r in seg_ratings}  # (segment, rating) -> value
    coded: dict[tuple[int, str], set[str]] = {}  # (segment index, rupture type) -> items
    for _k, item, s in placed:
        kind = cb.rupture_type_of(item)
        if s is not None and kind in by_type:
            coded.setdefault((s, kind), set()).add(item)
    for rupture, definition in by_type.items():
        for seg_id, seg_index in segs:
            value = rating_of.get((seg_id, definition.id))
            markers = sorted(coded.get((seg_index, rupture), ()))
            if value is None:
                continue
            if value == 1 and markers:
                out.append(
                    f"segment {seg_index + 1}: {definition.label} is 1 (none) but {', '.join(markers)} coded"
                )
            if value > 1 and not markers:
                out.append(
                    f"segment {seg_index + 1}: {definition.label} is {value} but no {rupture} marker is coded"
                )
    index = {seg_id: seg_index for seg_id, seg_index in segs}
    return out + na_conflicts_of(cb, index, placed, seg_ratings, sess_ratings)
