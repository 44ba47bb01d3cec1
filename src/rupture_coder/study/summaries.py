"""Per rater and session: the scores 3RS papers report, read from the project (docs/ratings.md).

The one implementation behind the summary panel, ``rupture-coder summary``, the tidy exports, the
DOCX session report and the supervisor review. The rules are pure functions in ``study.scoring``;
this module computes them from a ``study.snapshot.Snapshot`` (one session's, or many sessions'
read at once) and re-exports ``SessionContext``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from sqlalchemy import select

from rupture_coder.codebook import Codebook
from rupture_coder.codebook.model import Scope
from rupture_coder.errors import StudyError
from rupture_coder.services.identity import acting_identity, find_rater, rater_to_read
from rupture_coder.services.progress import (
    consistency_of,
    missing_of,
    place_codes,
)
from rupture_coder.services.segmentation import (
    GROUP,
    RUPTURES,
    RawCode,
    SegmentSpan,
)
from rupture_coder.store.db import Project
from rupture_coder.store.models import Session
from rupture_coder.study import scoring
from rupture_coder.study.scoring import Episode, RatingStats
from rupture_coder.study.snapshot import RaterData, SessionContext, Snapshot


@dataclass
class SessionSummary:
    """The documented scores of one rater in one session; the keys of ``summary --json``."""

    session: str
    session_id: str
    rater: str
    codebook: str
    impact_threshold: int
    repair_window: int
    segments: int
    partial_segments: int
    duration_s: float | None
    segments_with_withdrawal: int = 0
    segments_with_confrontation: int = 0
    segments_with_any_marker: int = 0
    rupture_share: float | None = None
    share_at_threshold: dict[str, float | None] = field(default_factory=dict)
    rupture_share_at_threshold: float | None = None
    episodes: int = 0
    episodes_repaired: int = 0
    episodes_with_withdrawal: int = 0
    episodes_with_confrontation: int = 0
    unlinked_strategies: int = 0
    ruptures_per_5_min: float | None = None
    item_segments: dict[str, int] = field(default_factory=dict)
    item_frequency: dict[str, int] = field(default_factory=dict)
    category_frequency: dict[str, int] = field(default_factory=dict)
    family_frequency: dict[str, int] = field(default_factory=dict)
    family_segments: dict[str, int] = field(default_factory=dict)
    ratings: dict[str, RatingStats] = field(default_factory=dict)
    session_ratings: dict[str, int | str] = field(default_factory=dict)
    episode_list: list[Episode] = field(default_factory=list)
    segment_items: list[list[str]] = field(default_factory=list)  # per segment: items coded in it
    by_level: dict[str, dict] = field(default_factory=dict)
    by_actor: dict[str, dict[str, int]] = field(default_factory=dict)
    complete: bool = False
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        out = asdict(self)
        out["episode_list"] = [e.to_json() for e in self.episode_list]
        return out

    def to_row(self) -> dict:
        """The scores as one flat row (the exports' summaries table): nested scores get prefixes."""
        # the flat scores as to_json gives them (asdict copies the nested ones, left out here)
        row = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if not isinstance(getattr(self, f.name), dict | list)
        }
        row |= {f"{t}_share_at_threshold": v for t, v in self.share_at_threshold.items()}
        row |= {f"{t}_frequency": v for t, v in self.category_frequency.items()}
        row |= {f"family_{f}_frequency": v for f, v in self.family_frequency.items()}
        row |= {f"family_{f}_segments": v for f, v in self.family_segments.items()}
        for rid, r in self.ratings.items():
            row |= {f"{rid}_mean": r.mean, f"{rid}_max": r.max, f"{rid}_n": r.n}
        row |= {f"rating_{k}": v for k, v in self.session_ratings.items()}
        row["warnings"] = len(self.warnings)
        return row


def _raw_codes(data: RaterData, ctx: SessionContext) -> list:
    cb = ctx.codebook
    to_group = (
        {lv.id for lv in cb.group.levels if lv.target_role == cb.group.group_target}
        if cb.group
        else set()
    )
    return [
        RawCode(
            item_id,
            segment_id,
            ctx.positions.get(first) if first else None,
            start_s,
            occurrences,
            ctx.names.get(actor_id) if actor_id else None,
            (ctx.names.get(target_id) if target_id else None)
            or (GROUP if level in to_group else None),
            level,
            code_id,
        )  # fmt: skip
        for code_id, item_id, segment_id, first, start_s, occurrences, actor_id, target_id, level in data.codes
    ]


def session_summary(
    project: Project, session_id: str, rater_id: str, context: SessionContext | None = None,
    data: RaterData | None = None,
) -> SessionSummary:  # fmt: skip
    """Every score of docs/ratings.md for one rater in one session. ``context`` and ``data``:
    the session's and the rater's part of a ``Snapshot`` read for many sessions; without them
    a snapshot of this one session is read."""
    if context is None or data is None:
        snapshot = Snapshot.read(project, [session_id])
        context = context or snapshot.context(session_id)
        data = data or snapshot.rater_data(session_id, rater_id)
    ctx = context
    cb = ctx.codebook
    complete = data.complete
    seg_given = {(segment_id, rating_id) for segment_id, rating_id, _v, _na in data.segment_ratings}
    sess_given = {rating_id for rating_id, _v, _na in data.session_ratings}
    places = [(s.id, s.index, ctx.first_positions.get(s.id)) for s in ctx.segments]
    missing = missing_of(cb, places, seg_given, sess_given)
    raw = _raw_codes(data, ctx)
    placements = place_codes(
        cb, [SegmentSpan(s.index, s.id, s.start_s, s.end_s) for s in ctx.segments],
        ctx.segment_of_position, ctx.times, [(c.item_id, c.segment_id, c.position, c.start_s) for c in raw],
    )  # fmt: skip
    warnings = consistency_of(
        cb, [(s.id, s.index) for s in ctx.segments], placements, data.segment_ratings, data.session_ratings
    )  # fmt: skip
    duration = scoring.duration(ctx.segments)
    out = SessionSummary(
        ctx.title, session_id, data.rater, f"{cb.id}@{cb.version}", ctx.threshold, ctx.window,
        len(ctx.segments), sum(s.partial for s in ctx.segments), duration, complete=complete,
    )  # fmt: skip
    placed, outside = scoring.place(
        raw,
        cb,
        ctx.segments,
        ctx.segment_of_position,
        ctx.times,
    )
    f = scoring.frequencies(placed, cb)
    out.segment_items = [
        sorted({p.item_id for p in placed if p.segment == i}) for i in range(out.segments)
    ]
    out.item_segments, out.item_frequency = f.item_segments, f.item_frequency
    out.category_frequency = f.category_frequency
    out.family_frequency, out.family_segments = f.family_frequency, f.family_segments
    out.segments_with_withdrawal = f.segments_with["withdrawal"]
    out.segments_with_confrontation = f.segments_with["confrontation"]
    out.segments_with_any_marker = f.segments_with["any"]
    out.rupture_share = round(f.segments_with["any"] / out.segments, 4) if out.segments else None
    found, out.unlinked_strategies = scoring.episodes(placed, ctx.window, cb.group is not None)
    out.episode_list, out.episodes = found, len(found)
    out.episodes_repaired = sum(e.repaired for e in found)
    kinds = {i.id: cb.rupture_type_of(i.id) for i in cb.items()}
    for t in RUPTURES:
        setattr(
            out, f"episodes_with_{t}", sum(any(kinds.get(m) == t for m in e.markers) for e in found)
        )
    out.ruptures_per_5_min = scoring.per_five_minutes(out.episodes, duration)
    _ratings(out, ctx, data, placed)
    if cb.group is not None:
        out.by_level = scoring.by_level(placed, found, cb)
        out.by_actor = scoring.by_actor(placed, cb)
    out.warnings = _warnings(out, [str(m) for m in missing], warnings, outside)
    return out


def _ratings(out: SessionSummary, ctx: SessionContext, data: RaterData, placed: list) -> None:
    """Section 4 and 5 of docs/ratings.md: values used per segment, their statistics, shares."""
    cb = ctx.codebook
    seg_given = {(sid, rid): (value, is_na) for sid, rid, value, is_na in data.segment_ratings}
    sess_given: dict[str, tuple] = {rid: (v, na) for rid, v, na in data.session_ratings}
    index = {s.id: s.index for s in ctx.segments}
    given = {(index[sid], rid): v for (sid, rid), v in seg_given.items() if sid in index}
    marked = scoring.marked_segments(placed, cb)
    columns = scoring.rating_values(cb, out.segments, given, marked)
    out.ratings = {rid: scoring.rating_stats(col) for rid, col in columns.items()}
    impact: dict[str, list] = {}
    for t in RUPTURES:
        rating = next(
            (r for r in cb.ratings_for(Scope.SEGMENT) if r.relates_to == _category(cb, t)), None
        )
        if rating is not None:
            impact[t] = columns[rating.id]
            out.warnings += _unrated(rating, columns[rating.id], placed, cb)
    threshold = out.impact_threshold
    out.share_at_threshold = {
        t: scoring.share_at_threshold(c, threshold) for t, c in impact.items()
    }
    if impact:
        out.rupture_share_at_threshold = scoring.any_at_threshold(list(impact.values()), threshold)
    out.session_ratings = {
        rid: "N/A" if is_na else value for rid, (value, is_na) in sorted(sess_given.items())
    }


def _unrated(rating, column: list, placed: list, cb: Codebook) -> list[str]:
    """Impact ratings left empty where markers are coded: left out of the scores, and said so."""
    category = {i.id: c.id for c in cb.categories for i in c.items}
    out = []
    for seg, (status, _value) in enumerate(column):
        if status != "missing":
            continue
        markers = sorted(
            {
                p.item_id
                for p in placed
                if p.segment == seg and category.get(p.item_id) == rating.relates_to
            }
        )
        verb = "is" if len(markers) == 1 else "are"
        out.append(
            f"segment {seg + 1}: {rating.label} is not rated although {', '.join(markers)} {verb} "
            "coded (left out of the scores)"
        )
    return out


def _category(cb: Codebook, rupture_type: str) -> str | None:
    return next((c.id for c in cb.categories if c.rupture_type == rupture_type), None)


def _warnings(
    out: SessionSummary, missing: list[str], consistency: list[str], outside: list
) -> list[str]:
    said = []
    if not out.complete:
        said.append("the session is not marked complete")
    if missing:
        more = len(missing) - 6
        shown = "; ".join(missing[:6]) + (f"; and {more} more" if more > 0 else "")
        said.append(f"{len(missing)} required rating(s) missing ({shown})")
    said += out.warnings  # impact ratings missing where markers are coded
    said += consistency
    for code in outside:
        where = f"at {code.start_s:g} s" if code.start_s is not None else "without a place"
        said.append(f"{code.item_id} {where} is outside every segment (left out of the scores)")
    return said


def find_summary(project: Project, session: str, rater: str | None) -> SessionSummary:
    """The summary of a session (title or id) and a rater (name or id), or a StudyError saying
    which does not exist. A coder copy reads only its own rater's (``rater`` may be left out)."""
    if acting_identity(project).bound or rater is None:
        rater = rater_to_read(project, rater)
    with project.read() as db:
        sessions = db.scalars(
            select(Session).where((Session.id == session) | (Session.title == session))
        ).all()
        found = find_rater(db, rater)
        raters = [found] if found is not None else []
    if not sessions:
        raise StudyError(f"no session {session!r}; see rupture-coder sessions")
    if len(sessions) > 1:
        raise StudyError(f"{len(sessions)} sessions are titled {session!r}; give the session's id")
    if not raters:
        raise StudyError(f"no rater {rater!r} in this project")
    return session_summary(project, sessions[0].id, raters[0].id)
