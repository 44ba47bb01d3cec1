"""Every statistic that applies to a rating matrix, as one JSON-ready object."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from rupture_coder.agreement import bootstrap as bs
from rupture_coder.agreement.coefficients import (
    WEIGHTS,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    percent_agreement,
    weight_matrix,
)
from rupture_coder.agreement.icc import FORMS, icc_all, icc_design
from rupture_coder.agreement.results import Stat, band_range, cicchetti, koo_li
from rupture_coder.agreement.specific import (
    Factory,
    kappa_per_category,
    na_agreement,
    positive_category,
    specific_agreement,
    within_one,
)
from rupture_coder.agreement.tables import RatingMatrix

STAT_KEYS = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1")


def analyze(
    m: RatingMatrix,
    weights: str | None = None,
    bootstrap: int = 0,
    seed: int = 1,
    positive: str | None = None,
) -> dict[str, Any]:
    """Percent agreement, Cohen's kappa (two raters), Fleiss' kappa, Krippendorff's alpha,
    Gwet's AC1/AC2, specific agreement per category, and where they apply within-one-point
    agreement, kappa per category, agreement on N/A and (interval, ratio) the ICCs with the design
    they rest on.

    ``weights`` (identity, linear, quadratic) applies to the kappas and AC; by default identity
    for nominal data and quadratic otherwise; weights on nominal data are refused. Each statistic
    reports the units it used. With ``bootstrap`` > 0, every coefficient also gets a percentile CI
    from that many seeded resamples of the matrix's clusters (sessions; units without clusters),
    and its bands are judged on that CI (``band_ci``).
    """
    if weights is None:
        weights = "identity" if m.level == "nominal" else "quadratic"
    if weights not in WEIGHTS:
        raise ValueError(f"weights must be one of {', '.join(WEIGHTS)}, not {weights!r}")
    w = weight_matrix(m, weights)
    plan: list[tuple[Stat, Factory | None, Any]] = []  # (stat, its estimator's factory, bands)

    def add(stat: Stat, est: Factory | None, bands=cicchetti) -> Stat:
        plan.append((stat, est, bands))
        return stat

    q = len(m.categories)
    stats: dict[str, Any] = {
        "percent_agreement": add(percent_agreement(m), partial(bs.pair_agreement, m.counts, np.eye(q)), None),
        "cohen_kappa": add(cohen_kappa(m, weights), partial(bs.cohen, m, w) if m.n_raters == 2 else None),
        "fleiss_kappa": add(fleiss_kappa(m, weights), partial(bs.chance_corrected, m.counts, w, "fleiss")),
        "krippendorff_alpha": add(krippendorff_alpha(m), partial(bs.krippendorff, m)),
        "gwet_ac1": add(gwet_ac(m, weights), partial(bs.chance_corrected, m.counts, w, "gwet")),
    }  # fmt: skip
    if (one := within_one(m)) is not None:
        stats["within_one_point"] = add(*one, None)
    specific = specific_agreement(m)
    stats["specific_agreement"] = {k: add(s, e, None) for k, (s, e) in specific.items()}
    pos = positive_category(m, positive)
    if pos is not None:
        stats["positive_agreement"] = specific[str(m.categories[pos])][0]
        stats["negative_agreement"] = specific[str(m.categories[1 - pos])][0]
    per_cat = kappa_per_category(m)
    if per_cat:
        stats["kappa_per_category"] = {k: add(s, e) for k, (s, e) in per_cat.items()}
    na = na_agreement(m)
    if na is not None:
        stats["na_agreement"] = {k: add(s, e, None if "agreement" in k else cicchetti)
                                 for k, (s, e) in na.items()}  # fmt: skip
    design = None
    if m.level in ("interval", "ratio"):
        design = icc_design(m)
        ests = _lazy_icc(m)
        stats["icc"] = {form: add(s, ests[form], koo_li) for form, s in icc_all(m).items()}
        stats["icc_design"] = design
    out: dict[str, Any] = {
        "n_units": m.n_units,
        "n_units_rated": m.n_rated,
        "n_raters": m.n_raters,
        "raters": [str(r) for r in m.raters],
        "level": m.level,
        "weights": weights,
        "categories": [str(c) for c in m.categories],
        "categories_declared": m.declared,
        "units_with_fewer_than_two_ratings": m.n_rated - m.n_units,
        "ratings_per_unit": _spread(m),
    }
    if m.clusters is not None:  # the sessions with a unit rated at least twice, and all of them
        cluster, labels = m.cluster_index()
        out["n_clusters"] = len(set(cluster[m.ratings_per_unit >= 2].tolist()))
        out["n_clusters_rated"] = len(labels)
    if bootstrap:
        r = bs.Resampler(m, bootstrap, seed)
        out["bootstrap"] = r.describe("sessions" if m.clusters is not None else "units")
        wanted = [(stat, factory) for stat, factory, _b in plan if factory is not None and stat.value is not None]  # fmt: skip
        found = r.intervals([factory() for _stat, factory in wanted])
        for (stat, _factory), (ci, valid) in zip(wanted, found, strict=True):
            stat.ci95_bootstrap = ci
            if ci is not None and valid < r.replicates:
                stat.extra["bootstrap_defined"] = valid
    for stat, _est, bands in plan:
        if bands is not None and stat.value is not None:
            stat.band_ci = band_range(stat.ci95_bootstrap or stat.ci95, bands)
    out.update(_to_json(stats))
    out["primary"] = primary(out, design)
    return out


def _lazy_icc(m: RatingMatrix) -> dict[str, Factory]:
    """The six ICC estimators, built once and only if a bootstrap asks for one."""
    cache: dict[str, bs.Estimator] = {}

    def get(form: str) -> bs.Estimator:
        if not cache:
            cache.update({**bs.icc_one_way(m), **bs.icc_two_way(m)})
        return cache[form]

    return {form: partial(get, form) for form in FORMS}


def _spread(m: RatingMatrix) -> list[int]:
    """The fewest and most ratings a unit rated at least twice has."""
    per = m.ratings_per_unit[m.ratings_per_unit >= 2]
    return [int(per.min()), int(per.max())] if len(per) else []


def _to_json(x: Any) -> Any:
    if isinstance(x, Stat):
        return x.to_json()
    if isinstance(x, dict):
        return {k: _to_json(v) for k, v in x.items()}
    return x


def primary(result: dict, design: dict | None = None) -> str:
    """The statistic to report first, as a key path: the ICC a design supports for ratings
    (ICC(2,1) when raters are crossed with units, ICC(1,1) when they rotate), Cohen's kappa for
    two raters (on the units both rated), otherwise Krippendorff's alpha (any number of raters,
    missing data)."""
    if design is not None:
        crossed = "ICC(2,1)" in design["supported_forms"]
        return "icc/ICC(2,1)" if crossed else "icc/ICC(1,1)"
    if result["n_raters"] == 2 and result["cohen_kappa"]["value"] is not None:
        return "cohen_kappa"
    return "krippendorff_alpha"
