"""The session scores of docs/ratings.md on plain data: one rater's codes and ratings in one session.

Pure functions (no database, no Qt): ``study.summaries`` reads a session and calls them; the
agreement tables and the exports use the same frequencies. Every rule here is a numbered section of
docs/ratings.md, and each has a worked example the tests assert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from rupture_coder.codebook.model import Codebook, ItemKind, Scope
from rupture_coder.services.segmentation import (
    GROUP,
    RUPTURES,
    RawCode,
    SegmentSpan,
    locate,
    order_key,
)

TYPES = (*RUPTURES, "resolution")
FIVE_MINUTES = 300.0


class Placed(NamedTuple):
    """A code with its rupture type, segment (0-based) and order key within the session (a named
    tuple, as ``RawCode``: one per code)."""

    code: RawCode
    kind: str  # withdrawal | confrontation | resolution | other
    segment: int
    key: tuple

    @property
    def item_id(self) -> str:
        return self.code.item_id


@dataclass
class Episode:
    pairing: list[str]
    level: str | None
    segments: list[int] = field(default_factory=list)  # 1-based, of its markers
    markers: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    key: tuple = field(default=(), repr=False, compare=False)
    position: int | None = None  # 0-based utterance of its first marker (None: segment form)
    start_s: float | None = None  # time of its first marker, when coded with one

    @property
    def repaired(self) -> bool:
        return bool(self.repairs)

    def to_json(self) -> dict:
        return {
            "pairing": self.pairing, "level": self.level, "segments": self.segments,
            "markers": self.markers, "repairs": self.repairs, "repaired": self.repaired,
            "utterance": None if self.position is None else self.position + 1, "time_s": self.start_s,
        }  # fmt: skip


@dataclass
class RatingStats:
    """A segment rating over the session: values used, and what they are over (section 4)."""

    mean: float | None = None
    max: int | None = None
    n: int = 0
    rated: int = 0
    implied: int = 0
    na: int = 0
    missing: int = 0


# -- 1. where a code is -----------------------------------------------------------------------


def place(
    codes: Iterable[RawCode],
    codebook: Codebook,
    segments: Sequence[SegmentSpan],
    segment_of_position: dict[int, int],
    times: list[float] | None,
) -> tuple[list[Placed], list[RawCode]]:
    """Codes with their segment and order key, in session order; and the codes in no segment."""
    placed, outside = [], []
    for code in codes:
        segment = locate(segments, code, segment_of_position)
        if segment is None:
            outside.append(code)
            continue
        kind = codebook.rupture_type_of(code.item_id)
        placed.append(Placed(code, kind, segment, order_key(code, kind, segment, times)))
    placed.sort(key=lambda p: p.key)
    return placed, outside


# -- 2. episodes and repairs ------------------------------------------------------------------


def pairing(code: RawCode, group: bool) -> frozenset:
    """The two parties of a group event (unordered); one pairing for an individual session."""
    if not group:
        return frozenset()
    return frozenset({code.actor or "?", code.target or GROUP})


def episodes(placed: Sequence[Placed], window: int, group: bool) -> tuple[list[Episode], int]:
    """Rupture episodes with their credited strategies, and the number of unlinked strategies."""
    marker_pairings = {pairing(p.code, group) for p in placed if p.kind in RUPTURES}
    streams: dict[frozenset, list[int]] = {}
    for i, p in enumerate(placed):
        if p.kind not in TYPES:
            continue
        own = pairing(p.code, group)
        streams.setdefault(own, []).append(i)
        if group and p.kind == "resolution" and p.code.target == GROUP:
            for other in marker_pairings - {own}:
                if GROUP in other:
                    streams.setdefault(other, []).append(i)
    found: list[Episode] = []
    credited: set[int] = set()
    for parties, stream in streams.items():
        current: Episode | None = None
        last = 0  # pragma: no mutate (read only once an episode is open)
        for i in sorted(stream):  # ``placed`` is in session order
            p = placed[i]
            if p.kind == "resolution":
                if current is not None and p.segment - last <= window:
                    current.repairs.append(p.item_id)
                    credited.add(i)
                continue
            if current is None or current.repairs or p.segment - last > 1:
                current = Episode(sorted(parties), p.code.level, key=p.key)
                current.position = p.key[3] if p.key[1] == 1 and p.key[3] >= 0 else None
                current.start_s = p.code.start_s
                found.append(current)
            current.markers.append(p.item_id)
            if p.segment + 1 not in current.segments:
                current.segments.append(p.segment + 1)
            last = p.segment
    unlinked = sum(1 for i, p in enumerate(placed) if p.kind == "resolution" and i not in credited)
    found.sort(key=lambda e: e.key)
    return found, unlinked


# -- 3. frequencies ---------------------------------------------------------------------------


@dataclass
class Frequencies:
    item_segments: dict[str, int]
    item_frequency: dict[str, int]
    category_frequency: dict[str, int]
    family_frequency: dict[str, int]
    family_segments: dict[str, int]
    segments_with: dict[str, int]  # withdrawal, confrontation, resolution, any (marker)


def frequency_of(kind: ItemKind, segments: int, counts: int) -> int:
    """A count item's frequency is the sum of its counts; any other item's, its segments."""
    return counts if kind == ItemKind.COUNT else segments


def frequencies(placed: Iterable[Placed], codebook: Codebook) -> Frequencies:
    """Segments with each item; frequencies (count items: the sum of their counts); totals."""
    segments: dict[str, set[int]] = {}
    counts: dict[str, int] = {}
    for p in placed:
        segments.setdefault(p.item_id, set()).add(p.segment)
        counts[p.item_id] = counts.get(p.item_id, 0) + p.code.count
    items = codebook.items()
    item_segments = {i.id: len(segments.get(i.id, ())) for i in items}
    item_frequency = {
        i.id: frequency_of(i.kind, item_segments[i.id], counts.get(i.id, 0)) for i in items
    }
    of_type = {
        t: [i.id for c in codebook.categories if c.rupture_type == t for i in c.items]
        for t in TYPES
    }
    with_type = {
        t: set().union(*(segments.get(i, set()) for i in ids)) for t, ids in of_type.items()
    }
    families = codebook.families()
    return Frequencies(
        item_segments,
        item_frequency,
        {t: sum(item_frequency[i] for i in ids) for t, ids in of_type.items()},
        {f.id: sum(item_frequency[i] for i in f.items) for f in families},
        {f.id: len(set().union(*(segments.get(i, set()) for i in f.items))) for f in families},
        {t: len(s) for t, s in with_type.items()}
        | {"any": len(with_type["withdrawal"] | with_type["confrontation"])},
    )


# -- 4. segment ratings -----------------------------------------------------------------------


def marked_segments(placed: Iterable[Placed], codebook: Codebook) -> dict[str, set[int]]:
    """Category id -> the 0-based segments with at least one of its items."""
    category = {i.id: c.id for c in codebook.categories for i in c.items}
    out: dict[str, set[int]] = {}
    for p in placed:
        if p.item_id in category:
            out.setdefault(category[p.item_id], set()).add(p.segment)
    return out


def rating_values(
    codebook: Codebook,
    n_segments: int,
    given: dict[tuple[int, str], tuple[int | None, bool]],
    marked: dict[str, set[int]],
) -> dict[str, list[tuple[str, int | None]]]:
    """Per segment rating, per segment: (status, value used), status rated, na, implied or
    missing. ``given``: (0-based segment, rating id) -> (value, is N/A); ``marked``: as
    ``marked_segments``."""
    out: dict[str, list[tuple[str, int | None]]] = {}
    for r in codebook.ratings_for(Scope.SEGMENT):
        implies = r.relates_to is not None and _rupture_category(codebook, r.relates_to)
        lowest = codebook.scale(r.scale).min
        column: list[tuple[str, int | None]] = []
        for seg in range(n_segments):
            value, is_na = given.get((seg, r.id), (None, False))
            if is_na:
                column.append(("na", None))
            elif value is not None:
                column.append(("rated", value))
            elif implies and seg not in marked.get(r.relates_to or "", set()):
                column.append(("implied", lowest))
            else:
                column.append(("missing", None))
        out[r.id] = column
    return out


def _rupture_category(codebook: Codebook, category_id: str) -> bool:
    return any(c.id == category_id and c.rupture_type in RUPTURES for c in codebook.categories)


def rating_stats(column: Sequence[tuple[str, int | None]]) -> RatingStats:
    values = [v for _status, v in column if v is not None]
    stats = RatingStats(
        round(sum(values) / len(values), 4) if values else None,
        max(values) if values else None,
        len(values),
    )
    for status, _v in column:
        setattr(stats, status, getattr(stats, status) + 1)
    return stats


# -- 5. shares and rates ----------------------------------------------------------------------


def share_at_threshold(column: Sequence[tuple[str, int | None]], threshold: int) -> float | None:
    values = [v for _s, v in column if v is not None]
    return round(sum(v >= threshold for v in values) / len(values), 4) if values else None


def any_at_threshold(
    columns: Sequence[Sequence[tuple[str, int | None]]], threshold: int
) -> float | None:
    """Segments where either impact reaches the threshold / segments where that can be decided."""
    hits = decided = 0
    for cells in zip(*columns, strict=True):  # pragma: no mutate (columns are equally long)
        values = [v for _s, v in cells]
        hit = any(v is not None and v >= threshold for v in values)
        hits += hit
        decided += hit or all(v is not None for v in values)
    return round(hits / decided, 4) if decided else None


def duration(segments: Sequence[SegmentSpan]) -> float | None:
    """The session's length: the sum of its segments' lengths (None without times)."""
    total = 0.0
    for s in segments:
        if s.start_s is None or s.end_s is None:
            return None
        total += s.end_s - s.start_s
    return total or None


def per_five_minutes(count: int, seconds: float | None) -> float | None:
    return round(count * FIVE_MINUTES / seconds, 4) if seconds else None


# -- 7. group sessions ------------------------------------------------------------------------


def by_level(
    placed: Sequence[Placed], found: Sequence[Episode], codebook: Codebook
) -> dict[str, dict]:
    """The scores of each relational level, over that level's events (episodes: by first marker)."""
    out: dict[str, dict] = {}
    for level in codebook.group.levels if codebook.group else []:
        f = frequencies([p for p in placed if p.code.level == level.id], codebook)
        mine = [e for e in found if e.level == level.id]
        out[level.id] = {
            "item_segments": {k: v for k, v in f.item_segments.items() if v},
            **{f"segments_with_{t}": f.segments_with[t] for t in TYPES},
            "episodes": len(mine),
            "episodes_repaired": sum(e.repaired for e in mine),
        }
    return out


def by_actor(placed: Sequence[Placed], codebook: Codebook) -> dict[str, dict[str, int]]:
    """Each participant's withdrawal, confrontation and resolution frequencies as actor."""
    actors = sorted({p.code.actor for p in placed if p.code.actor})
    return {
        a: frequencies([p for p in placed if p.code.actor == a], codebook).category_frequency
        for a in actors
    }
