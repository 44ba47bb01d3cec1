"""Cutting a session into coding segments.

Timed sessions: consecutive fixed windows of ``length_s`` up to the session's end (the media
duration, or the last utterance's end or start). They start at the media's start (0:00) when the
session has media, else at the first utterance's time: a transcript whose clock starts at 25:24
(a recording cut from a longer one) gets its first segment at 25:24, not five empty ones before
it. An utterance belongs to the window its start falls in, an untimed one to the window of the
timed utterance before it. Untimed transcripts: runs of ``per_utterances`` utterances. The last
window is kept and marked partial when it is shorter than the others.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rupture_coder.domain import ParsedUtterance

RUPTURES = ("withdrawal", "confrontation")  # the rupture types of markers
GROUP = "group"  # the target of a group event addressed to the whole group


@dataclass(frozen=True)
class SegmentPlan:
    index: int
    start_s: float | None
    end_s: float | None
    first_position: int | None
    last_position: int | None
    partial: bool


def session_end(utterances: list[ParsedUtterance], duration_s: float | None) -> float | None:
    times = [t for u in utterances for t in (u.start_s, u.end_s) if t is not None]
    ends = [*times, *([duration_s] if duration_s else [])]
    return max(ends) if ends else None


def plan_segments(
    utterances: list[ParsedUtterance],
    length_s: float | None = 300.0,
    duration_s: float | None = None,
    per_utterances: int | None = None,
    boundaries: list[int] | None = None,
) -> list[SegmentPlan]:
    """Segments by manual boundaries (utterance positions that start a segment), else by time
    when the session has a clock, else by runs of ``per_utterances`` utterances."""
    if boundaries:
        return _by_boundaries(utterances, boundaries)
    end = session_end(utterances, duration_s)
    if (
        length_s
        and end is not None
        and (duration_s or all(u.start_s is not None for u in utterances))
    ):
        first = min((u.start_s for u in utterances if u.start_s is not None), default=0.0)
        origin = 0.0 if duration_s else min(first, end)
        return _by_time(utterances, length_s, end, origin)
    size = per_utterances or 20
    n = len(utterances)
    return [
        SegmentPlan(
            i, None, None, first, min(first + size, n) - 1, min(first + size, n) - first < size
        )
        for i, first in enumerate(range(0, n, size))
    ]


def _by_time(
    utterances: list[ParsedUtterance], length_s: float, end: float, origin: float = 0.0
) -> list[SegmentPlan]:
    count = max(1, math.ceil((end - origin) / length_s - 1e-9))
    starts, last = [], 0.0
    for u in utterances:  # an untimed utterance belongs where the timed one before it does
        last = u.start_s if u.start_s is not None else last
        starts.append(last)
    plans = []
    for i in range(count):
        lo, hi = origin + i * length_s, min(origin + (i + 1) * length_s, end)
        first = bisect_right(starts, lo - 1e-9) if i else 0
        last = bisect_right(starts, hi - 1e-9) - 1 if i < count - 1 else len(utterances) - 1
        has = first <= last
        plans.append(
            SegmentPlan(
                i, lo, hi, first if has else None, last if has else None, hi - lo < length_s - 1e-6
            )
        )
    return plans


def _by_boundaries(utterances: list[ParsedUtterance], boundaries: list[int]) -> list[SegmentPlan]:
    n = len(utterances)
    starts = sorted({0, *(b for b in boundaries if 0 < b < n)})
    if any(b < 0 or b >= n for b in boundaries):
        raise ValueError(f"segment boundaries must be utterance positions from 0 to {n - 1}")
    plans = []
    for i, first in enumerate(starts):
        last = (starts[i + 1] if i + 1 < len(starts) else n) - 1
        t0, t1 = utterances[first].start_s, utterances[last].end_s or utterances[last].start_s
        plans.append(SegmentPlan(i, t0, t1, first, last, False))
    return plans


def locate_segment(
    segments: list, segment_id: str | None, position: int | None, start_s: float | None
):
    """The segment a code belongs to: its own segment, else the one holding its first utterance,
    else the one its start time falls in (segments: objects with id, first/last_position, start/end_s,
    in order). A time on a boundary starts the next segment, as an utterance there does; the
    session's very end belongs to the last segment."""
    for seg in segments:
        if segment_id is not None:
            if seg.id == segment_id:
                return seg
        elif position is not None:
            if (
                seg.first_position is not None
                and seg.first_position <= position <= seg.last_position
            ):
                return seg
        elif (
            start_s is not None
            and seg.start_s is not None
            and seg.start_s <= start_s
            and (start_s < seg.end_s or (seg is segments[-1] and start_s <= seg.end_s + 1e-9))
        ):
            return seg
    return None


# -- where a code is, and when (docs/ratings.md, section 1) ------------------------------------


@dataclass(frozen=True)
class SegmentSpan:
    """A segment as the scores need it (``index`` is 0-based)."""

    index: int
    id: str
    start_s: float | None
    end_s: float | None
    partial: bool = False


class RawCode(NamedTuple):
    """A code as stored: where (segment form, utterance position, time) and who (group codes).
    A named tuple: a summary makes one per code, and a frozen dataclass took five times longer."""

    item_id: str
    segment_id: str | None = None
    position: int | None = None  # 0-based position of the first utterance
    start_s: float | None = None
    count: int = 1  # type: ignore[assignment]  # the field, not tuple.count
    actor: str | None = None
    target: str | None = None  # a participant, or GROUP
    level: str | None = None
    code_id: str = ""


def utterance_times(starts: Sequence[float | None]) -> list[float] | None:
    """Each utterance's clock time: its start, or the start of the timed one before it (0 before
    the first); None when the transcript has no times at all."""
    if all(t is None for t in starts):
        return None
    out: list[float] = []
    last = 0.0
    for t in starts:
        last = t if t is not None else last
        out.append(last)
    return out


def locate(segments: Sequence[SegmentSpan], code: RawCode, positions: dict[int, int]) -> int | None:
    """The 0-based segment of a code: its own, else its first utterance's, else its time's
    (``positions``: utterance position -> 0-based segment)."""
    if code.segment_id is None and code.position is not None:
        return positions.get(code.position)
    seg = locate_segment(list(segments), code.segment_id, None, code.start_s)
    return None if seg is None else seg.index


def order_key(code: RawCode, kind: str, segment: int, times: list[float] | None) -> tuple:
    """(segment, rank, time, position, markers first, item): segment-form markers open their
    segment (rank 0), segment-form strategies close it (rank 2), the rest sit at their moment."""
    strategy = kind not in RUPTURES
    if code.segment_id is not None or (code.position is None and code.start_s is None):
        return (segment, 2 if strategy else 0, 0.0, -1, int(strategy), code.item_id)
    t, p = code.start_s, code.position
    if p is not None and t is None and times is not None:
        t = times[p] if p < len(times) else None
    if p is None and t is not None and times is not None:
        p = bisect_right(times, t) - 1  # the utterance being spoken then
    return (
        segment,
        1,
        t if t is not None else 0.0,
        p if p is not None else -1,
        int(strategy),
        code.item_id,
    )
