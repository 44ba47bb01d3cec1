"""Agreement statistics: published worked examples, undefined cases, and cross-checks against
reference packages on random tables."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rupture_coder.agreement import analyze, from_long
from rupture_coder.agreement.coefficients import (
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    percent_agreement,
)
from rupture_coder.agreement.events import Event, event_kappa, match_events, time_kappa
from rupture_coder.agreement.icc import icc_all
from rupture_coder.agreement.tables import RatingMatrix

DATA = Path(__file__).parent / "data"


def matrix(rows, level="nominal", categories=None) -> RatingMatrix:
    """Build from a units x raters list (None: missing) through the tidy-table path."""
    long = [
        {"unit": u, "rater": f"r{r}", "value": v}
        for u, row in enumerate(rows)
        for r, v in enumerate(row)
        if v is not None
    ]
    return from_long(pd.DataFrame(long), level=level, categories=categories)


# -- Shrout & Fleiss (1979), Table 2 -----------------------------------------------------------
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def test_shrout_fleiss_table_2():
    icc = icc_all(matrix(SHROUT_FLEISS, "interval"))
    published = {
        "ICC(1,1)": 0.17,
        "ICC(2,1)": 0.29,
        "ICC(3,1)": 0.71,
        "ICC(1,k)": 0.44,
        "ICC(2,k)": 0.62,
        "ICC(3,k)": 0.91,
    }
    assert {form: round(icc[form].value, 2) for form in published} == published
    assert "ICC(A,1)" in icc["ICC(2,1)"].name and "ICC(C,k)" in icc["ICC(3,k)"].name
    assert icc["ICC(2,1)"].band == "poor" and icc["ICC(3,k)"].band == "excellent"


def test_shrout_fleiss_mean_squares_and_intervals_with_their_degrees_of_freedom():
    """Shrout & Fleiss (1979) Table 2: BMS 11.24, WMS 6.26, JMS 32.49, EMS 1.02 (n = 6, k = 4).
    One-way F = BMS/WMS on (5, 18) df; two-way F = BMS/EMS on (5, 15) df. The bounds are R's
    psych::ICC on the same table: ICC1 [-.133, .723], ICC3 [.342, .946], ICC1k [-.884, .912],
    ICC3k [.676, .986], ICC2 [.019, .761], ICC2k [.071, .927]."""
    from scipy.stats import f

    icc = icc_all(matrix(SHROUT_FLEISS, "interval"))
    one, three = icc["ICC(1,1)"].extra, icc["ICC(3,1)"].extra
    assert (round(one["ms_between"], 2), round(one["ms_within"], 2)) == (11.24, 6.26)
    assert (one["ms_between"], one["ms_within"], three["ms_error"]) == (
        11.241667,
        6.263889,
        1.019444,
    )
    assert (
        round(three["ms_rows"], 2),
        round(three["ms_columns"], 2),
        round(three["ms_error"], 2),
    ) == (11.24, 32.49, 1.02)
    assert (one["df1"], one["df2"], three["df1"], three["df2"]) == (5, 18, 5, 15)
    bms, wms, ems = 11.241666666666667, 6.2638888888888893, 1.0194444444444444
    f1, f3 = bms / wms, bms / ems
    f1l, f1u = f1 / f.ppf(0.975, 5, 18), f1 * f.ppf(0.975, 18, 5)
    f3l, f3u = f3 / f.ppf(0.975, 5, 15), f3 * f.ppf(0.975, 15, 5)
    expected = {
        "ICC(1,1)": ((f1l - 1) / (f1l + 3), (f1u - 1) / (f1u + 3)),
        "ICC(1,k)": (1 - 1 / f1l, 1 - 1 / f1u),
        "ICC(3,1)": ((f3l - 1) / (f3l + 3), (f3u - 1) / (f3u + 3)),
        "ICC(3,k)": (1 - 1 / f3l, 1 - 1 / f3u),
    }
    for form, (lo, hi) in expected.items():
        assert icc[form].ci95 == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12)), form
    psych = {"ICC(1,1)": (-0.133, 0.723), "ICC(3,1)": (0.342, 0.946), "ICC(1,k)": (-0.884, 0.912),
             "ICC(3,k)": (0.676, 0.986), "ICC(2,1)": (0.019, 0.761), "ICC(2,k)": (0.071, 0.927)}  # fmt: skip
    for form, bounds in psych.items():
        assert tuple(round(x, 3) for x in icc[form].ci95) == bounds, form


def test_icc_matches_pingouin_on_random_tables():
    import pingouin as pg

    rng = np.random.default_rng(7)
    # pingouin labels the forms with McGraw & Wong's names and rounds its CIs to 2 decimals
    names = {
        "ICC(1,1)": "ICC(1,1)",
        "ICC(A,1)": "ICC(2,1)",
        "ICC(C,1)": "ICC(3,1)",
        "ICC(1,k)": "ICC(1,k)",
        "ICC(A,k)": "ICC(2,k)",
        "ICC(C,k)": "ICC(3,k)",
    }
    for trial in range(5):
        n, k = rng.integers(5, 40), rng.integers(2, 6)
        truth = rng.normal(size=(n, 1))
        data = np.round(
            truth + rng.normal(scale=0.7, size=(n, k)) + rng.normal(scale=0.3, size=(1, k)), 2
        )
        ours = icc_all(matrix(data.tolist(), "interval"))
        long = pd.DataFrame(
            [(u, r, data[u, r]) for u in range(n) for r in range(k)], columns=["u", "r", "v"]
        )
        ref = pg.intraclass_corr(long, targets="u", raters="r", ratings="v").set_index("Type")
        for key, form in names.items():
            assert ours[form].value == pytest.approx(ref.loc[key, "ICC"], abs=1e-9), (trial, form)
            lo, hi = ref.loc[key, "CI95"]
            assert ours[form].ci95[0] == pytest.approx(lo, abs=0.006) and ours[form].ci95[
                1
            ] == pytest.approx(hi, abs=0.006)


# -- Krippendorff (2011), four coders, missing data ---------------------------------------------
KRIPPENDORFF_2011 = [  # units x coders A, B, C, D (None: not coded)
    [1, 1, None, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
    [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [None, 5, 5, 5], [None, None, 1, 1], [None, None, 3, None],
]  # fmt: skip


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_four_coders_with_missing_data(level, published):
    alpha = krippendorff_alpha(matrix(KRIPPENDORFF_2011, level))
    assert round(alpha.value, 3) == published
    assert alpha.n_units == 11  # unit 12 has a single value
    if level == "ordinal":
        assert alpha.ci95 is None and "no analytic standard error" in alpha.reason
    else:
        assert alpha.ci95[0] < alpha.value < alpha.ci95[1]


def test_gwet_2014_generalised_fleiss_and_ac1_on_the_same_data():
    """Gwet (2014) / R irrCAC on these 12 units: Fleiss 0.7612 (se 0.1530), AC1 0.7754 (se 0.1430);
    full precision from irrCAC's Python port (digits=15): 0.761169275422411 (se 0.153019203469492)
    and 0.775444068126995 (se 0.142949950640765), CI lower bounds 0.424376279378345 and
    0.46081334813208 (t on 11 df: unit 12, rated once, counts for chance agreement)."""
    m = matrix(KRIPPENDORFF_2011)
    fleiss, ac1 = fleiss_kappa(m), gwet_ac(m)
    assert (round(fleiss.value, 4), round(fleiss.se, 4)) == (0.7612, 0.1530)
    assert (round(ac1.value, 4), round(ac1.se, 5)) == (0.7754, 0.14295)
    assert fleiss.value == pytest.approx(0.761169275422411, abs=1e-14)
    assert fleiss.se == pytest.approx(0.153019203469492, abs=1e-14)
    assert fleiss.ci95 == (pytest.approx(0.424376279378345, abs=1e-11), 1.0)  # t.interval rounding
    assert ac1.value == pytest.approx(0.775444068126995, abs=1e-14)
    assert ac1.se == pytest.approx(0.142949950640765, abs=1e-14)
    assert ac1.ci95 == (pytest.approx(0.46081334813208, abs=1e-11), 1.0)
    assert fleiss.extra["n_units_chance"] == 12 and fleiss.n_units == 11
    assert percent_agreement(m).value == pytest.approx(9 / 11, abs=1e-15)


# -- Fleiss (1971) ------------------------------------------------------------------------------------
def test_fleiss_1971_psychiatric_diagnoses():
    counts = pd.read_csv(DATA / "fleiss1971.csv", comment="#")
    rows = [[cat for cat, n in row.items() for _ in range(n)] for _, row in counts.iterrows()]
    m = matrix(rows)
    assert m.n_units == 30 and m.n_raters == 6
    assert round(fleiss_kappa(m).value, 3) == 0.430
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    assert fleiss_kappa(m).value == pytest.approx(sm_fleiss(counts.to_numpy()), abs=1e-14)


# -- Cohen's kappa ------------------------------------------------------------------------------------
def test_cohen_kappa_two_by_two_example():
    """50 units: both yes 20, A yes/B no 5, A no/B yes 10, both no 15 -> po .70, pe .50, kappa .40."""
    rows = [["yes", "yes"]] * 20 + [["yes", "no"]] * 5 + [["no", "yes"]] * 10 + [["no", "no"]] * 15
    k = cohen_kappa(matrix(rows))
    assert k.value == pytest.approx(0.4)
    assert k.extra["observed_agreement"] == 0.7 and k.extra["chance_agreement"] == 0.5
    assert k.extra["confusion_matrix"] == {
        "categories": ["no", "yes"],
        "counts": [[15, 10], [5, 20]],
    }
    # Byrt, Bishop & Carlin (1993): prevalence |a-d|/n, bias |b-c|/n, PABAK 2po-1
    assert (k.extra["prevalence_index"], k.extra["bias_index"], k.extra["pabak"]) == (0.1, 0.1, 0.4)
    assert k.extra["max_kappa"] == pytest.approx((0.9 - 0.5) / 0.5)
    assert k.ci95[0] < 0.4 < k.ci95[1] and k.ci95[1] - k.ci95[0] == pytest.approx(
        2 * 1.959964 * k.se, rel=1e-4
    )


@pytest.mark.parametrize("weights", ["identity", "linear", "quadratic"])
def test_cohen_kappa_matches_scikit_learn_on_random_tables(weights):
    import sklearn.metrics as sk

    rng = np.random.default_rng(3)
    for _ in range(10):
        a = rng.integers(1, 6, size=80)
        b = np.clip(a + rng.integers(-1, 2, size=80), 1, 5)
        ours = cohen_kappa(
            matrix(np.c_[a, b].tolist(), "ordinal", categories=[1, 2, 3, 4, 5]), weights
        ).value
        ref = sk.cohen_kappa_score(
            a, b, weights=None if weights == "identity" else weights, labels=[1, 2, 3, 4, 5]
        )
        assert ours == pytest.approx(ref, abs=1e-14)


def test_alpha_and_fleiss_match_their_packages_on_random_tables_with_missing_data():
    import krippendorff
    from irrCAC.raw import CAC

    rng = np.random.default_rng(11)
    for _ in range(5):
        data = rng.integers(1, 4, size=(40, 3)).astype(float)
        data[rng.random(size=data.shape) < 0.15] = np.nan
        rows = [[None if math.isnan(v) else int(v) for v in row] for row in data]
        m = matrix(rows, "nominal")
        ref_alpha = krippendorff.alpha(reliability_data=data.T, level_of_measurement="nominal")
        assert krippendorff_alpha(m).value == pytest.approx(ref_alpha, abs=1e-9)
        ref_fleiss = CAC(pd.DataFrame(data), categories=[1, 2, 3], digits=15).fleiss()["est"]
        assert fleiss_kappa(m).value == pytest.approx(ref_fleiss["coefficient_value"], abs=1e-14)


# -- undefined cases are explained, never a bare NaN ----------------------------------------------
def test_undefined_cases_say_why():
    same = analyze(matrix([["a", "a"], ["a", "a"], ["a", "a"]]))
    assert (
        same["cohen_kappa"]["value"] is None
        and "chance agreement is 1" in same["cohen_kappa"]["reason"]
    )
    assert same["krippendorff_alpha"]["value"] is None and same["krippendorff_alpha"][
        "reason"
    ].startswith("not defined because")
    assert same["percent_agreement"]["value"] == 1.0
    lonely = analyze(matrix([["a", None], [None, "b"]]))
    assert lonely["n_units"] == 0
    assert all(
        lonely[k]["value"] is None and "no unit" in lonely[k]["reason"]
        for k in ("fleiss_kappa", "krippendorff_alpha")
    )
    flat = analyze(matrix([[3, 3], [3, 3], [3, 3]], "interval"))
    assert all(v["value"] is None and "same" in v["reason"] for v in flat["icc"].values())
    three = analyze(matrix([[1, 2, 1], [2, 2, 2]]))
    assert (
        three["cohen_kappa"]["value"] is None
        and "exactly two raters" in three["cohen_kappa"]["reason"]
    )
    text = str(same) + str(lonely) + str(flat)
    assert "nan" not in text.lower()


def test_tidy_table_errors_are_specific():
    df = pd.DataFrame({"unit": [1, 1, 2], "rater": ["a", "a", "b"], "value": ["x", "y", "x"]})
    with pytest.raises(ValueError, match="rater 'a' rated unit 1 more than once"):
        from_long(df)
    with pytest.raises(ValueError, match="no column 'score'"):
        from_long(df, value="score")
    with pytest.raises(ValueError, match="interval values must be numbers; found 'x'"):
        from_long(df.drop_duplicates(["unit", "rater"]), level="interval")


# -- time-coded events ---------------------------------------------------------------------------
def test_event_matching_by_onset_tolerance_and_overlap():
    a = [Event("a1", "W2", 10, 12), Event("a2", "C1", 30, 35), Event("a3", "R4", 60, 61)]
    b = [Event("b1", "W2", 11.5, 13), Event("b2", "C1", 34, 36), Event("b3", "R1", 90, 92)]
    onset = match_events(a, b, "onset", tolerance_s=2)
    assert [(p.a and p.a.id, p.b and p.b.id, p.agree) for p in onset] == [
        ("a1", "b1", True), ("a2", None, False), (None, "b2", False), ("a3", None, False), (None, "b3", False)
    ]  # fmt: skip
    overlap = match_events(a, b, "overlap")
    assert [(p.a and p.a.id, p.b and p.b.id) for p in overlap][:2] == [("a1", "b1"), ("a2", "b2")]
    k = event_kappa(overlap)
    assert k.extra["agreements"] == 2 and k.extra["pairs"] == 4
    # identical codings agree perfectly, event- and time-based
    assert event_kappa(match_events(a, a)).value == pytest.approx(1.0)
    assert time_kappa(a, a).value == pytest.approx(1.0)
    assert 0 < time_kappa(a, b).value < 1
