"""What methodologists report beside the omnibus coefficients.

- Specific agreement per category (positive and negative agreement for a presence code):
  agreeing rater pairs that involve the category over all pairs that do (Uebersax, 1982;
  Cicchetti & Feinstein, 1990): for two raters PA = 2a / (2a + b + c), NA = 2d / (2d + b + c).
  Rare codes can show 95% overall agreement and poor positive agreement.
- Within-one-point agreement for rating scales: the share of rater pairs at most one scale point
  apart, averaged over units rated at least twice.
- Kappa per category (Fleiss, 1971): Fleiss' kappa of "this category or another", generalised to
  missing ratings as Fleiss' kappa is.
- Agreement on N/A itself: before the reliability of a rating, whether raters agree that there
  was something to rate (a rupture to resolve).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from rupture_coder.agreement import bootstrap as bs
from rupture_coder.agreement.coefficients import (
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    gwet_estimate,
    gwet_stat,
    percent_agreement,
)
from rupture_coder.agreement.results import Stat, undefined
from rupture_coder.agreement.tables import RatingMatrix

Factory = Callable[[], bs.Estimator]  # built only when a bootstrap is asked for
POSITIVE = ("1", "1.0", "yes", "y", "true", "present", "x")


def specific_agreement(m: RatingMatrix) -> dict[str, tuple[Stat, Factory]]:
    """Specific agreement for every category, keyed by the category's label."""
    out: dict[str, tuple[Stat, Factory]] = {}
    two = m.ratings_per_unit >= 2
    for k, cat in enumerate(m.categories):
        est = bs.specific(m.counts, k)
        name = f"specific agreement on {cat}"
        used = int((two & (m.counts[:, k] > 0)).sum())
        value = bs.point(est, m)
        if not np.isfinite(value):
            stat = undefined(name, f"no unit rated at least twice has a rating of {cat}", used)
        else:
            stat = Stat(name, value, n_units=used)
        out[str(cat)] = (stat, partial(_same, est))
    return out


def _same(est: bs.Estimator) -> bs.Estimator:
    return est


def positive_category(m: RatingMatrix, positive: str | None = None) -> int | None:
    """Which of two categories means "present": ``positive`` if given, else 1/yes/true/present."""
    if len(m.categories) != 2:
        return None
    labels = [str(c).strip().lower() for c in m.categories]
    wanted = [str(positive).strip().lower()] if positive is not None else list(POSITIVE)
    hits = [i for i, label in enumerate(labels) if label in wanted]
    if positive is not None and not hits:
        raise ValueError(f"--positive {positive!r} is not one of the categories {m.categories}")
    return hits[0] if hits else None


def within_one(m: RatingMatrix) -> tuple[Stat, Factory] | None:
    """Share of rater pairs at most one scale point apart; for scales of three or more points."""
    if m.level == "nominal" or len(m.categories) < 3:
        return None
    pos = np.arange(len(m.categories))
    w = (np.abs(pos[:, None] - pos[None, :]) <= 1).astype(float)
    est = bs.pair_agreement(m.counts, w)
    name = "agreement within one scale point (pairwise, averaged over units)"
    if m.n_units == 0:
        return undefined(name, "no unit has ratings from two or more raters", 0), lambda: est
    return Stat(name, bs.point(est, m), n_units=m.n_units), lambda: est


def kappa_per_category(m: RatingMatrix) -> dict[str, tuple[Stat, Factory]]:
    """Fleiss' kappa of each category against the others, for items of three or more categories."""
    if len(m.categories) < 3:
        return {}
    rated = m.ratings_per_unit >= 1
    out: dict[str, tuple[Stat, Factory]] = {}
    for k, cat in enumerate(m.categories):
        counts = np.c_[m.counts[:, k], m.counts.sum(axis=1) - m.counts[:, k]]
        name = f"kappa for {cat} (vs. the other categories)"
        est = partial(bs.chance_corrected, counts, np.eye(2), "fleiss")
        r = gwet_estimate(counts[rated], np.eye(2), "fleiss") if m.n_units >= 2 else None
        if r is None:
            why = (f"no rater used {cat}" if m.counts[:, k].sum() == 0 else
                   f"every rating is {cat}") if m.n_units >= 2 else "fewer than two units were rated twice"  # fmt: skip
            out[str(cat)] = (undefined(name, why, m.n_units), est)
            continue
        stat = gwet_stat(name, r)
        stat.extra = {}
        out[str(cat)] = (stat, est)
    return out


def na_matrix(m: RatingMatrix) -> RatingMatrix | None:
    """The N/A judgement as a two-category matrix: "rated" (a value given) or "N/A"."""
    if m.na is None:
        return None
    values = np.where(m.na, 1.0, np.where(np.isnan(m.values), np.nan, 0.0))
    return RatingMatrix(values, m.units, m.raters, ["rated", "N/A"], "nominal", m.clusters,
                        None, True)  # fmt: skip


def na_agreement(m: RatingMatrix) -> dict[str, tuple[Stat, Factory]] | None:
    """Agreement on whether there was something to rate."""
    b = na_matrix(m)
    if b is None:
        return None
    w = np.eye(2)
    kappa = cohen_kappa(b) if b.n_raters == 2 else fleiss_kappa(b)
    kappa_est: Factory = (partial(bs.cohen, b, w) if b.n_raters == 2
                          else partial(bs.chance_corrected, b.counts, w, "fleiss"))  # fmt: skip
    out: dict[str, tuple[Stat, Factory]] = {
        "percent_agreement": (percent_agreement(b), partial(bs.pair_agreement, b.counts, w)),
        "kappa": (kappa, kappa_est),
        "gwet_ac1": (gwet_ac(b), partial(bs.chance_corrected, b.counts, w, "gwet")),
    }
    for label, pair in specific_agreement(b).items():
        out[f"specific_agreement_{'na' if label == 'N/A' else 'rated'}"] = pair
    return out
