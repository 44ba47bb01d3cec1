"""Chance-corrected agreement coefficients on a RatingMatrix.

Cohen's kappa and its standard error follow Fleiss, Cohen & Everitt (1969); Fleiss' kappa
generalised to missing ratings, Gwet's AC1/AC2 and their standard errors follow Gwet (2014),
*Handbook of Inter-Rater Reliability*, 4th ed., chapters 2-5 (the formulas of his R package
irrCAC, which the tests compare against). Krippendorff's alpha is computed by ``krippendorff``;
its standard error is Gwet's. Gwet's conventions for missing ratings: observed agreement is
averaged over the units rated at least twice, chance agreement uses every rating, including units
rated once. Weights and chance agreement use every declared category, used or not.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import norm
from scipy.stats import t as t_dist

from rupture_coder.agreement.results import Stat, cicchetti, undefined
from rupture_coder.agreement.tables import RatingMatrix
from rupture_coder.domain import WEIGHTS

Z95 = float(norm.ppf(0.975))


def weight_matrix(m: RatingMatrix, weights: str = "identity") -> np.ndarray:
    """Agreement weights between categories: 1 on the diagonal, 1 - |d| (linear) or 1 - d^2
    (quadratic) off it, d the distance of the category scores over the scale's span."""
    if weights not in WEIGHTS:
        raise ValueError(f"weights must be one of {', '.join(WEIGHTS)}, not {weights!r}")
    q = len(m.categories)
    if weights == "identity":
        return np.eye(q)
    if m.level == "nominal":
        raise ValueError(
            f"{weights} weights need ordered categories, and nominal categories have no order; "
            "use --level ordinal (or interval) if the categories are ordered, or identity weights"
        )
    x = m.scores
    span = float(x.max() - x.min()) if q else 0.0
    if span == 0:
        return np.eye(q)
    d = np.abs(x[:, None] - x[None, :]) / span
    return 1 - d if weights == "linear" else 1 - d**2


def _too_few(m: RatingMatrix, name: str, min_units: int = 1) -> Stat | None:
    if m.n_raters < 2:
        return undefined(name, "there are fewer than two raters")
    if m.n_units == 0:
        return undefined(name, "no unit has ratings from two or more raters", 0)
    if m.n_units < min_units:
        return undefined(
            name,
            f"only {m.n_units} unit has ratings from two or more raters; it needs {min_units}",
            m.n_units,
        )
    return None


def pair_shares(counts: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Per unit, the (weighted) share of agreeing ordered rater pairs; 0 for units rated once."""
    ri = counts.sum(axis=1)
    weighted = np.einsum(
        "ij,kj->ik", counts, w
    )  # r*_ik = sum_l w_kl r_il (einsum: no BLAS threads)
    sum_q = np.einsum("ij,ij->i", counts, weighted) - ri  # sum_k r_ik (r*_ik - 1)
    den = ri * (ri - 1)
    return np.divide(
        sum_q, den, out=np.zeros_like(sum_q), where=ri > 1
    )  # units rated twice or more


def percent_agreement(m: RatingMatrix) -> Stat:
    """Share of agreeing rater pairs within each unit, averaged over units with >= 2 ratings."""
    name = "percent agreement (pairwise, averaged over units)"
    if (few := _too_few(m, name)) is not None:
        return few
    two = m.ratings_per_unit >= 2
    shares = pair_shares(m.counts, np.eye(len(m.categories)))
    return Stat(name, float(shares[two].mean()), n_units=int(two.sum()))


# -- Cohen's kappa -------------------------------------------------------------------------------
def confusion(m: RatingMatrix) -> tuple[np.ndarray, int]:
    """q x q table of two raters' categories (rows: the first rater) over the units both rated."""
    both = m.positions[~np.isnan(m.positions).any(axis=1)].astype(np.int64)
    q = len(m.categories)
    table = np.bincount(both[:, 0] * q + both[:, 1], minlength=q * q).reshape(q, q)
    return table.astype(float), len(both)


def kappa_from_table(table: np.ndarray, w: np.ndarray) -> tuple[float, float, float, float] | None:
    """Cohen's (weighted) kappa of a two-rater table with Fleiss, Cohen & Everitt's (1969)
    large-sample standard error: (kappa, se, observed, chance); None when chance agreement is 1."""
    n = table.sum()
    p = table / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    pa = float((w * p).sum())
    pe = float((w * np.outer(rows, cols)).sum())
    if pe >= 1 - 1e-12:
        return None
    kappa = (pa - pe) / (1 - pe)
    w_row = w @ cols  # mean weight of row category i against the second rater's marginals
    w_col = rows @ w
    spread = (p * (w - (w_row[:, None] + w_col[None, :]) * (1 - kappa)) ** 2).sum()
    var = (spread - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
    return kappa, math.sqrt(max(var, 0.0)), pa, pe


def cohen_kappa(m: RatingMatrix, weights: str = "identity") -> Stat:
    """Cohen's kappa (weighted: linear or quadratic agreement weights over the category scores),
    on the units both raters rated."""
    label = (
        "Cohen's kappa" if weights == "identity" else f"Cohen's weighted kappa ({weights} weights)"
    )
    w = weight_matrix(m, weights)
    if m.n_raters != 2:
        return undefined(
            label, f"Cohen's kappa needs exactly two raters, not {m.n_raters} (see fleiss_kappa)"
        )
    table, n = confusion(m)
    if n == 0:
        return undefined(label, "no unit was rated by both raters", 0)
    r = kappa_from_table(table, w)
    if r is None:
        return undefined(
            label, "every rating is the same category, so chance agreement is 1 (0/0)", n
        )
    kappa, se, pa, pe = r
    extra = {
        "confusion_matrix": {
            "categories": [str(c) for c in m.categories],
            "counts": table.astype(int).tolist(),
        }
    }
    extra.update(table_indices(table, pa, pe, weighted=weights != "identity"))
    ci = (kappa - Z95 * se, min(1.0, kappa + Z95 * se)) if n > 1 else None
    return Stat(label, kappa, ci, se if n > 1 else None, n, band=cicchetti(kappa), extra=extra)


def table_indices(table: np.ndarray, pa: float, pe: float, weighted: bool = False) -> dict:
    """Observed and chance agreement; for unweighted kappa the maximum kappa the marginals allow,
    and for 2 x 2 tables the prevalence and bias indices and PABAK (Byrt, Bishop & Carlin, 1993)."""
    n = table.sum()
    out: dict = {"observed_agreement": pa, "chance_agreement": pe}
    if not weighted:
        p = table / n
        rows, cols = p.sum(axis=1), p.sum(axis=0)
        out["max_kappa"] = (float(np.minimum(rows, cols).sum()) - pe) / (1 - pe)
    if table.shape == (2, 2):
        a, b, c, d = table[0, 0], table[0, 1], table[1, 0], table[1, 1]
        out["prevalence_index"] = float(abs(a - d) / n)
        out["bias_index"] = float(abs(b - c) / n)
        out["pabak"] = float(2 * (a + d) / n - 1)
    return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in out.items()}


# -- Fleiss' kappa and Gwet's AC, generalised to missing ratings ----------------------------------
def gwet_estimate(counts: np.ndarray, w: np.ndarray, chance: str) -> dict | None:
    """Gwet's (2014) estimator of a chance-corrected coefficient with its linearised variance.

    ``counts`` are the r_ik of the units rated at least once; ``chance`` is "fleiss" (pe from the
    squared category shares) or "gwet" (AC1/AC2: pe from the shares' spread). None when chance
    agreement is 1."""
    ri = counts.sum(axis=1)
    n = len(ri)
    two = ri >= 2
    n2 = int(two.sum())
    pa_i = pair_shares(counts, w)
    pa = float(pa_i[two].sum() / n2)
    shares = counts / ri[:, None]
    pi = shares.sum(axis=0) / n
    if chance == "fleiss":
        pe = float(pi @ w @ pi)
        pe_i = shares @ ((w @ pi + w.T @ pi) / 2)
    else:
        q = len(pi)
        scale = float(w.sum()) / (q * (q - 1))
        pe = scale * float((pi * (1 - pi)).sum())
        pe_i = scale * (shares @ (1 - pi))
    if pe >= 1 - 1e-12:
        return None
    value = (pa - pe) / (1 - pe)
    per_unit = (n / n2) * (pa_i - pe * two) / (1 - pe)
    per_unit -= 2 * (1 - value) * (pe_i - pe) / (1 - pe)
    se = math.sqrt(((per_unit - value) ** 2).sum() / (n * (n - 1))) if n > 1 else None
    return {"value": value, "se": se, "pa": pa, "pe": pe, "n": n, "n2": n2}


def gwet_stat(label: str, est: dict) -> Stat:
    value, se, n = est["value"], est["se"], est["n"]
    ci = None
    if se is not None:
        half = float(t_dist.ppf(0.975, n - 1)) * se
        ci = (value - half, min(1.0, value + half))
    extra = {"observed_agreement": round(est["pa"], 6), "chance_agreement": round(est["pe"], 6),
             "n_units_chance": n}  # fmt: skip
    return Stat(label, value, ci, se, est["n2"], band=cicchetti(value), extra=extra)


def fleiss_kappa(m: RatingMatrix, weights: str = "identity") -> Stat:
    """Fleiss' kappa, generalised to missing ratings and weights as in Gwet (2014)."""
    label = "Fleiss' kappa (Gwet's generalisation to missing ratings)"
    if weights != "identity":
        label = f"Fleiss' weighted kappa ({weights} weights)"
    w = weight_matrix(m, weights)
    if (few := _too_few(m, label, min_units=2)) is not None:
        return few
    est = gwet_estimate(m.counts[m.ratings_per_unit >= 1], w, "fleiss")
    if est is None:
        return undefined(
            label, "every rating is the same category, so chance agreement is 1 (0/0)", m.n_units
        )
    return gwet_stat(label, est)


def gwet_ac(m: RatingMatrix, weights: str = "identity") -> Stat:
    """Gwet's AC1 (AC2 with weights); defined even when one category dominates, and 1 when
    every rating falls in one of two or more declared categories."""
    label = "Gwet's AC1" if weights == "identity" else f"Gwet's AC2 ({weights} weights)"
    w = weight_matrix(m, weights)
    if (few := _too_few(m, label, min_units=2)) is not None:
        return few
    if len(m.categories) < 2:
        return undefined(
            label,
            "there is only one category, so chance agreement cannot be estimated "
            "(declare the scale's categories)",
            m.n_units,
        )
    est = gwet_estimate(m.counts[m.ratings_per_unit >= 1], w, "gwet")
    if est is None:  # only with every weight 1, which no offered weighting gives
        return undefined(label, "chance agreement is 1 (0/0)", m.n_units)
    return gwet_stat(label, est)


# -- Krippendorff's alpha -------------------------------------------------------------------------
def alpha_weights(m: RatingMatrix) -> np.ndarray | None:
    """Agreement weights equal to Krippendorff's metric (nominal, interval, ratio), scaled to
    [0, 1]; None for the ordinal metric, which depends on the marginals."""
    x = m.scores
    if m.level == "nominal":
        return np.eye(len(x))
    if m.level == "ordinal":
        return None
    if m.level == "interval":
        d = (x[:, None] - x[None, :]) ** 2
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            total = x[:, None] + x[None, :]
            d = np.where(total == 0, 0.0, ((x[:, None] - x[None, :]) / total) ** 2)
    top = d.max()
    return 1 - d / top if top > 0 else np.eye(len(x))


def alpha_se(counts: np.ndarray, w: np.ndarray) -> float | None:
    """Gwet's (2014, ch. 3) linearised standard error of alpha over the units rated at least
    twice (alpha itself comes from ``krippendorff``; the tests check the two agree)."""
    ri = counts.sum(axis=1)
    counts, ri = counts[ri >= 2], ri[ri >= 2]
    n = len(ri)
    if n < 2:
        return None
    r_bar = ri.mean()
    eps = 1 / ri.sum()
    sum_q = (counts * (counts @ w.T - 1)).sum(axis=1)
    pa_prime = float((sum_q / (r_bar * (ri - 1))).sum() / n)
    pa = (1 - eps) * pa_prime + eps
    pi = counts.sum(axis=0) / (n * r_bar)
    pe = float(pi @ w @ pi)
    if pe >= 1 - 1e-12:
        return None
    alpha_prime = (pa_prime - pe) / (1 - pe)
    pa_i = sum_q / (r_bar * (ri - 1)) - pa * (ri - r_bar) / r_bar
    per_unit = (pa_i - pe) / (1 - pe)
    pe_i = counts @ ((w @ pi + w.T @ pi) / 2) / r_bar - pe * (ri - r_bar) / r_bar
    per_unit -= 2 * (1 - alpha_prime) * (pe_i - pe) / (1 - pe)
    var = ((per_unit - alpha_prime) ** 2).sum() / (n * (n - 1))
    return math.sqrt(var)


def krippendorff_alpha(m: RatingMatrix) -> Stat:
    """Krippendorff's alpha at the matrix's level, with missing data. The analytic CI is Gwet's
    (2014) where his weights equal Krippendorff's metric (nominal, interval, ratio); the ordinal
    metric has none (the bootstrap gives one)."""
    import krippendorff

    label = f"Krippendorff's alpha ({m.level})"
    if (few := _too_few(m, label)) is not None:
        return few
    pairable = m.counts[m.ratings_per_unit >= 2]
    if (pairable.sum(axis=0) > 0).sum() < 2:
        return undefined(
            label,
            "every rating has the same value, so there is no disagreement to expect (0/0)",
            m.n_units,
        )
    domain = list(range(len(m.categories)))
    data = m.positions if m.level in ("nominal", "ordinal") else m.values
    if m.level not in ("nominal", "ordinal"):
        domain = [float(c) for c in m.categories]
    value = float(
        krippendorff.alpha(
            reliability_data=data.T, level_of_measurement=m.level, value_domain=domain
        )
    )
    stat = Stat(label, value, n_units=m.n_units, band=cicchetti(value))
    w = alpha_weights(m)
    if w is None:
        stat.reason = "no analytic standard error for the ordinal metric; see the bootstrap CI"
        return stat
    se = alpha_se(m.counts, w)
    if se is None:
        stat.reason = "a standard error needs two or more units; no analytic CI"
        return stat
    n = m.n_units
    stat.se = se
    half = float(t_dist.ppf(0.975, n - 1)) * stat.se
    stat.ci95 = (value - half, min(1.0, value + half))
    return stat
