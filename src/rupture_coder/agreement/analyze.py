"""Every statistic that applies to a rating matrix, as one JSON-ready object."""

from __future__ import annotations

from typing import Any

from rupture_coder.agreement.coefficients import (
    WEIGHTS,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    percent_agreement,
)
from rupture_coder.agreement.icc import icc_all
from rupture_coder.agreement.tables import RatingMatrix


def analyze(m: RatingMatrix, weights: str | None = None) -> dict[str, Any]:
    """Percent agreement, Cohen's kappa (two raters), Fleiss' kappa, Krippendorff's alpha,
    Gwet's AC1/AC2 and, at the interval and ratio levels, the six ICCs.

    ``weights`` (identity, linear, quadratic) applies to the kappas and AC; by default identity
    for nominal data and quadratic for ordinal, interval and ratio data. Units rated by fewer than
    two raters are left out of every statistic, so all are computed on the same units.
    """
    dropped = m.values.shape[0] - m.n_units
    m = m.pairable()
    if weights is None:
        weights = "identity" if m.level == "nominal" else "quadratic"
    if weights not in WEIGHTS:
        raise ValueError(f"weights must be one of {', '.join(WEIGHTS)}, not {weights!r}")
    out: dict[str, Any] = {
        "n_units": m.n_units,
        "n_raters": m.n_raters,
        "raters": [str(r) for r in m.raters],
        "level": m.level,
        "weights": weights,
        "categories": [str(c) for c in m.categories],
        "units_with_fewer_than_two_ratings": dropped,
        "percent_agreement": percent_agreement(m).to_json(),
        "cohen_kappa": cohen_kappa(m, weights).to_json(),
        "fleiss_kappa": fleiss_kappa(m, weights).to_json(),
        "krippendorff_alpha": krippendorff_alpha(m).to_json(),
        "gwet_ac1": gwet_ac(m, weights).to_json(),
    }
    if m.level in ("interval", "ratio"):
        out["icc"] = {form: stat.to_json() for form, stat in icc_all(m).items()}
    return out
