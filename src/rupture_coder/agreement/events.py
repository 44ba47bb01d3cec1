"""Agreement on time-coded events: align two raters' events, then event- and time-based kappa.

Alignment (as INTERACT, The Observer and GSEQ offer it): two events can pair when their onsets
are within ``tolerance_s`` (method "onset") or when they overlap in time (method "overlap"; a
point event, one without duration, pairs with an event within ``tolerance_s`` of it). Pairs keep
the order of both raters' events (no crossing pairs: if A's 1st event pairs with B's 2nd, A's 2nd
cannot pair with B's 1st), and among such alignments the one chosen has the most same-category
pairs, then the most pairs, then the closest onsets (largest overlaps). An event left unpaired is
paired with "(none)". Event-based kappa is Cohen's kappa on that table, whose (none)/(none) cell
is empty by design; time-based kappa compares the two raters' labels tick by tick, a point event
marking the tick its onset falls in, and with a tolerance of w ticks a disagreement counts as an
agreement when the other rater has the same label within w ticks (Bakeman, Quera & Gnisci,
2009, who recommend reporting both).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from rupture_coder.agreement.bootstrap import MIN_CLUSTERS
from rupture_coder.agreement.coefficients import Z95, kappa_from_table
from rupture_coder.agreement.results import Stat, band_range, cicchetti, undefined
from rupture_coder.domain import EVENT_METHODS

NONE = "(none)"
METHODS = EVENT_METHODS


@dataclass(frozen=True)
class Event:
    id: str
    category: str
    start: float
    end: float

    @property
    def is_point(self) -> bool:
        return self.end <= self.start


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


def _closeness(ea: Event, eb: Event, method: str, tolerance_s: float) -> float | None:
    """How well two events fit, in [0, 1]; None when they cannot pair."""
    if method == "onset":
        diff = abs(ea.start - eb.start)
        return 1 - diff / (tolerance_s + 1) if diff <= tolerance_s else None
    overlap = min(ea.end, eb.end) - max(ea.start, eb.start)
    if overlap > 0:
        return overlap / (max(ea.end, eb.end) - min(ea.start, eb.start))
    if ea.is_point or eb.is_point:
        gap = max(ea.start, eb.start) - min(ea.end, eb.end)
        return 1 - gap / (tolerance_s + 1) if gap <= tolerance_s else None
    return None


def match_events(
    a: list[Event], b: list[Event], method: str = "onset", tolerance_s: float = 2.0
) -> list[Pair]:
    """The best in-order alignment of two raters' events (see the module's docstring)."""
    if method not in METHODS:
        raise ValueError("method is 'onset' or 'overlap'")
    if not math.isfinite(tolerance_s) or tolerance_s < 0:
        raise ValueError(f"the tolerance must be 0 s or more, not {tolerance_s}")
    a = sorted(a, key=lambda e: (e.start, e.end, e.id))
    b = sorted(b, key=lambda e: (e.start, e.end, e.id))
    size = min(len(a), len(b)) + 1
    pair_w, same_w = 2.0 * size, 3.0 * size * size + 3.0 * size  # lexicographic weights
    candidates = []
    b_starts = [e.start for e in b]
    longest = max((max(e.end - e.start, 0.0) for e in b), default=0.0)
    for i, ea in enumerate(a):
        reach = (
            0.0 if method == "onset" else longest
        )  # a B event starting this early may still overlap
        lo = bisect_left(b_starts, ea.start - tolerance_s - reach)
        last = ea.start if method == "onset" else max(ea.end, ea.start)
        for j in range(lo, len(b)):
            eb = b[j]
            if eb.start > last + tolerance_s:
                break
            fit = _closeness(ea, eb, method, tolerance_s)
            if fit is not None:
                candidates.append((i, j, same_w * (ea.category == eb.category) + pair_w + fit))
    chosen = _best_chain(candidates, len(b))
    used_a = {i for i, _ in chosen}
    used_b = {j for _, j in chosen}
    pairs = [Pair(a[i], b[j]) for i, j in chosen]
    pairs += [Pair(e, None) for i, e in enumerate(a) if i not in used_a]
    pairs += [Pair(None, e) for j, e in enumerate(b) if j not in used_b]
    return sorted(pairs, key=lambda p: min(e.start for e in (p.a, p.b) if e is not None))


def _best_chain(candidates: list[tuple[int, int, float]], m: int) -> list[tuple[int, int]]:
    """The heaviest set of pairs increasing in both indices: a longest-path over the candidates
    with a Fenwick tree of prefix maxima (O(P log m))."""
    candidates.sort(key=lambda c: (c[0], -c[1]))
    tree_val = [0.0] * (m + 1)
    tree_at = [-1] * (m + 1)
    best, back = [], []
    for _i, j, weight in candidates:
        k, top, at = j, 0.0, -1  # best chain ending at a column before j
        while k > 0:
            if tree_val[k] > top:
                top, at = tree_val[k], tree_at[k]
            k -= k & -k
        best.append(top + weight)
        back.append(at)
        k = j + 1
        while k <= m:
            if best[-1] > tree_val[k]:
                tree_val[k], tree_at[k] = best[-1], len(best) - 1
            k += k & -k
    if not best:
        return []
    at = int(np.argmax(best))
    chain = []
    while at >= 0:
        chain.append((candidates[at][0], candidates[at][1]))
        at = back[at]
    return chain[::-1]


def events_table(
    pairs: list[Pair], labels: list[str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """The categories x categories table of aligned pairs, "(none)" last."""
    if labels is None:
        labels = sorted({e.category for p in pairs for e in (p.a, p.b) if e is not None}) + [NONE]
    index = {c: i for i, c in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    for p in pairs:
        table[index[p.a.category if p.a else NONE], index[p.b.category if p.b else NONE]] += 1
    return table, labels


def kappa_stat(table: np.ndarray, labels: list[str], name: str, unit: str = "events") -> Stat:
    """Cohen's kappa of a two-rater table, with its SE and CI and the table itself."""
    n = int(table.sum())
    if n == 0:
        return undefined(name, f"there are no {unit}", 0)
    r = kappa_from_table(table, np.eye(len(labels)))
    if r is None:
        return undefined(
            name,
            f"every one of the {unit} falls in the same category, so chance agreement is 1 (0/0)",
            n,
        )
    kappa, se, pa, _pe = r
    ci = (kappa - Z95 * se, min(1.0, kappa + Z95 * se)) if n > 1 else None
    extra = {"confusion_matrix": {"categories": labels, "counts": table.astype(int).tolist()},
             "observed_agreement": round(pa, 6)}  # fmt: skip
    return Stat(name, kappa, ci, se if n > 1 else None, n, band=cicchetti(kappa), extra=extra)


def event_kappa(pairs: list[Pair]) -> Stat:
    table, labels = events_table(pairs)
    stat = kappa_stat(table, labels, "event-based Cohen's kappa (aligned events; unpaired: none)")
    stat.extra["pairs"] = len(pairs)
    stat.extra["agreements"] = sum(p.agree for p in pairs)
    return stat


def tick_labels(events: list[Event], n_ticks: int, tick_s: float) -> list[str]:
    """Each tick's label: the categories of the events covering its midpoint (a point event
    covers the tick its onset falls in), joined with "+"; "(none)" for none."""
    here: list[set[str]] = [set() for _ in range(n_ticks)]
    for e in events:
        if e.is_point:
            first = last = int(e.start // tick_s)
        else:  # ticks whose midpoint (t + 0.5) * tick lies in [start, end)
            first = math.ceil(e.start / tick_s - 0.5)
            last = math.ceil(e.end / tick_s - 0.5) - 1
        for t in range(max(first, 0), min(last, n_ticks - 1) + 1):
            here[t].add(e.category)
    return ["+".join(sorted(s)) if s else NONE for s in here]


def time_table(
    a: list[Event], b: list[Event], tick_s: float = 1.0, end_s: float | None = None,
    tolerance_s: float = 0.0,
) -> tuple[np.ndarray, list[str]]:  # fmt: skip
    if not tick_s > 0:
        raise ValueError(f"the tick must be longer than 0 s, not {tick_s}")
    ends = [max(e.end, e.start) for e in (*a, *b)]
    end = end_s if end_s is not None else (max(ends) if ends else 0.0)
    n_ticks = max(math.ceil(end / tick_s), 0)
    if any(e.is_point and e.start >= n_ticks * tick_s for e in (*a, *b)):
        n_ticks += 1  # a point event at the very end still gets its tick
    la, lb = tick_labels(a, n_ticks, tick_s), tick_labels(b, n_ticks, tick_s)
    w = int(round(tolerance_s / tick_s))
    labels = sorted(set(la) | set(lb), key=lambda s: (s == NONE, s))
    index = {c: i for i, c in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    for t, (x, y) in enumerate(zip(la, lb, strict=True)):  # pragma: no mutate (equal lengths)
        if x != y and w:
            near_b = lb[max(t - w, 0) : t + w + 1]
            near_a = la[max(t - w, 0) : t + w + 1]
            # the tolerance moves a code, not its absence: "(none)" is not matched nearby
            if x != NONE and x in near_b:
                y = x
            elif y != NONE and y in near_a:
                x = y
        table[index[x], index[y]] += 1
    return table, labels


def time_kappa(
    a: list[Event], b: list[Event], tick_s: float = 1.0, end_s: float | None = None,
    tolerance_s: float = 0.0,
) -> Stat:  # fmt: skip
    """Both raters' labels tick by tick from 0 to the end; overlapping events of one rater make a
    combined label ("C1+W2")."""
    table, labels = time_table(a, b, tick_s, end_s, tolerance_s)
    name = f"time-based Cohen's kappa ({tick_s:g} s ticks, tolerance {tolerance_s:g} s)"
    if table.sum() == 0:
        return undefined(name, "there is no coded time", 0)
    stat = kappa_stat(table, labels, name, "ticks")
    stat.extra["ticks"] = int(table.sum())
    return stat


def _merge(tables: list[tuple[np.ndarray, list[str]]]) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Tables of several sessions on one label set: their sum and the per-session stack."""
    labels = sorted({c for _, ls in tables for c in ls}, key=lambda s: (s == NONE, s))
    index = {c: i for i, c in enumerate(labels)}
    stack = np.zeros((len(tables), len(labels), len(labels)))
    for s, (t, ls) in enumerate(tables):
        ix = [index[c] for c in ls]
        stack[s][np.ix_(ix, ix)] = t
    return stack.sum(axis=0), labels, stack


def _bootstrap(stack: np.ndarray, replicates: int, seed: int) -> tuple[float, float] | None:
    """Percentile CI of kappa, resampling whole sessions."""
    s = len(stack)
    if replicates < 1 or s < MIN_CLUSTERS:
        return None
    draws = np.random.default_rng(seed).integers(0, s, size=(replicates, s))
    weights = np.stack([np.bincount(d, minlength=s) for d in draws]).astype(float)
    tables = np.einsum("bs,sij->bij", weights, stack)
    vals = []
    for t in tables:
        r = kappa_from_table(t, np.eye(len(t))) if t.sum() else None
        if r is not None:
            vals.append(r[0])
    if len(vals) < max(20, replicates // 2):
        return None
    lo, hi = np.percentile(vals, [2.5, 97.5])
    return float(lo), float(hi)


def _judged(stat: Stat) -> Stat:
    """The bands the CI spans, beside the point estimate's."""
    if stat.value is not None:
        stat.band_ci = band_range(stat.ci95, cicchetti)
    return stat


def compare_sessions(
    sessions: dict[str, tuple[list[Event], list[Event], float | None]],
    method: str = "onset", tolerance_s: float = 2.0, tick_s: float = 1.0,
    bootstrap: int = 0, seed: int = 1,
) -> dict:  # fmt: skip
    """Event- and time-based kappa of two raters over several sessions (tables pooled), each
    session's own figures and aligned pairs. ``sessions`` maps a session to (rater A's events,
    rater B's events, the session's duration or None)."""
    per_session, ev_tables, tm_tables = [], [], []
    for name, (a, b, duration) in sessions.items():
        pairs = match_events(a, b, method, tolerance_s)
        ev_tables.append(events_table(pairs))
        tm_tables.append(time_table(a, b, tick_s, duration, tolerance_s))
        per_session.append({"session": name, "events_a": len(a), "events_b": len(b),
                            "event_kappa": _judged(event_kappa(pairs)).to_json(),
                            "time_kappa": _judged(time_kappa(a, b, tick_s, duration, tolerance_s)).to_json(),
                            "pairs": [p.to_json() for p in pairs]})  # fmt: skip
    out: dict = {"method": method, "tolerance_s": tolerance_s, "tick_s": tick_s,
                 "n_sessions": len(sessions), "sessions": per_session}  # fmt: skip
    for key, tables, unit, label in (
        ("event_kappa", ev_tables, "events", "event-based Cohen's kappa (aligned events; unpaired: none)"),
        ("time_kappa", tm_tables, "ticks", f"time-based Cohen's kappa ({tick_s:g} s ticks, tolerance {tolerance_s:g} s)"),
    ):  # fmt: skip
        if not tables:
            out[key] = undefined(label, "there are no sessions with events", 0).to_json()
            continue
        total, labels, stack = _merge(tables)
        stat = kappa_stat(total, labels, label, unit)
        if stat.value is not None:
            stat.ci95_bootstrap = _bootstrap(stack, bootstrap, seed)
            stat.band_ci = band_range(stat.ci95_bootstrap or stat.ci95, cicchetti)
        out[key] = stat.to_json()
    if bootstrap:
        out["bootstrap"] = {"replicates": bootstrap, "seed": seed, "resampled": "sessions",
                            "n_clusters": len(sessions), "method": "percentile"}  # fmt: skip
    return out
