"""Intraclass correlations: the six Shrout & Fleiss (1979) forms with F-based 95% CIs.

From the two-way ANOVA of the units x raters table (complete cases). The CI formulas are those of
Shrout & Fleiss (1979) and McGraw & Wong (1996), as in R's psych::ICC; tests compare every value
and bound with pingouin.
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


def icc_all(m: RatingMatrix, alpha: float = 0.05) -> dict[str, Stat]:
    complete = m.values[~np.isnan(m.values).any(axis=1)]
    n, k = complete.shape if complete.size else (0, m.n_raters)
    dropped = m.values.shape[0] - n

    def none(why: str) -> dict[str, Stat]:
        return {form: undefined(f"{form} {desc}", why, n) for form, desc in FORMS.items()}

    if k < 2:
        return none("there are fewer than two raters")
    if n < 2:
        return none(
            f"fewer than two units were rated by all {k} raters (the ICC needs complete rows)"
        )
    grand = complete.mean()
    ss_total = ((complete - grand) ** 2).sum()
    ss_rows = k * ((complete.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((complete.mean(axis=0) - grand) ** 2).sum()
    ss_error = ss_total - ss_rows - ss_cols
    msr = ss_rows / (n - 1)
    msw = (ss_total - ss_rows) / (n * (k - 1))
    msc = ss_cols / (k - 1)
    mse = ss_error / ((n - 1) * (k - 1))
    if ss_total == 0:
        return none("every rating is the same (no variance between or within units)")
    values = {
        "ICC(1,1)": (msr - msw) / (msr + (k - 1) * msw),
        "ICC(2,1)": (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n),
        "ICC(3,1)": (msr - mse) / (msr + (k - 1) * mse),
        "ICC(1,k)": (msr - msw) / msr if msr else float("nan"),
        "ICC(2,k)": (msr - mse) / (msr + (msc - mse) / n),
        "ICC(3,k)": (msr - mse) / msr if msr else float("nan"),
    }
    q = 1 - alpha / 2
    cis: dict[str, tuple[float, float] | None] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = msr / msw
        f1l, f1u = f1 / f_dist.ppf(q, n - 1, n * (k - 1)), f1 * f_dist.ppf(q, n * (k - 1), n - 1)
        cis["ICC(1,1)"] = ((f1l - 1) / (f1l + k - 1), (f1u - 1) / (f1u + k - 1))
        cis["ICC(1,k)"] = (1 - 1 / f1l, 1 - 1 / f1u)
        f3 = msr / mse
        df2 = (n - 1) * (k - 1)
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
    out = {}
    for form, desc in FORMS.items():
        value = float(values[form])
        if not np.isfinite(value):
            out[form] = undefined(f"{form} {desc}", "the between-unit mean square is 0 (0/0)", n)
            continue
        ci = cis[form]
        ci = (float(ci[0]), float(ci[1])) if ci and all(np.isfinite(ci)) else None
        extra = {"f": round(float(f1 if form.startswith("ICC(1") else f3), 6), "k": k}
        if dropped:
            extra["units_dropped_incomplete"] = dropped
        out[form] = Stat(f"{form} {desc}", value, ci, None, n, band=koo_li(value), extra=extra)
    return out
