"""Agreement for real study designs: declared scales, missing ratings, rotating coders, clustered
units, N/A, rare codes. Every figure is checked against an independent value: a hand computation
written out here, a published table, or a reference package (irrCAC, statsmodels, pingouin,
scikit-learn, krippendorff) given the same categories."""

from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_agreement_stats import SHROUT_FLEISS, matrix

from rupture_coder.agreement import analyze, from_long
from rupture_coder.agreement import bootstrap as bs
from rupture_coder.agreement.apa import methods_sentence
from rupture_coder.agreement.coefficients import (
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    percent_agreement,
)
from rupture_coder.agreement.icc import icc_all, icc_design
from rupture_coder.agreement.specific import kappa_per_category, specific_agreement, within_one


# -- the reference packages are required, not optional ----------------------------------------------
def test_reference_packages_are_installed_and_run_on_current_scipy():
    """The oracles must be present (a missing one fails here instead of skipping tests), and irrCAC,
    installed without its scipy==1.12 pin, must still compute."""
    import irrCAC.raw
    import pingouin  # noqa: F401
    import scipy
    import sklearn.metrics  # noqa: F401
    import statsmodels.stats.inter_rater  # noqa: F401

    est = irrCAC.raw.CAC(pd.DataFrame([[1, 1], [2, 2], [1, 2]]), digits=15).fleiss()["est"]
    assert est["coefficient_value"] == pytest.approx((2 / 3 - 0.5) / 0.5)
    assert tuple(int(x) for x in scipy.__version__.split(".")[:2]) >= (1, 13)


def irrcac(rows, categories, weights="identity"):
    from irrCAC.raw import CAC

    frame = pd.DataFrame([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
    return CAC(frame, weights=weights, categories=list(categories), digits=15)


# -- declared categories -------------------------------------------------------------------------------
def test_unused_scale_points_still_count_in_weights_hand_computed():
    """Two raters on a 1-5 scale who used 1, 2 and 4. Quadratic agreement weights over the declared
    scale: w(1,2) = 1 - 1/16, w(2,4) = 1 - 4/16, w(1,4) = 1 - 9/16. Pairs (1,1) (1,2) (2,4) (4,4)
    (4,2) (2,2): po = (1 + 15/16 + 3/4 + 1 + 3/4 + 1) / 6 = 29/32; rater A's shares 1/3 each, B's
    1/6, 1/2, 1/3 -> pe = 79/96; kappa_w = (29/32 - 79/96) / (17/96) = 8/17. Over the observed
    points only, 2 and 4 would be adjacent and the kappa another."""
    rows = [[1, 1], [1, 2], [2, 4], [4, 4], [4, 2], [2, 2]]
    declared = matrix(rows, "ordinal", categories=[1, 2, 3, 4, 5])
    kappa = cohen_kappa(declared, "quadratic")
    assert kappa.value == pytest.approx(8 / 17, abs=1e-14)
    assert kappa.extra["observed_agreement"] == pytest.approx(29 / 32, abs=1e-6)
    assert kappa.extra["chance_agreement"] == pytest.approx(79 / 96, abs=1e-6)
    from sklearn.metrics import cohen_kappa_score

    a, b = zip(*rows, strict=True)
    ref = cohen_kappa_score(a, b, weights="quadratic", labels=[1, 2, 3, 4, 5])
    assert kappa.value == pytest.approx(ref, abs=1e-14)
    observed = cohen_kappa(matrix(rows, "ordinal"), "quadratic").value
    assert observed == pytest.approx(cohen_kappa_score(a, b, weights="quadratic"), abs=1e-14)
    assert abs(observed - 8 / 17) > 0.05


@pytest.mark.parametrize("weights", ["identity", "linear", "quadratic"])
def test_fleiss_and_ac2_use_the_declared_scale_like_irrcac(weights):
    rng = np.random.default_rng(17)
    for _ in range(4):
        data = rng.choice([1.0, 2.0, 4.0, 5.0], size=(30, 3))  # point 3 never used
        data[rng.random(data.shape) < 0.2] = np.nan
        rows = [[None if math.isnan(v) else v for v in r] for r in data]
        m = matrix(rows, "ordinal", categories=[1, 2, 3, 4, 5])
        for ours, ref in ((fleiss_kappa(m, weights), irrcac(rows, [1, 2, 3, 4, 5], weights).fleiss()),
                          (gwet_ac(m, weights), irrcac(rows, [1, 2, 3, 4, 5], weights).gwet())):  # fmt: skip
            est = ref["est"]
            assert ours.value == pytest.approx(est["coefficient_value"], abs=1e-12)
            assert ours.se == pytest.approx(est["se"], abs=1e-12)
            assert ours.ci95[0] == pytest.approx(est["confidence_interval"][0], abs=1e-12)


def test_ac1_with_one_category_used_of_two_declared_is_one():
    rows = [[0, 0], [0, 0], [0, 0], [0, 0]]
    ac1 = gwet_ac(matrix(rows, categories=[0, 1]))
    assert (ac1.value, ac1.se, ac1.ci95) == (1.0, 0.0, (1.0, 1.0))
    ref = irrcac(rows, [0, 1]).gwet()["est"]
    assert ref["coefficient_value"] == 1.0
    undeclared = gwet_ac(matrix(rows))
    assert undeclared.value is None and "declare the scale" in undeclared.reason


def test_declared_categories_are_checked():
    df = pd.DataFrame({"unit": [1, 1], "rater": ["a", "b"], "value": [2, 7]})
    with pytest.raises(
        ValueError, match=r"values \[7.0\] are not among the categories \[1, 2, 3\]"
    ):
        from_long(df, level="ordinal", categories=[1, 2, 3])
    with pytest.raises(ValueError, match="increasing order"):
        from_long(df, level="ordinal", categories=[7, 2])
    with pytest.raises(ValueError, match="must be numbers"):
        from_long(df, level="interval", categories=["low", "high"])


# -- nominal data with weights ---------------------------------------------------------------------
@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_weights_on_nominal_data_are_refused(weights):
    m = matrix([["a", "b"], ["b", "b"], ["c", "a"]])
    with pytest.raises(ValueError, match="nominal categories have no order"):
        analyze(m, weights)
    with pytest.raises(ValueError, match="nominal categories have no order"):
        cohen_kappa(m, weights)


# -- Gwet's conventions for units rated once ---------------------------------------------------------
def test_units_rated_once_count_for_chance_agreement_as_in_irrcac():
    """Percent agreement over units rated twice or more; chance agreement from every rating."""
    rng = np.random.default_rng(23)
    for trial in range(6):
        data = rng.integers(1, 4, size=(40, 4)).astype(float)
        data[rng.random(data.shape) < 0.45] = np.nan
        data[:5, 1:] = np.nan  # five units rated once
        rows = [[None if math.isnan(v) else int(v) for v in r] for r in data]
        m = matrix(rows, categories=[1, 2, 3])
        assert m.n_rated > m.n_units
        for ours, ref in ((fleiss_kappa(m), irrcac(rows, [1, 2, 3]).fleiss()["est"]),
                          (gwet_ac(m), irrcac(rows, [1, 2, 3]).gwet()["est"])):  # fmt: skip
            assert ours.value == pytest.approx(ref["coefficient_value"], abs=1e-12), trial
            assert ours.se == pytest.approx(ref["se"], abs=1e-12), trial
            lo, hi = ref["confidence_interval"]
            assert ours.ci95 == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12))
            assert ours.extra["observed_agreement"] == pytest.approx(ref["pa"], abs=1e-6)
            assert ours.n_units == m.n_units and ours.extra["n_units_chance"] == m.n_rated
        assert percent_agreement(m).value == pytest.approx(
            irrcac(rows, [1, 2, 3]).fleiss()["est"]["pa"], abs=1e-12
        )


@pytest.mark.parametrize("level", ["nominal", "interval", "ratio"])
def test_alpha_standard_error_is_gwets(level):
    rng = np.random.default_rng(5)
    data = rng.integers(1, 6, size=(35, 3)).astype(float)
    data[rng.random(data.shape) < 0.25] = np.nan
    rows = [[None if math.isnan(v) else int(v) for v in r] for r in data]
    m = matrix(rows, level, categories=[1, 2, 3, 4, 5] if level != "nominal" else None)
    weights = {"nominal": "identity", "interval": "quadratic", "ratio": "ratio"}[level]
    cats = [1, 2, 3, 4, 5] if level != "nominal" else sorted({v for r in rows for v in r if v})
    ref = irrcac(rows, cats, weights).krippendorff()["est"]
    ours = krippendorff_alpha(m)
    assert ours.value == pytest.approx(ref["coefficient_value"], abs=1e-12)
    assert ours.se == pytest.approx(ref["se"], abs=1e-12)
    assert ours.ci95[0] == pytest.approx(ref["confidence_interval"][0], abs=1e-12)


@pytest.mark.parametrize("weights", ["identity", "linear", "quadratic"])
def test_cohen_kappa_and_its_standard_error_match_statsmodels(weights):
    from statsmodels.stats.inter_rater import cohens_kappa

    rng = np.random.default_rng(29)
    for _ in range(6):
        a = rng.integers(1, 6, size=60)
        b = np.clip(a + rng.integers(-2, 3, size=60), 1, 5)
        m = matrix(np.c_[a, b].tolist(), "ordinal", categories=[1, 2, 3, 4, 5])
        ours = cohen_kappa(m, weights)
        table = pd.crosstab(pd.Categorical(a, [1, 2, 3, 4, 5]), pd.Categorical(b, [1, 2, 3, 4, 5]),
                            dropna=False).to_numpy()  # fmt: skip
        ref = cohens_kappa(table, wt=None if weights == "identity" else weights)
        assert ours.value == pytest.approx(ref.kappa, abs=1e-12)
        assert ours.se == pytest.approx(ref.std_kappa, abs=1e-12)
        assert ours.ci95[0] == pytest.approx(ref.kappa_low, abs=1e-12)


def test_cohen_two_by_two_indices_read_the_right_cells():
    """a=30 (both 0), b=2 (A 0, B 1), c=9 (A 1, B 0), d=9 (both 1), n=50: prevalence |a-d|/n = .42,
    bias |b-c|/n = .14, PABAK 2(39/50)-1 = .56; po .78, pe (32*39 + 18*11)/2500 = .5784."""
    rows = [[0, 0]] * 30 + [[0, 1]] * 2 + [[1, 0]] * 9 + [[1, 1]] * 9
    k = cohen_kappa(matrix(rows, categories=[0, 1]))
    assert (k.extra["prevalence_index"], k.extra["bias_index"], k.extra["pabak"]) == (
        0.42,
        0.14,
        0.56,
    )
    assert k.value == pytest.approx((0.78 - 0.5784) / (1 - 0.5784), abs=1e-12)
    assert k.extra["max_kappa"] == pytest.approx((0.64 + 0.22 - 0.5784) / (1 - 0.5784), abs=1e-6)


# -- ICC for rotating and unbalanced designs -------------------------------------------------------
UNBALANCED = [[1, 3, None, None], [4, 5, 6, None], [None, 1, 2, 3], [None, None, 5, 5]]


def test_one_way_icc_on_unbalanced_data_hand_computed():
    """docs/ratings.md's worked example. Unit means 2, 5, 2, 5, grand mean 35/10 = 3.5.
    SSB = 10 * 1.5^2 = 22.5 on 3 df -> MSB 7.5; SSW = 2 + 2 + 2 + 0 = 6 on N - n = 6 df -> MSW 1.
    k0 = (10 - (4 + 9 + 9 + 4) / 10) / 3 = 37/15. ICC(1,1) = 6.5 / (7.5 + 22/15) = 195/269;
    ICC(1,k) = 6.5 / 7.5 = 13/15. F = 7.5 on (3, 6) df."""
    icc = icc_all(matrix(UNBALANCED, "interval"))
    one = icc["ICC(1,1)"]
    assert one.value == pytest.approx(float(Fraction(195, 269)), abs=1e-14)
    assert icc["ICC(1,k)"].value == pytest.approx(13 / 15, abs=1e-14)
    assert (one.extra["df1"], one.extra["df2"], one.extra["f"]) == (3, 6, 7.5)
    assert one.extra["k"] == round(37 / 15, 6) and one.n_units == 4
    from scipy.stats import f

    k0, fl, fu = 37 / 15, 7.5 / f.ppf(0.975, 3, 6), 7.5 * f.ppf(0.975, 6, 3)
    assert one.ci95 == (pytest.approx((fl - 1) / (fl + k0 - 1), abs=1e-12),
                        pytest.approx((fu - 1) / (fu + k0 - 1), abs=1e-12))  # fmt: skip
    assert icc["ICC(1,k)"].ci95 == (pytest.approx(1 - 1 / fl, abs=1e-12),
                                    pytest.approx(1 - 1 / fu, abs=1e-12))  # fmt: skip
    for form in ("ICC(2,1)", "ICC(3,1)", "ICC(2,k)", "ICC(3,k)"):
        assert icc[form].value is None and "one-way" in icc[form].reason


def test_one_way_anova_matches_statsmodels_on_random_unbalanced_designs():
    import statsmodels.api as sm
    from statsmodels.formula.api import ols

    rng = np.random.default_rng(31)
    for _ in range(5):
        n, raters = 25, 5
        truth = rng.normal(size=n)
        rows = []
        for u in range(n):
            k = rng.integers(2, raters + 1)
            who = set(rng.choice(raters, size=k, replace=False).tolist())
            rows.append(
                [round(truth[u] + rng.normal(), 2) if r in who else None for r in range(raters)]
            )
        one = icc_all(matrix(rows, "interval"))["ICC(1,1)"]
        long = pd.DataFrame([(u, v) for u, r in enumerate(rows) for v in r if v is not None],
                            columns=["u", "v"])  # fmt: skip
        table = sm.stats.anova_lm(ols("v ~ C(u)", long).fit())
        msb, msw = table["mean_sq"].iloc[0], table["mean_sq"].iloc[1]
        sizes = long.groupby("u").size().to_numpy()
        k0 = (sizes.sum() - (sizes**2).sum() / sizes.sum()) / (n - 1)
        assert one.value == pytest.approx((msb - msw) / (msb + (k0 - 1) * msw), abs=1e-12)
        assert one.extra["df2"] == int(table["df"].iloc[1])


def test_rotating_coders_two_of_four_per_session():
    """Each unit coded by 2 of 4 coders in rotation: the one-way model is the right one; it equals
    pingouin's ICC1 computed with the two ratings as 'first' and 'second' (one-way ignores who)."""
    import pingouin as pg

    rng = np.random.default_rng(37)
    truth = rng.normal(size=20)
    rows, slots = [], []
    for u in range(20):
        pair = [(u + s) % 4 for s in (0, 1)]
        vals = [round(truth[u] + rng.normal(scale=0.6), 2) for _ in pair]
        rows.append([vals[pair.index(r)] if r in pair else None for r in range(4)])
        slots += [(u, s, v) for s, v in enumerate(vals)]
    m = matrix(rows, "interval")
    design = icc_design(m)
    assert design["supported_forms"] == ["ICC(1,1)", "ICC(1,k)"] and "rotate" in design["design"]
    out = analyze(m)
    assert out["icc"]["ICC(2,1)"]["value"] is None and out["icc"]["ICC(1,1)"]["n_units"] == 20
    ref = pg.intraclass_corr(pd.DataFrame(slots, columns=["u", "s", "v"]), "u", "s", "v").set_index(
        "Type"
    )
    assert out["icc"]["ICC(1,1)"]["value"] == pytest.approx(ref.loc["ICC(1,1)", "ICC"], abs=1e-6)
    assert out["icc"]["ICC(1,k)"]["value"] == pytest.approx(ref.loc["ICC(1,k)", "ICC"], abs=1e-6)
    assert out["primary"] == "icc/ICC(1,1)"


def test_each_statistic_reports_the_units_it_used():
    """30 units: 20 rated by all three raters, 10 by two (rater c missing)."""
    rng = np.random.default_rng(41)
    data = np.round(rng.normal(size=(30, 3)) + rng.normal(size=(30, 1)), 1)
    rows = [[a, b, (None if u >= 20 else c)] for u, (a, b, c) in enumerate(data.tolist())]
    out = analyze(matrix(rows, "interval"))
    assert out["n_units"] == 30
    assert out["icc"]["ICC(2,1)"]["n_units"] == 20 and out["icc"]["ICC(1,1)"]["n_units"] == 30
    assert (
        out["icc_design"]["n_units_two_way"] == 20
        and "crossed with missing" in out["icc_design"]["design"]
    )
    assert out["krippendorff_alpha"]["n_units"] == 30


# -- cluster bootstrap ---------------------------------------------------------------------------------
def clustered(seed=43, sessions=12, per=8):
    """Two raters' presence codes, segments nested in sessions with session-level prevalence."""
    rng = np.random.default_rng(seed)
    long = []
    for s in range(sessions):
        prevalence = rng.uniform(0.05, 0.6)
        for g in range(per):
            truth = rng.random() < prevalence
            for r in ("a", "b"):
                seen = truth if rng.random() < 0.85 else not truth
                long.append(
                    {"unit": f"s{s}/g{g}", "rater": r, "value": int(seen), "session": f"s{s}"}
                )
    return pd.DataFrame(long)


def test_bootstrap_replicates_equal_a_slow_resampling_with_the_reference_packages():
    """The same seeded draws of sessions, each replicate recomputed from scratch by krippendorff and
    irrCAC on the resampled units: the percentile CIs agree to machine precision."""
    import krippendorff
    from irrCAC.raw import CAC

    df = clustered()
    m = from_long(df, level="nominal", categories=[0, 1], cluster="session")
    r = bs.Resampler(m, replicates=40, seed=7)
    draws = np.random.default_rng(7).integers(0, r.n_clusters, size=(40, r.n_clusters))
    wide = df.pivot(index="unit", columns="rater", values="value").astype(float)
    session_of = df.drop_duplicates("unit").set_index("unit")["session"]
    alphas, fleiss = [], []
    for row in draws:
        picked = pd.concat([wide[session_of[wide.index] == r.labels[c]] for c in row])
        alphas.append(krippendorff.alpha(picked.to_numpy().T, level_of_measurement="nominal"))
        fleiss.append(
            CAC(picked.reset_index(drop=True), categories=[0, 1], digits=15).fleiss()["est"][
                "coefficient_value"
            ]
        )
    assert r.values(bs.krippendorff(m)) == pytest.approx(alphas, abs=1e-12)
    assert r.values(bs.chance_corrected(m.counts, np.eye(2), "fleiss")) == pytest.approx(
        fleiss, abs=1e-12
    )
    assert r.interval(bs.krippendorff(m))[0] == pytest.approx(
        tuple(np.percentile(alphas, [2.5, 97.5]))
    )


def test_icc_bootstrap_replicates_match_pingouin():
    import pingouin as pg

    rng = np.random.default_rng(47)
    long = []
    for s in range(8):
        level = rng.normal()
        for g in range(5):
            t = level + rng.normal()
            long += [{"unit": f"{s}/{g}", "rater": r, "value": round(t + rng.normal(scale=0.5), 2),
                      "session": s} for r in "abc"]  # fmt: skip
    df = pd.DataFrame(long)
    m = from_long(df, level="interval", cluster="session")
    r = bs.Resampler(m, replicates=15, seed=3)
    draws = np.random.default_rng(3).integers(0, r.n_clusters, size=(15, r.n_clusters))
    ests = {**bs.icc_one_way(m), **bs.icc_two_way(m)}
    got = {form: r.values(e) for form, e in ests.items()}
    names = {"ICC(1,1)": "ICC(1,1)", "ICC(A,1)": "ICC(2,1)", "ICC(C,1)": "ICC(3,1)",
             "ICC(1,k)": "ICC(1,k)", "ICC(A,k)": "ICC(2,k)", "ICC(C,k)": "ICC(3,k)"}  # fmt: skip
    for b, row in enumerate(draws):
        parts = []
        for copy, c in enumerate(row):
            part = df[df.session.astype(str) == r.labels[c]].copy()
            part["unit"] = part["unit"] + f"#{copy}"
            parts.append(part)
        ref = pg.intraclass_corr(pd.concat(parts), "unit", "rater", "value").set_index("Type")[
            "ICC"
        ]
        for key, form in names.items():
            assert got[form][b] == pytest.approx(ref[key], abs=1e-9), (b, form)


def test_bootstrap_is_seeded_resamples_sessions_and_judges_bands_on_the_ci():
    m = from_long(clustered(), level="nominal", categories=[0, 1], cluster="session")
    one, same, other = (analyze(m, bootstrap=300, seed=s) for s in (5, 5, 6))
    assert one == same and one["krippendorff_alpha"] != other["krippendorff_alpha"]
    assert one["bootstrap"]["resampled"] == "sessions" and one["bootstrap"]["n_clusters"] == 12
    assert "rough" in one["bootstrap"]["note"]  # fewer than 20 sessions
    alpha = one["krippendorff_alpha"]
    lo, hi = alpha["ci95_bootstrap"]
    assert lo < alpha["value"] < hi
    from rupture_coder.agreement.results import cicchetti

    assert alpha["band_ci"] == f"{cicchetti(lo)} to {cicchetti(hi)}" != alpha["band"]
    units_only = analyze(from_long(clustered(), level="nominal", categories=[0, 1]), bootstrap=300)
    assert units_only["bootstrap"]["resampled"] == "units"
    for key in ("percent_agreement", "cohen_kappa", "fleiss_kappa", "gwet_ac1"):
        assert len(one[key]["ci95_bootstrap"]) == 2, key
    assert len(one["specific_agreement"]["1"]["ci95_bootstrap"]) == 2


def test_draws_too_big_to_keep_give_the_same_intervals(monkeypatch):
    """Draws up to bs._KEPT_CELLS are kept (as floats) for the next item; bigger ones are made for
    the one matrix and weighed chunk by chunk: the same CIs either way, and one product for all
    the estimators equals one product each."""
    m = from_long(clustered(), level="nominal", categories=[0, 1], cluster="session")
    ests = [bs.krippendorff(m), bs.chance_corrected(m.counts, np.eye(2), "fleiss"),
            bs.pair_agreement(m.counts, np.eye(2)), bs.specific(m.counts, 1)]  # fmt: skip
    kept = bs.Resampler(m, replicates=300, seed=3)
    together = kept.intervals(ests)
    assert together == [kept.interval(e) for e in ests]
    assert all(ci is not None for ci, _n in together)
    monkeypatch.setattr(bs, "_KEPT_CELLS", 0)
    made = bs.Resampler(m, replicates=300, seed=3)
    assert made._weights is None and np.array_equal(made.counts, kept.counts)
    assert made.intervals(ests) == together
    assert analyze(m, bootstrap=300, seed=3) == analyze(m, bootstrap=300, seed=3)


def test_five_sessions_are_enough_for_a_bootstrap_ci_four_are_not():
    five = from_long(clustered(sessions=5), level="nominal", categories=[0, 1], cluster="session")
    four = from_long(clustered(sessions=4), level="nominal", categories=[0, 1], cluster="session")
    assert bs.Resampler(five, 200).interval(bs.krippendorff(five))[0] is not None
    assert bs.Resampler(four, 200).interval(bs.krippendorff(four)) == (None, 0)


def test_a_ci_needs_half_the_replicates_defined_and_twenty_sessions_are_not_rough():
    twenty = from_long(
        clustered(sessions=20), level="nominal", categories=[0, 1], cluster="session"
    )
    r = bs.Resampler(twenty, replicates=100)
    assert "note" not in r.describe("sessions")
    some = np.r_[np.linspace(0, 1, 40), np.full(60, np.nan)]
    assert r._percentiles(some) == (None, 40)  # 40 of 100 defined: no CI
    lo, hi = r._percentiles(np.r_[some[:40], np.linspace(0, 1, 10), np.full(50, np.nan)])[0]
    assert 0 < lo < hi < 1


def test_a_unit_in_two_sessions_is_refused():
    df = pd.DataFrame(
        {"unit": [1, 1], "rater": ["a", "b"], "value": [1, 1], "session": ["s1", "s2"]}
    )
    with pytest.raises(ValueError, match="lies in more than one 'session'"):
        from_long(df, cluster="session")


def test_clusters_are_read_as_text_and_a_missing_one_is_passed_over():
    """Sessions as numbers or text are one cluster per text ("1" and 1 alike); a unit's session
    missing on one row comes from its other rows; two sessions on one unit are still refused."""
    df = pd.DataFrame({"unit": ["u1", "u1", "u2", "u2", "u3", "u3"], "rater": ["a", "b"] * 3,
                       "value": [1, 1, 0, 1, 0, 0], "session": [1, "1", 2, 2, "x", "x"]})  # fmt: skip
    m = from_long(df, categories=[0, 1], cluster="session")
    assert m.clusters == ["1", "1", "2", "2", "x", "x"][::2]
    assert m.cluster_index()[1] == ["1", "2", "x"]
    gap = df.astype({"session": object})
    gap.loc[1, "session"] = None
    assert from_long(gap, categories=[0, 1], cluster="session").units == ["u1", "u2", "u3"]
    gap.loc[3, "session"] = "3"  # u2 in sessions 2 and 3, u1's second row without one
    with pytest.raises(ValueError, match="unit 'u2' lies in more than one 'session'"):
        from_long(gap, cluster="session")


def test_blank_text_is_not_rated_and_a_subset_keeps_its_sessions():
    df = pd.DataFrame({"unit": [1, 1, 2, 2, 3, 3], "rater": ["a", "b"] * 3,
                       "value": ["x", "x", " ", "y", "y", ""], "session": ["s1", "s1", "s2", "s2", "s3", "s3"]})  # fmt: skip
    m = from_long(df, cluster="session")
    assert m.categories == ["x", "y"] and m.n_units == 1 and m.n_rated == 3
    pairable = m.pairable()
    assert pairable.units == [1] and pairable.clusters == ["s1"]
    assert from_long(df.drop(columns="session")).pairable().clusters is None


def test_observed_nominal_categories_in_natural_order_and_undeclared_values_refused():
    df = pd.DataFrame({"unit": [1, 1, 2, 2, 3, 3], "rater": ["a", "b"] * 3,
                       "value": [10, 9, 9, 9, 2, 10]})  # fmt: skip
    assert from_long(df).categories == ["2", "9", "10"]
    with pytest.raises(ValueError, match=r"values \['10', '9'\] are not among the categories"):
        from_long(df, categories=[1, 2])


# -- N/A, specific agreement, within one point, kappa per category --------------------------------
def test_agreement_on_na_before_rating_reliability():
    """Segment resolution rated 1-5 or N/A (no rupture to resolve). 10 segments, raters A and B:
    both N/A on 3, A N/A and B 4 on 1, both rated on 6. N/A table (rated, N/A): a=6, b=1, c=0, d=3;
    po = 9/10; pe = (7*6 + 3*4)/100 = .54; kappa = (.9 - .54)/.46; specific on N/A: 2*3/(2*3+1)."""
    a = ["N/A", "N/A", "N/A", "N/A", 1, 2, 3, 4, 5, 5]
    b = ["N/A", "N/A", "N/A", 4, 1, 2, 3, 5, 5, 4]
    df = pd.DataFrame([(u, r, v) for u in range(10) for r, v in (("A", a[u]), ("B", b[u]))],
                      columns=["unit", "rater", "value"])  # fmt: skip
    m = from_long(df, level="ordinal", categories=[1, 2, 3, 4, 5], na_values=["N/A"])
    out = analyze(m)
    na = out["na_agreement"]
    assert na["percent_agreement"]["value"] == pytest.approx(0.9)
    assert na["kappa"]["value"] == pytest.approx((0.9 - 0.54) / 0.46, abs=1e-6)
    assert na["specific_agreement_na"]["value"] == pytest.approx(6 / 7, abs=1e-6)
    assert na["specific_agreement_rated"]["value"] == pytest.approx(12 / 13, abs=1e-6)
    assert out["n_units"] == 6 and out["cohen_kappa"]["n_units"] == 6  # ratings: both rated


def test_positive_and_negative_agreement_on_a_rare_code():
    """100 segments, 2 raters: both coded 3, one only 4 (A 2, B 2), neither 93. po = .96 looks fine;
    positive agreement 2*3/(2*3+4) = .6 shows it is not; negative 2*93/(2*93+4)."""
    rows = [[1, 1]] * 3 + [[1, 0]] * 2 + [[0, 1]] * 2 + [[0, 0]] * 93
    out = analyze(matrix(rows, categories=[0, 1]))
    assert out["percent_agreement"]["value"] == pytest.approx(0.96)
    assert out["positive_agreement"]["value"] == pytest.approx(0.6, abs=1e-6)
    assert out["negative_agreement"]["value"] == pytest.approx(186 / 190, abs=1e-6)
    three = matrix([[1, 1, 0], [1, 1, 1], [0, 0, 0], [0, 1, None]], categories=[0, 1])
    # pairs agreeing on 1 over pairs involving a 1: units 1-4: (2, 2*2), (6, 3*2), (0, 0), (0, 1*1)
    assert specific_agreement(three)["1"][0].value == pytest.approx(8 / 11, abs=1e-12)


def test_within_one_point_on_a_five_point_scale():
    rows = [
        [1, 2],
        [1, 3],
        [5, 5],
        [2, 4],
        [
            3,
            4,
        ],
    ]
    # pairs within one point: yes, no, yes, no, yes -> 3/5; on the declared scale only
    stat, _ = within_one(matrix(rows, "ordinal", categories=[1, 2, 3, 4, 5]))
    assert stat.value == pytest.approx(0.6)
    three = [[1, 2, 4]]  # pairs (1,2) yes, (1,4) no, (2,4) no on 1-5 -> 1/3
    assert within_one(matrix(three + three, "interval", categories=[1, 2, 3, 4, 5]))[
        0
    ].value == pytest.approx(1 / 3)
    assert within_one(matrix(rows, "nominal")) is None


def test_kappa_per_category_reproduces_fleiss_1971():
    """Fleiss (1971), Table 2: kappa per diagnosis .245, .245, .520, .471, .566."""
    from test_agreement_stats import DATA

    counts = pd.read_csv(DATA / "fleiss1971.csv", comment="#")
    rows = [[cat for cat, n in row.items() for _ in range(n)] for _, row in counts.iterrows()]
    per = {k: round(s.value, 3) for k, (s, _e) in kappa_per_category(matrix(rows)).items()}
    assert per == {"depression": 0.245, "personality_disorder": 0.245, "schizophrenia": 0.520,
                   "neurosis": 0.471, "other": 0.566}  # fmt: skip
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    for cat in counts.columns:
        two = np.c_[counts[cat], counts.sum(axis=1) - counts[cat]]
        ours = kappa_per_category(matrix(rows))[cat][0].value
        assert ours == pytest.approx(sm_fleiss(two), abs=1e-12)


# -- the APA sentence --------------------------------------------------------------------------------
def test_apa_sentence_for_a_rotating_design():
    rng = np.random.default_rng(53)
    long = []
    for s in range(10):
        for g in range(3):
            t = rng.integers(1, 6)
            for r in (f"c{(s + i) % 4}" for i in range(2)):
                long.append({"unit": f"{s}/{g}", "rater": r, "session": s,
                             "value": int(np.clip(t + rng.integers(-1, 2), 1, 5))})  # fmt: skip
    m = from_long(
        pd.DataFrame(long), level="interval", categories=[1, 2, 3, 4, 5], cluster="session"
    )
    out = analyze(m, bootstrap=200)
    text = methods_sentence(out, "withdrawal impact", unit_noun="segments")
    value = out["icc"]["ICC(1,1)"]["value"]
    lo, hi = out["icc"]["ICC(1,1)"]["ci95_bootstrap"]
    assert "one-way random-effects, absolute-agreement, single-rater" in text
    assert "ICC(1)" in text and "McGraw & Wong, 1996" in text
    assert f"ICC = {value:.2f}".replace("0.", ".") in text
    assert f"95% CI [{lo:.2f}, {hi:.2f}]".replace("0.", ".") in text
    assert "30 segments" in text and "10 sessions" in text and "4 raters" in text
    assert "2 of 4 raters" in text and "resampling sessions" in text


def test_apa_sentence_for_two_raters_presence():
    rows = [[1, 1]] * 12 + [[1, 0]] * 3 + [[0, 0]] * 35
    out = analyze(matrix(rows, categories=[0, 1]))
    text = methods_sentence(out, "W2 presence")
    kappa = out["cohen_kappa"]
    assert text.startswith("Inter-rater agreement on W2 presence")
    assert "Cohen's κ = " + f"{kappa['value']:.2f}".lstrip("0") in text and "50 units" in text
    assert "both raters" in text and "percent agreement" in text


# -- every input gives numbers or reasons, never NaN or a traceback -----------------------------------
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=3, max_size=3),
             min_size=0, max_size=25),
    st.sampled_from(["nominal", "ordinal", "interval"]),
)  # fmt: skip
def test_any_matrix_gives_values_or_reasons(rows, level):
    rows = [r for r in rows if any(v is not None for v in r)]
    if not rows:
        return
    cats = [1, 2, 3, 4] if level != "nominal" else ["1", "2", "3", "4"]
    m = matrix(rows, level, categories=cats)
    out = analyze(m, bootstrap=30)
    text = json.dumps(out, allow_nan=False)
    assert "nan" not in text.lower()
    for key in ("cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1"):
        s = out[key]
        assert (s["value"] is None) == ("reason" in s)
        if s["value"] is not None:  # Fleiss' kappa may fall below -1 with units rated once
            assert s["value"] <= 1.0 + 1e-9


def brute_force_alignment(a, b, tolerance):
    """Every non-crossing matching, ranked as the module promises."""
    best = None
    cand = [
        (i, j) for i in range(len(a)) for j in range(len(b)) if abs(a[i][1] - b[j][1]) <= tolerance
    ]
    for size in range(len(cand) + 1):
        for chosen in itertools.combinations(cand, size):
            i_s, j_s = [c[0] for c in chosen], [c[1] for c in chosen]
            if len(set(i_s)) < size or len(set(j_s)) < size:
                continue
            if any((x[0] < y[0]) != (x[1] < y[1]) for x, y in itertools.combinations(chosen, 2)):
                continue
            same = sum(a[i][0] == b[j][0] for i, j in chosen)
            close = -sum(abs(a[i][1] - b[j][1]) for i, j in chosen)
            key = (same, size, close)
            if best is None or key > best:
                best = key
    return best


def test_event_alignment_is_the_best_non_crossing_one():
    from rupture_coder.agreement.events import Event, match_events

    rng = np.random.default_rng(59)
    for _ in range(40):
        a = sorted(
            (str(rng.choice(list("XY"))), float(rng.integers(0, 12)))
            for _ in range(rng.integers(1, 5))
        )
        b = sorted(
            (str(rng.choice(list("XY"))), float(rng.integers(0, 12)))
            for _ in range(rng.integers(1, 5))
        )
        a.sort(key=lambda e: e[1])
        b.sort(key=lambda e: e[1])
        ea = [Event(f"a{i}", c, t, t) for i, (c, t) in enumerate(a)]
        eb = [Event(f"b{i}", c, t, t) for i, (c, t) in enumerate(b)]
        pairs = [p for p in match_events(ea, eb, "onset", 2) if p.a and p.b]
        got = (
            sum(p.agree for p in pairs),
            len(pairs),
            -sum(abs(p.a.start - p.b.start) for p in pairs),
        )
        assert got == pytest.approx(brute_force_alignment(a, b, 2))
        order = sorted(pairs, key=lambda p: int(p.a.id[1:]))
        assert [int(p.b.id[1:]) for p in order] == sorted(int(p.b.id[1:]) for p in order)


def test_quadratic_kappa_is_the_absolute_agreement_icc_not_the_consistency_one():
    """Fleiss & Cohen (1973): for two raters, quadratically weighted kappa on the scale's values is
    2 s_xy / (s_x^2 + s_y^2 + (mean_x - mean_y)^2) (moments over n): a rater's bias counts against
    it, as in ICC(A,1) = ICC(2,1), not ICC(C,1) = ICC(3,1), which ignores it. Rater B rates one
    point higher than A most of the time."""
    rng = np.random.default_rng(61)
    a = rng.integers(1, 5, 4000)
    b = np.clip(
        a + (rng.random(4000) < 0.7) + rng.integers(-1, 2, 4000) * (rng.random(4000) < 0.2), 1, 5
    )
    m = matrix(np.c_[a, b].tolist(), "interval", categories=[1, 2, 3, 4, 5])
    kappa = cohen_kappa(m, "quadratic").value
    x, y = a.astype(float), b.astype(float)
    s_xy = ((x - x.mean()) * (y - y.mean())).mean()
    assert kappa == pytest.approx(
        2 * s_xy / (x.var() + y.var() + (x.mean() - y.mean()) ** 2), abs=1e-12
    )
    icc = icc_all(m)
    assert abs(kappa - icc["ICC(2,1)"].value) < 0.002
    assert icc["ICC(3,1)"].value - kappa > 0.1


def test_the_design_report_counts_exactly():
    """Three raters; units 0-1 rated by all (two-way), 2 by two, 3 by one."""
    rows = [[1, 2, 3], [2, 2, 4], [5, None, 4], [None, 3, None]]
    d = icc_design(matrix(rows, "interval"))
    assert d == {
        "design": "crossed with missing ratings: the two-way forms use the 2 units rated by all 3 raters, "
        "the one-way forms all 3 units rated at least twice",
        "supported_forms": ["ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)"],
        "n_units_two_way": 2, "n_units_one_way": 3, "ratings_per_unit": [2, 3], "balanced": False,
    }  # fmt: skip
    crossed = icc_design(matrix(rows[:2], "interval"))
    assert crossed["design"].startswith("fully crossed") and crossed["balanced"] is True
    assert (
        crossed["n_units_two_way"],
        crossed["n_units_one_way"],
        crossed["ratings_per_unit"],
    ) == (2, 2, [3])
    rotating = icc_design(matrix([[1, 2, None], [None, 3, 4]], "interval"))
    assert (
        rotating["supported_forms"] == ["ICC(1,1)", "ICC(1,k)"] and rotating["n_units_two_way"] == 0
    )
    assert icc_design(matrix([[1, 2, None]], "interval"))["supported_forms"] == []
    alone = icc_design(matrix([[1], [2]], "interval"))
    assert (alone["n_units_two_way"], alone["n_units_one_way"], alone["supported_forms"]) == (
        0,
        0,
        [],
    )
    pair = icc_design(matrix([[1, 2], [3, 3], [4, 5]], "interval"))
    assert pair["design"] == "fully crossed: every unit rated by all 2 raters"
    assert pair["n_units_two_way"] == 3
    icc = icc_all(matrix(rows, "interval"))
    assert icc["ICC(2,1)"].n_units == 2 and icc["ICC(2,1)"].extra["units_dropped_incomplete"] == 2
    assert "units_dropped_incomplete" not in icc_all(matrix(rows[:2], "interval"))["ICC(2,1)"].extra


def test_two_way_icc_on_exactly_two_complete_units_matches_pingouin():
    import pingouin as pg

    rows = [[1, 2, 3], [2, 2, 4]]
    icc = icc_all(matrix(rows, "interval"))
    long = pd.DataFrame(
        [(u, r, v) for u, row in enumerate(rows) for r, v in enumerate(row)],
        columns=["u", "r", "v"],
    )
    ref = pg.intraclass_corr(long, "u", "r", "v").set_index("Type")["ICC"]
    assert icc["ICC(2,1)"].value == pytest.approx(ref["ICC(A,1)"], abs=1e-12)
    assert icc["ICC(3,k)"].value == pytest.approx(ref["ICC(C,k)"], abs=1e-12)


def test_the_icc_functions_default_to_95_percent_intervals():
    from rupture_coder.agreement.icc import one_way, two_way

    m = matrix(SHROUT_FLEISS, "interval")
    full = icc_all(m)
    assert one_way(m)["ICC(1,1)"].ci95 == full["ICC(1,1)"].ci95
    assert two_way(m)["ICC(2,1)"].ci95 == full["ICC(2,1)"].ci95
    rotating = two_way(matrix([[1, 3, None], [None, 5, 7]], "interval"))
    assert rotating["ICC(2,1)"].n_units == 0
    assert "use the one-way ICC(1,1)" in rotating["ICC(2,1)"].reason


def test_one_way_icc_on_exactly_two_units():
    """Two units (1, 3) and (5, 7): MSB = 2 * (2 - 4)^2 * 2 / 1 = 16, MSW = (2 + 2) / 2 = 2, k = 2:
    ICC(1,1) = 14 / 18, ICC(1,k) = 14 / 16. Units (0, 2) and (2, 4): SS between = SS within = 4,
    MSB 4, MSW 2: ICC(1,1) = 2 / 6."""
    icc = icc_all(matrix([[1, 3, None], [None, 5, 7]], "interval"))
    assert icc["ICC(1,1)"].value == pytest.approx(14 / 18, abs=1e-14)
    assert icc["ICC(1,k)"].value == pytest.approx(14 / 16, abs=1e-14)
    assert icc["ICC(2,1)"].value is None and "use the one-way ICC(1,1)" in icc["ICC(2,1)"].reason
    equal = icc_all(matrix([[0, 2, None], [None, 2, 4]], "interval"))["ICC(1,1)"]
    assert equal.value == pytest.approx(1 / 3, abs=1e-14) and equal.extra["ms_between"] == 4.0
    one = icc_all(matrix([[1, 3, None], [None, 5, None]], "interval"))
    assert one["ICC(1,1)"].value is None and "fewer than two units" in one["ICC(1,1)"].reason


# -- the edges of the coefficients (each assertion pins a case a plausible slip would break) -------
def test_weight_matrices_over_the_scale_values_hand_computed():
    from rupture_coder.agreement.coefficients import alpha_weights, weight_matrix

    odd = matrix([[1, 3], [5, 5]], "interval", categories=[1, 3, 5])
    assert weight_matrix(odd, "linear").tolist() == [[1, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 1]]
    assert weight_matrix(odd, "quadratic").tolist() == [[1, 0.75, 0], [0.75, 1, 0.75], [0, 0.75, 1]]
    unit = matrix([[0, 1], [0.5, 1]], "interval", categories=[0, 0.5, 1])
    assert weight_matrix(unit, "linear").tolist() == [[1, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 1]]
    ratio = alpha_weights(matrix([[0, 1], [2, 2]], "ratio", categories=[0, 1, 2]))
    # Krippendorff's ratio metric ((c - k) / (c + k))^2: 0 with itself (also 0 and 0), 1 for 0 and
    # anything else, 1/9 for 1 and 2; agreement weights 1 - d / max d
    assert ratio.ravel().tolist() == pytest.approx([1, 0, 0, 0, 1, 8 / 9, 0, 8 / 9, 1], abs=1e-15)


def test_cohen_labels_small_tables_and_capped_intervals():
    rows = [[1, 1]] * 9 + [[0, 0], [0, 1]]
    m = matrix(rows, categories=[0, 1])
    k = cohen_kappa(m)
    assert k.name == "Cohen's kappa" and k.ci95[1] == 1.0 and k.value + Z95() * k.se > 1
    weighted = cohen_kappa(matrix(rows, "ordinal", categories=[0, 1, 2]), "linear")
    assert weighted.name == "Cohen's weighted kappa (linear weights)"
    two = cohen_kappa(matrix([[0, 1], [1, 1]], categories=[0, 1]))
    assert two.value == 0.0 and two.n_units == 2 and two.se is not None and two.ci95 is not None
    none = cohen_kappa(matrix([[0, None], [None, 1]], categories=[0, 1]))
    assert none.value is None and none.n_units == 0 and "no unit was rated by both" in none.reason
    # 7 units: PABAK = 2 * 5/7 - 1 = 3/7, rounded to 6 decimals in the JSON-ready extras
    seven = cohen_kappa(matrix([[0, 0]] * 3 + [[1, 1]] * 2 + [[0, 1], [1, 0]], categories=[0, 1]))
    assert seven.extra["pabak"] == 0.428571 and seven.extra["observed_agreement"] == 0.714286


def Z95() -> float:  # noqa: N802 - the name of the constant
    from rupture_coder.agreement.coefficients import Z95 as z

    return z


def test_fleiss_and_ac_on_two_units_names_and_rounded_extras():
    two = matrix([[1, 1, 2], [2, 2, 2]], categories=[1, 2])
    for stat in (fleiss_kappa(two), gwet_ac(two)):
        assert stat.value is not None and stat.se is not None and stat.n_units == 2
    assert fleiss_kappa(two).name == "Fleiss' kappa (Gwet's generalisation to missing ratings)"
    assert gwet_ac(two).name == "Gwet's AC1"
    ordinal = matrix([[1, 2, 2], [2, 3, 3]], "ordinal", categories=[1, 2, 3])
    assert fleiss_kappa(ordinal, "quadratic").name == "Fleiss' weighted kappa (quadratic weights)"
    assert gwet_ac(ordinal, "linear").name == "Gwet's AC2 (linear weights)"
    one = matrix([[1, 1], [2, None]], categories=[1, 2])
    assert fleiss_kappa(one).value is None and "only 1 unit" in fleiss_kappa(one).reason
    from test_agreement_stats import KRIPPENDORFF_2011

    f = fleiss_kappa(matrix(KRIPPENDORFF_2011))
    assert (f.extra["observed_agreement"], f.extra["chance_agreement"]) == (0.818182, 0.238715)
    lonely = fleiss_kappa(matrix([["a", None], [None, "b"]]))
    assert lonely.value is None and lonely.n_units == 0


def test_percent_agreement_and_alpha_on_the_smallest_samples():
    single = matrix([[1, 1], [2, None]], categories=[1, 2])
    assert percent_agreement(single).value == 1.0 and percent_agreement(single).n_units == 1
    # category 2 appears once: coincidences o(1,2) = o(2,1) = 1, n1 = 5, n2 = 1, N = 6;
    # D_o = 2/6, D_e = 2 * 5 * 1 / (6 * 5) = 1/3, alpha = 1 - D_o / D_e = 0
    rare = krippendorff_alpha(matrix([[1, 1], [1, 2], [1, 1]]))
    assert rare.value == pytest.approx(0.0, abs=1e-15)
    pair = krippendorff_alpha(matrix([[1, 1], [1, 2]]))  # two pairable units: an SE exists
    assert pair.se is not None and pair.ci95 is not None
    from test_agreement_stats import KRIPPENDORFF_2011

    capped = krippendorff_alpha(matrix(KRIPPENDORFF_2011))
    assert capped.ci95[1] == 1.0 and capped.value + capped.se * 2 > 1


def test_raters_who_differ_by_a_constant_on_identical_units_get_reasons_not_warnings():
    """Every unit 1 by rater A and 2 by rater B: no variance between units, all between raters."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        icc = icc_all(matrix([[1, 2], [1, 2], [1, 2]], "interval"))
    assert icc["ICC(3,1)"].value is None and "(0/0)" in icc["ICC(3,1)"].reason
    assert icc["ICC(2,1)"].value == pytest.approx(0.0, abs=1e-15)  # absolute agreement: none
