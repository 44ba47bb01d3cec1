"""Intraclass correlations: the six Shrout & Fleiss (1979) forms with F-based 95% CIs.

The two-way forms (ICC(2,.), ICC(3,.)) come from the two-way ANOVA of the units rated by every
rater (raters crossed with units). The one-way forms (ICC(1,1), ICC(1,k)) come from the one-way
ANOVA of every unit rated at least twice, so they also serve designs where raters rotate over
units (each session coded by 2 of N coders) and unbalanced ones, where k is Searle's (1971) k0,
the effective number of ratings per unit; with unequal k the CI is the usual approximation. The CI
formulas are those of Shrout & Fleiss (1979) and McGraw & Wong (1996), as in R's psych::ICC.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import f as f_dist

from rupture_coder.agreement.results import Stat, koo_li, undefined
from rupture_coder.agreement.tables import RatingMatrix

FORMS = {
    "ICC(1,1)": "one-way random effects, absolute agreement, single rater [McGraw & Wong: ICC(1)]",
    "ICC(2,1)": "two-way random effects, absolute agreement, single rater [McGraw & Wong: ICC(A,1)]",
    "ICC(3,1)": "two-way mixed effects, consistency, single rater [McGraw & Wong: ICC(C,1)]",
    "ICC(1,k)": "one-way random effects, absolute agreement, mean of k raters [McGraw & Wong: ICC(k)]",
    "ICC(2,k)": "two-way random effects, absolute agreement, mean of k raters [McGraw & Wong: ICC(A,k)]",
    "ICC(3,k)": "two-way mixed effects, consistency, mean of k raters [McGraw & Wong: ICC(C,k)]",
}
ONE_WAY = ("ICC(1,1)", "ICC(1,k)")
TWO_WAY = ("ICC(2,1)", "ICC(3,1)", "ICC(2,k)", "ICC(3,k)")


def icc_design(m: RatingMatrix) -> dict:
    """Which rating design the matrix has, and which ICC forms it supports on how many units."""
    present = ~np.isnan(m.values)
    per_unit = present.sum(axis=1)
    n_one = int((per_unit >= 2).sum())
    n_two = int(present.all(axis=1).sum()) if m.n_raters >= 2 else 0
    sizes = sorted({int(k) for k in per_unit[per_unit >= 2]})
    if n_two >= 2 and n_two == n_one:
        design = f"fully crossed: every unit rated by all {m.n_raters} raters"
        forms = list(FORMS)
    elif n_two >= 2:
        design = (f"crossed with missing ratings: the two-way forms use the {n_two} units rated by all "
                  f"{m.n_raters} raters, the one-way forms all {n_one} units rated at least twice")  # fmt: skip
        forms = list(FORMS)
    else:
        design = ("raters rotate over units (no two units rated by every rater): only the one-way "
                  "forms ICC(1,1) and ICC(1,k) apply")  # fmt: skip
        forms = list(ONE_WAY) if n_one >= 2 else []
    return {"design": design, "supported_forms": forms, "n_units_two_way": n_two,
            "n_units_one_way": n_one, "ratings_per_unit": sizes, "balanced": len(sizes) <= 1}  # fmt: skip


def _none(forms, why: str, n: int) -> dict[str, Stat]:
    return {form: undefined(f"{form} {FORMS[form]}", why, n) for form in forms}


def icc_all(m: RatingMatrix, alpha: float = 0.05) -> dict[str, Stat]:
    """All six forms in Shrout & Fleiss order; a form the design cannot support is null with the
    reason. Each statistic reports the units it used."""
    out = {**one_way(m, alpha), **two_way(m, alpha)}
    return {form: out[form] for form in FORMS}


def one_way(m: RatingMatrix, alpha: float = 0.05) -> dict[str, Stat]:
    """ICC(1,1) and ICC(1,k) from the one-way ANOVA of the units rated at least twice."""
    present = ~np.isnan(m.values)
    k_i = present.sum(axis=1)
    rows = k_i >= 2
    n = int(rows.sum())
    if m.n_raters < 2:
        return _none(ONE_WAY, "there are fewer than two raters", n)
    if n < 2:
        return _none(ONE_WAY, "fewer than two units have two or more ratings", n)
    y = np.where(present[rows], m.values[rows], 0.0)
    k_i = k_i[rows].astype(float)
    total_n = k_i.sum()
    sums = y.sum(axis=1)
    grand = sums.sum() / total_n
    ss_between = float((k_i * (sums / k_i - grand) ** 2).sum())
    ss_within = float((((y - (sums / k_i)[:, None]) ** 2) * present[rows]).sum())
    if ss_between + ss_within == 0:
        return _none(ONE_WAY, "every rating is the same (no variance between or within units)", n)
    df1, df2 = n - 1, total_n - n
    msb, msw = ss_between / df1, ss_within / df2
    k0 = float((total_n - (k_i**2).sum() / total_n) / (n - 1))
    values = {"ICC(1,1)": (msb - msw) / (msb + (k0 - 1) * msw),
              "ICC(1,k)": (msb - msw) / msb if msb else float("nan")}  # fmt: skip
    q = 1 - alpha / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        f = msb / msw
        fl, fu = f / f_dist.ppf(q, df1, df2), f * f_dist.ppf(q, df2, df1)
        cis = {"ICC(1,1)": ((fl - 1) / (fl + k0 - 1), (fu - 1) / (fu + k0 - 1)),
               "ICC(1,k)": (1 - 1 / fl, 1 - 1 / fu)}  # fmt: skip
    extra = {"f": f, "df1": df1, "df2": int(df2), "k": round(k0, 6), "ms_between": msb,
             "ms_within": msw}  # fmt: skip
    return _stats(values, cis, n, extra, "the between-unit mean square is 0 (0/0)")


def two_way(m: RatingMatrix, alpha: float = 0.05) -> dict[str, Stat]:
    """ICC(2,.) and ICC(3,.) from the two-way ANOVA of the units every rater rated."""
    complete = m.values[~np.isnan(m.values).any(axis=1)]
    n, k = complete.shape if complete.size else (0, m.n_raters)
    if k < 2:
        return _none(TWO_WAY, "there are fewer than two raters", n)
    if n < 2:
        why = f"fewer than two units were rated by all {k} raters (the two-way ICC needs raters crossed with units"
        if m.n_units >= 2:
            why += "; with rotating raters use the one-way ICC(1,1) or ICC(1,k)"
        return _none(TWO_WAY, why + ")", n)
    grand = complete.mean()
    ss_total = ((complete - grand) ** 2).sum()
    if ss_total == 0:
        return _none(TWO_WAY, "every rating is the same (no variance between or within units)", n)
    ss_rows = k * ((complete.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((complete.mean(axis=0) - grand) ** 2).sum()
    df2 = (n - 1) * (k - 1)
    msr, msc = ss_rows / (n - 1), ss_cols / (k - 1)
    mse = (ss_total - ss_rows - ss_cols) / df2
    with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 (raters differ, units not): null
        values = {
            "ICC(2,1)": (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n),
            "ICC(3,1)": (msr - mse) / (msr + (k - 1) * mse),
            "ICC(2,k)": (msr - mse) / (msr + (msc - mse) / n),
            "ICC(3,k)": (msr - mse) / msr if msr else float("nan"),
        }
    q = 1 - alpha / 2
    cis: dict[str, tuple[float, float]] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        f3 = msr / mse
        f3l, f3u = f3 / f_dist.ppf(q, n - 1, df2), f3 * f_dist.ppf(q, df2, n - 1)
        cis["ICC(3,1)"] = ((f3l - 1) / (f3l + k - 1), (f3u - 1) / (f3u + k - 1))
        cis["ICC(3,k)"] = (1 - 1 / f3l, 1 - 1 / f3u)
        icc2, fj = values["ICC(2,1)"], msc / mse
        vn = df2 * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
        vd = (n - 1) * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
        v = vn / vd
        f2u, f2l = f_dist.ppf(q, n - 1, v), f_dist.ppf(q, v, n - 1)
        lo = n * (msr - f2u * mse) / (f2u * (k * msc + (k * n - k - n) * mse) + n * msr)
        hi = n * (f2l * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f2l * msr)
        cis["ICC(2,1)"] = (lo, hi)
        cis["ICC(2,k)"] = (lo * k / (1 + lo * (k - 1)), hi * k / (1 + hi * (k - 1)))
    extra = {"f": f3, "df1": n - 1, "df2": df2, "k": k, "ms_rows": msr, "ms_columns": msc,
             "ms_error": mse}  # fmt: skip
    dropped = m.values.shape[0] - n
    if dropped:
        extra["units_dropped_incomplete"] = dropped
    return _stats(values, cis, n, extra, "the between-unit mean square is 0 (0/0)")


def _stats(values: dict, cis: dict, n: int, extra: dict, why: str) -> dict[str, Stat]:
    out = {}
    for form, value in values.items():
        if not np.isfinite(value):
            out[form] = undefined(f"{form} {FORMS[form]}", why, n)
            continue
        ci = cis[form]
        ci = (float(ci[0]), float(ci[1])) if all(np.isfinite(ci)) else None
        shown = {
            key: (round(float(v), 6) if isinstance(v, float) else v) for key, v in extra.items()
        }
        out[form] = Stat(f"{form} {FORMS[form]}", float(value), ci, None, n, band=koo_li(float(value)),
                         extra=shown)  # fmt: skip
    return out
