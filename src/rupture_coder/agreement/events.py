"""Agreement on time-coded events: match two raters' events, then event- and time-based kappa.

Matching (as INTERACT and The Observer offer it): two events can pair when their onsets are
within ``tolerance_s`` (method "onset") or when they overlap in time (method "overlap").
Candidate pairs are taken greedily: same category first, then the closest onsets (largest overlap
for "overlap"); each event pairs at most once. An event left unpaired is paired with "(none)".
Event-based kappa is Cohen's kappa on that table, whose (none)/(none) cell is empty by design;
time-based agreement compares the two raters' labels tick by tick (Bakeman, Quera & Gnisci 2009
recommend reporting both).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rupture_coder.agreement.results import Stat, cicchetti, undefined

NONE = "(none)"


@dataclass(frozen=True)
class Event:
    id: str
    category: str
    start: float
    end: float


@dataclass(frozen=True)
class Pair:
    a: Event | None
    b: Event | None

    @property
    def agree(self) -> bool:
        return self.a is not None and self.b is not None and self.a.category == self.b.category

    def to_json(self) -> dict:
        def ev(e: Event | None):
            return (
                None
                if e is None
                else {"id": e.id, "category": e.category, "start": e.start, "end": e.end}
            )

        onset = None if self.a is None or self.b is None else round(self.b.start - self.a.start, 3)
        return {"a": ev(self.a), "b": ev(self.b), "onset_difference_s": onset, "agree": self.agree}


def _overlap(a: Event, b: Event) -> float:
    return max(0.0, min(a.end, b.end) - max(a.start, b.start))


def match_events(
    a: list[Event], b: list[Event], method: str = "onset", tolerance_s: float = 2.0
) -> list[Pair]:
    if method not in ("onset", "overlap"):
        raise ValueError("method is 'onset' or 'overlap'")
    candidates = []
    for i, ea in enumerate(a):
        for j, eb in enumerate(b):
            if method == "onset":
                diff = abs(ea.start - eb.start)
                if diff <= tolerance_s:
                    candidates.append((ea.category != eb.category, diff, i, j))
            else:
                ov = _overlap(ea, eb)
                if ov > 0 or (ea.start == eb.start and ea.end == eb.end):
                    candidates.append((ea.category != eb.category, -ov, i, j))
    candidates.sort()
    used_a, used_b, pairs = set(), set(), []
    for _diff_cat, _score, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append(Pair(a[i], b[j]))
    pairs += [Pair(e, None) for i, e in enumerate(a) if i not in used_a]
    pairs += [Pair(None, e) for j, e in enumerate(b) if j not in used_b]
    return sorted(pairs, key=lambda p: min(e.start for e in (p.a, p.b) if e is not None))


def _kappa_from_table(table: np.ndarray, labels: list[str], name: str) -> Stat:
    from statsmodels.stats.inter_rater import cohens_kappa

    n = int(table.sum())
    if n == 0:
        return undefined(name, "there are no events", 0)
    p = table / n
    pe = float(p.sum(axis=1) @ p.sum(axis=0))
    if pe >= 1:
        return undefined(
            name, "every event falls in the same category, so chance agreement is 1 (0/0)", n
        )
    r = cohens_kappa(table)
    se = float(r.std_kappa) if math.isfinite(r.std_kappa) else None
    ci = (float(r.kappa_low), float(r.kappa_upp)) if se is not None else None
    extra = {"confusion_matrix": {"categories": labels, "counts": table.astype(int).tolist()},
             "observed_agreement": round(float(np.trace(p)), 6)}  # fmt: skip
    return Stat(name, float(r.kappa), ci, se, n, band=cicchetti(float(r.kappa)), extra=extra)


def event_kappa(pairs: list[Pair]) -> Stat:
    labels = sorted({e.category for p in pairs for e in (p.a, p.b) if e is not None}) + [NONE]
    index = {c: i for i, c in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    for p in pairs:
        table[index[p.a.category if p.a else NONE], index[p.b.category if p.b else NONE]] += 1
    stat = _kappa_from_table(
        table, labels, "event-based Cohen's kappa (matched events, unmatched as (none))"
    )
    stat.extra["pairs"] = len(pairs)
    stat.extra["agreements"] = sum(p.agree for p in pairs)
    return stat


def _labels(events: list[Event], ticks: np.ndarray) -> list[str]:
    out = []
    for t in ticks:
        here = sorted({e.category for e in events if e.start <= t < max(e.end, e.start + 1e-9)})
        out.append("+".join(here) if here else NONE)
    return out


def time_kappa(
    a: list[Event], b: list[Event], tick_s: float = 1.0, end_s: float | None = None
) -> Stat:
    """Both raters' labels at the midpoint of every tick from 0 to the end; overlapping events of
    one rater make a combined label ("C1+W2")."""
    ends = [e.end for e in (*a, *b)]
    end = end_s if end_s is not None else (max(ends) if ends else 0.0)
    if end <= 0:
        return undefined("time-based Cohen's kappa", "there is no coded time", 0)
    ticks = np.arange(tick_s / 2, end, tick_s)
    la, lb = _labels(a, ticks), _labels(b, ticks)
    labels = sorted(set(la) | set(lb), key=lambda s: (s == NONE, s))
    index = {c: i for i, c in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    for x, y in zip(la, lb, strict=True):
        table[index[x], index[y]] += 1
    stat = _kappa_from_table(table, labels, f"time-based Cohen's kappa ({tick_s:g} s ticks)")
    stat.extra["ticks"] = len(ticks)
    return stat
