"""Per rater and session: the scores 3RS papers report, derived from the raw codes and ratings.

Every formula is written down in docs/ratings.md. Thresholds are project settings:
``summary.impact_threshold`` (default 3) and ``summary.repair_window`` (default 1: a repair counts
for a rupture when it comes later in the same segment or in the next segment).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from statistics import mean

from sqlalchemy import select

from rupture_coder.codebook import Codebook
from rupture_coder.errors import StudyError
from rupture_coder.services import queries
from rupture_coder.services.segmentation import locate_segment
from rupture_coder.services.settings import get_setting
from rupture_coder.store.db import Project
from rupture_coder.store.models import Rater, SegmentRating, Session, SessionRating

RUPTURES = ("withdrawal", "confrontation")


@dataclass
class Sequence:
    rupture: str
    segment: int  # 1-based
    position: int | None
    repairs: list[str]


@dataclass
class SessionSummary:
    session: str
    rater: str
    segments: int
    item_counts: dict[str, int] = field(default_factory=dict)  # total occurrences
    item_segments: dict[str, int] = field(default_factory=dict)  # segments with the item present
    category_counts: dict[str, int] = field(
        default_factory=dict
    )  # withdrawal / confrontation / resolution
    segments_with: dict[str, int] = field(
        default_factory=dict
    )  # segments with any marker of the type
    impact_mean: dict[str, float | None] = field(default_factory=dict)
    impact_max: dict[str, int | None] = field(default_factory=dict)
    share_at_threshold: dict[str, float | None] = field(default_factory=dict)
    resolution_mean: float | None = None
    globals: dict[str, int | str | None] = field(default_factory=dict)  # value or "N/A"
    sequences: list[Sequence] = field(default_factory=list)
    threshold: int = 3
    repair_window: int = 1

    @property
    def ruptures_repaired(self) -> tuple[int, int]:
        return sum(bool(s.repairs) for s in self.sequences), len(self.sequences)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class SessionContext:
    """What every rater's summary of one session shares: read once when summarising many."""

    title: str
    codebook: Codebook
    segments: list[queries.SegmentRow]
    positions: dict[str, int]
    names: dict[str, str]
    threshold: int
    window: int
    # read for many sessions at once by an export (grouped queries): rater id -> what
    # session_summary would otherwise read, one query each
    codes_of: dict[str, list] | None = None  # rater id -> CodeRows
    ratings_of: dict[str, tuple[list, list]] | None = None  # -> (segment, session) rating rows
    rater_names: dict[str, str] | None = None

    @classmethod
    def load(cls, project: Project, session_id: str) -> SessionContext:
        with project.read() as db:
            session = db.get(Session, session_id)
            if session is None:
                raise StudyError(f"no session {session_id} in this project")
            title = session.title
        rows = queries.transcript(project, session_id)
        return cls(
            title, queries.session_codebook(project, session_id), queries.segments(project, session_id),
            {u.id: u.position for u in rows}, {p.id: p.pseudonym for p in queries.participants(project, session_id)},
            get_setting(project, "summary.impact_threshold"), get_setting(project, "summary.repair_window"),
        )  # fmt: skip


def session_summary(
    project: Project, session_id: str, rater_id: str, context: SessionContext | None = None
) -> SessionSummary:
    ctx = context or SessionContext.load(project, session_id)
    cb, segs, threshold, window = ctx.codebook, ctx.segments, ctx.threshold, ctx.window
    if ctx.codes_of is not None and ctx.rater_names is not None:
        codes, rater = ctx.codes_of.get(rater_id, []), ctx.rater_names[rater_id]
    else:
        codes = queries.codes(
            project, session_id, rater_id, positions=ctx.positions, names=ctx.names
        )
        with project.read() as db:
            row = db.get(Rater, rater_id)
            if row is None:
                raise StudyError(f"no rater {rater_id} in this project")
            rater = row.name
    out = SessionSummary(ctx.title, rater, len(segs), threshold=threshold, repair_window=window)
    type_of = {i.id: c.rupture_type for c in cb.categories for i in c.items}
    located = []
    for c in codes:
        seg = locate_segment(segs, c.segment_id, c.first_position, c.start_s)
        located.append((c, seg.index if seg is not None else None))
    item_count: Counter[str] = Counter()
    item_segs: dict[str, set[int | None]] = {}
    cat_count: Counter[str] = Counter()
    for c, seg in located:
        item_count[c.item_id] += 1
        item_segs.setdefault(c.item_id, set()).add(seg)
        cat_count[type_of.get(c.item_id, "other")] += 1
    out.item_counts = {i.id: item_count[i.id] for i in cb.items()}
    out.item_segments = {i.id: len(item_segs.get(i.id, set()) - {None}) for i in cb.items()}
    out.category_counts = {t: cat_count[t] for t in (*RUPTURES, "resolution")}
    out.segments_with = {
        t: len({seg for c, seg in located if type_of.get(c.item_id) == t and seg is not None})
        for t in RUPTURES
    }
    _ratings(project, out, cb, session_id, rater_id, segs, ctx.ratings_of)
    out.sequences = _sequences(located, type_of, window)
    return out


def _ratings(
    project: Project, out: SessionSummary, cb, session_id: str, rater_id: str, segs,
    ratings_of: dict[str, tuple[list, list]] | None = None,
) -> None:  # fmt: skip
    if ratings_of is not None:
        seg_rows, sess_rows = ratings_of.get(rater_id, ([], []))
    else:
        with project.read() as db:
            seg_rows = db.scalars(
                select(SegmentRating).filter_by(session_id=session_id, rater_id=rater_id)
            ).all()
            sess_rows = db.scalars(
                select(SessionRating).filter_by(session_id=session_id, rater_id=rater_id)
            ).all()
    by_type = {r.relates_to: r.id for r in cb.ratings_for("segment") if r.relates_to}
    values: dict[str, dict[str, int]] = {}
    for r in seg_rows:
        if r.value is not None:
            values.setdefault(r.rating_id, {})[r.segment_id] = r.value
    for t in RUPTURES:
        v = list(values.get(by_type.get(t, ""), {}).values())
        out.impact_mean[t] = round(mean(v), 4) if v else None
        out.impact_max[t] = max(v) if v else None
        out.share_at_threshold[t] = (
            round(sum(x >= out.threshold for x in v) / len(v), 4) if v else None
        )
    rated = [
        s.id for s in segs if any(s.id in values.get(by_type.get(t, ""), {}) for t in RUPTURES)
    ]
    if rated:
        hit = [
            sid
            for sid in rated
            if any(
                values.get(by_type.get(t, ""), {}).get(sid, 0) >= out.threshold for t in RUPTURES
            )
        ]
        out.share_at_threshold["any"] = round(len(hit) / len(rated), 4)
    res = list(values.get(by_type.get("resolution", ""), {}).values())
    out.resolution_mean = round(mean(res), 4) if res else None
    out.globals = {r.rating_id: ("N/A" if r.is_na else r.value) for r in sess_rows}


def _sequences(located, type_of: Mapping[str, str], window: int) -> list[Sequence]:
    """Each rupture code, with the strategies that follow it in its segment or the next ``window``."""

    def key(item):
        c, seg = item
        return (
            seg if seg is not None else -1,
            c.first_position if c.first_position is not None else -1,
            c.start_s or 0,
        )

    ordered = sorted(located, key=key)
    repairs_by_segment: dict[int, list[tuple[tuple, str]]] = {}
    for item in ordered:
        c, seg = item
        if type_of.get(c.item_id) == "resolution" and seg is not None:
            repairs_by_segment.setdefault(seg, []).append((key(item), c.item_id))
    out = []
    for item in ordered:
        c, seg = item
        if type_of.get(c.item_id) not in RUPTURES or seg is None:
            continue
        here = key(item)
        repairs = [r for k, r in repairs_by_segment.get(seg, []) if k > here]
        for later in range(seg + 1, seg + window + 1):
            repairs += [r for _k, r in repairs_by_segment.get(later, [])]
        out.append(Sequence(c.item_id, seg + 1, c.first_position, repairs))
    return out
