"""Chance-corrected agreement coefficients on a RatingMatrix.

Computed by established packages where they exist: Cohen's kappa with its standard error and CI
(statsmodels), Fleiss' kappa generalised to missing ratings and Gwet's AC1/AC2 (irrCAC, after
Gwet 2014), Krippendorff's alpha (krippendorff). Written here only what none offers: percent
agreement over pairs, and the 2 x 2 indices (prevalence, bias, PABAK, maximum kappa).
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings

import numpy as np
import pandas as pd

from rupture_coder.agreement.results import Stat, cicchetti, undefined
from rupture_coder.agreement.tables import RatingMatrix
from rupture_coder.domain import WEIGHTS  # noqa: F401 - re-exported


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


def _one_category(m: RatingMatrix) -> bool:
    observed = m.values[~np.isnan(m.values)]
    return bool(observed.size > 0 and np.all(observed == observed[0]))


def percent_agreement(m: RatingMatrix) -> Stat:
    """Share of agreeing rater pairs within each unit, averaged over units with >= 2 ratings."""
    name = "percent agreement (pairwise, averaged over units)"
    if (few := _too_few(m, name)) is not None:
        return few
    present = ~np.isnan(m.values)
    n = present.sum(axis=1)
    rated = n >= 2
    same = np.zeros(len(n))
    for c in np.unique(
        m.values[present]
    ):  # agreeing ordered pairs: sum over categories of n_c(n_c - 1)
        n_c = (m.values == c).sum(axis=1)
        same += n_c * (n_c - 1)
    shares = same[rated] / (n[rated] * (n[rated] - 1))
    return Stat(name, float(shares.mean()), n_units=int(rated.sum()))


def confusion(m: RatingMatrix) -> tuple[np.ndarray, int]:
    """k x k table of two raters' category indices over the units both rated."""
    both = m.values[~np.isnan(m.values).any(axis=1)]
    keys = range(len(m.categories)) if m.level == "nominal" else m.categories
    index = {float(c): i for i, c in enumerate(keys)}
    table = np.zeros((len(index), len(index)))
    for a, b in both:
        table[index[float(a)], index[float(b)]] += 1
    return table, len(both)


def cohen_kappa(m: RatingMatrix, weights: str = "identity") -> Stat:
    """Cohen's kappa (weighted: linear or quadratic disagreement weights over category order)."""
    label = (
        "Cohen's kappa" if weights == "identity" else f"Cohen's weighted kappa ({weights} weights)"
    )
    if m.n_raters != 2:
        return undefined(
            label, f"Cohen's kappa needs exactly two raters, not {m.n_raters} (see fleiss_kappa)"
        )
    table, n = confusion(m)
    if n == 0:
        return undefined(label, "no unit was rated by both raters", 0)
    if _one_category(m):
        return undefined(
            label, "every rating is the same category, so chance agreement is 1 (0/0)", n
        )
    from statsmodels.stats.inter_rater import cohens_kappa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        r = cohens_kappa(table, wt=None if weights == "identity" else weights)
    if not math.isfinite(r.kappa):
        return undefined(label, "chance agreement is 1 (0/0)", n)
    extra = {
        "confusion_matrix": {
            "categories": [str(c) for c in m.categories],
            "counts": table.astype(int).tolist(),
        }
    }
    extra.update(_table_indices(table))
    se = float(r.std_kappa) if math.isfinite(r.std_kappa) else None
    ci = (float(r.kappa_low), float(r.kappa_upp)) if se is not None else None
    return Stat(label, float(r.kappa), ci, se, n, band=cicchetti(float(r.kappa)), extra=extra)


def _table_indices(table: np.ndarray) -> dict:
    """Maximum kappa for the marginals; for 2 x 2 tables also prevalence, bias and PABAK
    (Byrt, Bishop & Carlin, 1993)."""
    n = table.sum()
    p = table / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    pe = float(rows @ cols)
    po_max = float(np.minimum(rows, cols).sum())
    out: dict = {"observed_agreement": float(np.trace(p)), "chance_agreement": pe}
    out["max_kappa"] = (po_max - pe) / (1 - pe) if pe < 1 else None
    if table.shape == (2, 2):
        a, b, c, d = table[0, 0], table[0, 1], table[1, 0], table[1, 1]
        out["prevalence_index"] = float(abs(a - d) / n)
        out["bias_index"] = float(abs(b - c) / n)
        out["pabak"] = float(2 * (a + d) / n - 1)
    return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in out.items()}


def _irrcac(m: RatingMatrix, weights: str):
    from irrCAC.raw import CAC

    cats = list(range(len(m.categories))) if m.level == "nominal" else list(m.categories)
    frame = pd.DataFrame(m.values)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return CAC(frame, weights=weights, categories=cats)


def _from_irrcac(label: str, est: dict, n: int) -> Stat:
    value = float(est["coefficient_value"])
    lo, hi = est["confidence_interval"]
    se = float(est["se"])
    ci = (float(lo), float(hi)) if math.isfinite(se) else None
    return Stat(label, value, ci, se if math.isfinite(se) else None, n, band=cicchetti(value))


def fleiss_kappa(m: RatingMatrix, weights: str = "identity") -> Stat:
    """Fleiss' kappa, generalised to missing ratings and weights as in Gwet (2014)."""
    label = "Fleiss' kappa (Gwet's generalisation to missing ratings)"
    if weights != "identity":
        label = f"Fleiss' weighted kappa ({weights} weights)"
    if (few := _too_few(m, label, min_units=2)) is not None:
        return few
    if _one_category(m):
        return undefined(
            label, "every rating is the same category, so chance agreement is 1 (0/0)", m.n_units
        )
    est = _irrcac(m, weights).fleiss()["est"]
    return _from_irrcac(label, est, m.n_units)


def gwet_ac(m: RatingMatrix, weights: str = "identity") -> Stat:
    """Gwet's AC1 (AC2 with weights); defined even when one category dominates."""
    label = "Gwet's AC1" if weights == "identity" else f"Gwet's AC2 ({weights} weights)"
    if (few := _too_few(m, label, min_units=2)) is not None:
        return few
    if len(m.categories) < 2:
        return undefined(
            label, "there is only one category, so chance agreement cannot be estimated", m.n_units
        )
    est = _irrcac(m, weights).gwet()["est"]
    return _from_irrcac(label, est, m.n_units)


_ALPHA_WEIGHTS = {"nominal": "identity", "interval": "quadratic", "ratio": "ratio"}


def krippendorff_alpha(m: RatingMatrix) -> Stat:
    """Krippendorff's alpha at the matrix's level, with missing data. The CI comes from Gwet's
    analytic standard error where its weights equal Krippendorff's metric (nominal, interval,
    ratio); there is none for the ordinal metric."""
    import krippendorff

    label = f"Krippendorff's alpha ({m.level})"
    if (few := _too_few(m, label)) is not None:
        return few
    if _one_category(m):
        return undefined(
            label,
            "every rating has the same value, so there is no disagreement to expect (0/0)",
            m.n_units,
        )
    domain = list(range(len(m.categories))) if m.level in ("nominal",) else None
    if m.level == "ordinal":
        domain = list(m.categories)
    value = float(
        krippendorff.alpha(
            reliability_data=m.values.T, level_of_measurement=m.level, value_domain=domain
        )
    )
    stat = Stat(label, value, n_units=m.n_units, band=cicchetti(value))
    weights = _ALPHA_WEIGHTS.get(m.level)
    if weights is None:
        stat.reason = "no analytic standard error for the ordinal metric; no CI"
        return stat
    if m.n_units < 2:
        stat.reason = "a standard error needs two or more units; no CI"
        return stat
    est = _irrcac(m, weights).krippendorff()["est"]
    if abs(float(est["coefficient_value"]) - value) < 1e-4 and math.isfinite(float(est["se"])):
        stat.se = float(est["se"])
        low, high = est["confidence_interval"]
        stat.ci95 = (float(low), float(high))
    return stat
