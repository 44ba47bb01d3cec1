"""Edges of the agreement statistics that mutation testing found unpinned (scripts/mutation.py
--target agreement-...): each case is computed by hand or by a reference package."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from test_agreement_designs import irrcac
from test_agreement_stats import matrix

from rupture_coder.agreement import analyze
from rupture_coder.agreement.specific import (
    kappa_per_category,
    positive_category,
    specific_agreement,
    within_one,
)


# -- specific.py -------------------------------------------------------------------------------------
def test_specific_agreement_counts_the_units_that_involve_its_category():
    """Units (1, 1), (1, 0), (0, 0), (0, None): agreement on 1 involves units 1 and 2 (one rating of
    1 is enough); on 0 units 2 and 3 (unit 4 is rated once). PA = 2*1 / (2*1 + 1) = 2/3."""
    spec = specific_agreement(matrix([[1, 1], [1, 0], [0, 0], [0, None]], categories=[0, 1]))
    one, zero = spec["1"][0], spec["0"][0]
    assert (one.n_units, zero.n_units) == (2, 2)
    assert one.value == pytest.approx(2 / 3) and zero.value == pytest.approx(2 / 3)


def test_a_named_positive_category_is_used_and_an_unknown_one_refused():
    m = matrix([["no", "yes"], ["yes", "yes"], ["no", "no"]])
    assert positive_category(m) == 1  # "yes" by default
    assert positive_category(m, "no") == 0 and positive_category(m, " YES ") == 1
    with pytest.raises(ValueError, match="--positive 'maybe' is not one of the categories"):
        positive_category(m, "maybe")
    out = analyze(m, positive="no")  # positive agreement on "no": 2*1 / (2*1 + 1)
    assert out["positive_agreement"]["value"] == pytest.approx(2 / 3)
    assert positive_category(matrix([["a", "b"], ["b", "b"]])) is None  # neither means present
    assert positive_category(matrix([[1, 2], [3, 3]])) is None  # three categories


def test_within_one_point_needs_three_points_and_one_unit_rated_twice():
    three = matrix([[1, 2], [1, 3], [2, 2]], "ordinal", categories=[1, 2, 3])
    stat, _ = within_one(three)  # (1,2) yes, (1,3) no, (2,2) yes
    assert stat.value == pytest.approx(2 / 3) and stat.n_units == 3
    assert within_one(matrix([[1, 2], [2, 2]], "ordinal", categories=[1, 2])) is None
    single = within_one(matrix([[1, 2], [3, None]], "ordinal", categories=[1, 2, 3]))[0]
    assert single.value == 1.0 and single.n_units == 1  # one unit rated twice is enough
    none = within_one(matrix([[1, None], [None, 3]], "ordinal", categories=[1, 2, 3]))[0]
    assert none.value is None and "no unit has ratings from two or more raters" in none.reason


def test_kappa_per_category_takes_chance_from_units_rated_once_like_irrcac():
    """Each category against the others is Fleiss' kappa on a two-category table; with units rated
    once it follows Gwet's convention as Fleiss' kappa does (irrCAC on the dichotomised data)."""
    rng = np.random.default_rng(61)
    data = rng.integers(1, 4, size=(25, 3)).astype(float)
    data[rng.random(data.shape) < 0.3] = np.nan
    data[:5, 1:] = np.nan  # five units rated once
    rows = [[None if math.isnan(v) else int(v) for v in r] for r in data]
    rows = [r for r in rows if any(v is not None for v in r)]
    per = kappa_per_category(matrix(rows, categories=[1, 2, 3]))
    for cat in (1, 2, 3):
        dichotomised = [[None if v is None else int(v == cat) for v in r] for r in rows]
        ref = irrcac(dichotomised, [0, 1]).fleiss()["est"]
        assert per[str(cat)][0].value == pytest.approx(ref["coefficient_value"], abs=1e-12), cat


def test_kappa_per_category_says_why_a_category_has_none_and_goes_on():
    per = kappa_per_category(matrix([[2, 3], [3, 3], [2, 2]], categories=[1, 2, 3]))
    assert list(per) == ["1", "2", "3"]  # the unused first category does not stop the others
    assert per["1"][0].value is None and per["1"][0].reason.endswith("no rater used 1")
    assert per["2"][0].value == pytest.approx(per["3"][0].value) and per["2"][0].value is not None
    same = kappa_per_category(matrix([[1, 1], [1, 1]], categories=[1, 2, 3]))
    assert same["1"][0].reason.endswith("every rating is 1")
    one = kappa_per_category(matrix([[1, 2], [3, None]], categories=[1, 2, 3]))
    assert one["2"][0].reason.endswith("fewer than two units were rated twice")


def test_agreement_on_na_with_two_raters_resamples_cohens_kappa():
    """The N/A kappa of two raters is Cohen's; its bootstrap estimator must be Cohen's too (at the
    full sample it gives the same value), not Fleiss' (pooled marginals: .780 instead of .783)."""
    from rupture_coder.agreement import bootstrap as bs
    from rupture_coder.agreement import from_long
    from rupture_coder.agreement.specific import na_agreement, na_matrix

    a = ["N/A", "N/A", "N/A", "N/A", 1, 2, 3, 4, 5, 5]
    b = ["N/A", "N/A", "N/A", 4, 1, 2, 3, 5, 5, 4]
    df = pd.DataFrame([(u, r, v) for u in range(10) for r, v in (("A", a[u]), ("B", b[u]))],
                      columns=["unit", "rater", "value"])  # fmt: skip
    m = from_long(df, level="ordinal", categories=[1, 2, 3, 4, 5], na_values=["N/A"])
    stat, factory = na_agreement(m)["kappa"]
    assert stat.value == pytest.approx((0.9 - 0.54) / 0.46, abs=1e-12)
    assert bs.point(factory(), na_matrix(m)) == pytest.approx(stat.value, abs=1e-12)


def test_a_rating_given_twice_names_its_rater_and_unit():
    from rupture_coder.agreement import from_long

    df = pd.DataFrame({"unit": [1, 2, 2, 3], "rater": ["a", "b", "b", "a"], "value": [1, 2, 3, 1]})
    with pytest.raises(ValueError, match="rater 'b' rated unit 2 more than once"):
        from_long(df)


def test_the_output_says_whether_the_categories_were_declared():
    from rupture_coder.agreement import from_long

    df = pd.DataFrame({"unit": [1, 1, 2, 2], "rater": ["a", "b"] * 2, "value": [1, 2, 2, 2]})
    assert analyze(from_long(df))["categories_declared"] is False
    declared = analyze(from_long(df, categories=[1, 2, 3]))
    assert declared["categories_declared"] is True and declared["categories"] == ["1", "2", "3"]


# -- events.py ---------------------------------------------------------------------------------------
def test_events_at_the_edge_of_the_tolerance_still_pair():
    """Onsets exactly the tolerance apart pair (any pair outweighs how close it is); intervals that
    do not overlap and are not point events never pair, however near."""
    from rupture_coder.agreement.events import Event, match_events

    for tolerance in (2.0, 5.0, 30.0):
        (pair,) = match_events([Event("a", "W2", 0.0, 0.0)], [Event("b", "W2", tolerance, tolerance)], "onset",
                               tolerance)  # fmt: skip
        assert pair.agree and pair.to_json()["onset_difference_s"] == tolerance
    apart = match_events([Event("a", "W2", 0.0, 10.0)], [Event("b", "W2", 12.0, 20.0)], "overlap")
    assert [(p.a is None, p.b is None) for p in apart] == [(False, True), (True, False)]
    touching = match_events([Event("a", "W2", 0.0, 10.0)], [Event("b", "W2", 5.0, 20.0)], "overlap")
    assert len(touching) == 1 and touching[0].agree


def test_an_interval_pairs_with_the_one_it_overlaps_most_of_their_union():
    """A 0-10 s; B 0-12 s (overlap 10 of a union of 12) and 6-10 s (4 of 10): the first fits."""
    from rupture_coder.agreement.events import Event, match_events

    pairs = match_events([Event("a", "W2", 0.0, 10.0)],
                         [Event("b1", "W2", 0.0, 12.0), Event("b2", "W2", 6.0, 10.0)], "overlap")  # fmt: skip
    assert [(p.a and p.a.id, p.b and p.b.id) for p in pairs] == [("a", "b1"), (None, "b2")]
    # B 0-11 s fits A 0-10 s (10 of 11) better than 2-40 s (8 of 40), though it overlaps more
    pairs = match_events([Event("a", "W2", 0.0, 10.0)],
                         [Event("b1", "W2", 0.0, 11.0), Event("b2", "W2", 2.0, 40.0)], "overlap")  # fmt: skip
    assert [(p.a and p.a.id, p.b and p.b.id) for p in pairs] == [("a", "b1"), (None, "b2")]
    # a point event exactly the tolerance after an interval's end pairs with it
    (pair,) = match_events(
        [Event("a", "W2", 12.0, 12.0)], [Event("b", "W2", 0.0, 10.0)], "overlap", 2.0
    )
    assert pair.agree
    assert (
        len(
            match_events(
                [Event("a", "W2", 12.5, 12.5)], [Event("b", "W2", 0.0, 10.0)], "overlap", 2.0
            )
        )
        == 2
    )


def test_one_same_code_pair_outweighs_any_number_of_other_pairs():
    """A's W2 at 3 s and B's W2 at 0.5 s agree; pairing them crosses every other possible pair, so
    the alternative is four pairs that all disagree. Same-code pairs come first."""
    from rupture_coder.agreement.events import Event, match_events

    a = [
        Event(f"a{i}", c, t, t)
        for i, (c, t) in enumerate([("C1", 0), ("C2", 1), ("C3", 2), ("W2", 3)])
    ]
    b = [
        Event(f"b{i}", c, t, t)
        for i, (c, t) in enumerate([("W2", 0.5), ("R1", 1.5), ("R2", 2.5), ("R3", 3.5)])
    ]
    pairs = [p for p in match_events(a, b, "onset", 5.0) if p.a and p.b]
    assert [(p.a.id, p.b.id, p.agree) for p in pairs] == [("a3", "b0", True)]


def test_the_events_table_counts_each_aligned_pair_once():
    from rupture_coder.agreement.events import Event, event_kappa, events_table, match_events

    a = [Event("a1", "W2", 10, 10), Event("a2", "C1", 30, 30), Event("a3", "R4", 60, 60)]
    b = [Event("b1", "W2", 10, 10), Event("b2", "C1", 31, 31), Event("b3", "R1", 90, 90)]
    pairs = match_events(a, b, "onset", 2.0)
    table, labels = events_table(pairs)
    assert labels == ["C1", "R1", "R4", "W2", "(none)"]
    assert table.tolist() == [[1, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 1], [0, 0, 0, 1, 0],
                              [0, 1, 0, 0, 0]]  # fmt: skip
    stat = event_kappa(pairs)
    assert stat.n_units == 4 and stat.extra["confusion_matrix"]["counts"] == table.tolist()


def test_any_tolerance_from_zero_is_accepted_and_a_negative_one_refused():
    from rupture_coder.agreement.events import Event, match_events

    a, b = [Event("a", "W2", 10.0, 10.0)], [Event("b", "W2", 10.4, 10.4)]
    assert len(match_events(a, b, "onset", 0.5)) == 1 and len(match_events(a, b, "onset", 0.0)) == 2
    with pytest.raises(ValueError, match="the tolerance must be 0 s or more, not -0.5"):
        match_events(a, b, "onset", -0.5)


def test_event_kappa_has_a_standard_error_from_two_pairs_on():
    from rupture_coder.agreement.events import Event, event_kappa, match_events

    a = [Event("a1", "W2", 10, 10), Event("a2", "C1", 30, 30), Event("a3", "R4", 60, 60)]
    b = [Event("b1", "W2", 10, 10), Event("b2", "C1", 31, 31), Event("b3", "R1", 90, 90)]
    assert event_kappa(match_events(a, b)).se is not None
    one = event_kappa(match_events(a[:1], [Event("b", "C1", 10, 10)]))
    assert one.n_units == 1 and one.se is None and one.ci95 is None


def test_time_agreement_within_the_tolerance_looks_both_ways():
    """A codes W2 at 5 s, B at 4 s; ticks of 1 s, tolerance 2 s: both ticks count as W2 agreed."""
    from rupture_coder.agreement.events import Event, time_table

    table, labels = time_table([Event("a", "W2", 5, 5)], [Event("b", "W2", 4, 4)], 1.0, None, 2.0)
    assert labels == ["W2", "(none)"] and table.tolist() == [[2, 0], [0, 4]]
    # a code only one rater gave is a disagreement, even with a tolerance: nothing matches it
    # (before, the other rater's "(none)" in a nearby tick was taken as agreeing with it)
    table, labels = time_table([], [Event("b", "W2", 10, 10)], 1.0, None, 2.0)
    assert labels == ["W2", "(none)"] and table.tolist() == [[0, 0], [1, 10]]
    table, labels = time_table([], [], 1.0)
    assert table.size == 0 and labels == []


def test_the_session_bootstrap_of_event_kappa_equals_a_slow_resampling():
    from rupture_coder.agreement.coefficients import kappa_from_table
    from rupture_coder.agreement.events import _bootstrap

    rng = np.random.default_rng(5)
    stack = rng.integers(0, 6, size=(12, 3, 3)).astype(float) + np.eye(3) * 8
    draws = np.random.default_rng(9).integers(0, 12, size=(200, 12))
    slow = [kappa_from_table(stack[d].sum(axis=0), np.eye(3))[0] for d in draws]
    lo, hi = np.percentile(slow, [2.5, 97.5])
    assert _bootstrap(stack, 200, 9) == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12))
    assert _bootstrap(stack[:3], 200, 9) is None  # too few sessions to resample


# -- bootstrap.py ------------------------------------------------------------------------------------
def test_the_bootstrap_description_names_fixed_clusters_only_when_there_are_some():
    from test_agreement_designs import clustered

    from rupture_coder.agreement import from_long

    df = clustered()
    m = from_long(df, level="nominal", categories=[0, 1], cluster="session")
    assert analyze(m, bootstrap=50, seed=2)["bootstrap"] == {
        "replicates": 50, "seed": 2, "resampled": "sessions", "n_clusters": 12,
        "method": "percentile", "note": "only 12 sessions to resample: the interval is rough",
    }  # fmt: skip
    # one more session whose only segment is rated once: it is in every replicate, and said so
    once = pd.concat([df, pd.DataFrame([{"unit": "s99/g0", "rater": "a", "value": 1,
                                         "session": "s99"}])])  # fmt: skip
    described = analyze(from_long(once, level="nominal", categories=[0, 1], cluster="session"),
                        bootstrap=50, seed=2)["bootstrap"]  # fmt: skip
    assert described["n_clusters"] == 12 and described["n_clusters_fixed"] == 1


def test_more_pairs_outweigh_closer_onsets():
    """Tolerance 30 s: A's X at 0 s and Y at 30 s, B's P at 30 s and Q at 60 s. Two pairs, each 30 s
    apart, beat the single pair Y-P at 0 s (most pairs first, then the closest onsets)."""
    from rupture_coder.agreement.events import Event, match_events

    a = [Event("a1", "X", 0, 0), Event("a2", "Y", 30, 30)]
    b = [Event("b1", "P", 30, 30), Event("b2", "Q", 60, 60)]
    pairs = [(p.a and p.a.id, p.b and p.b.id) for p in match_events(a, b, "onset", 30.0)]
    assert pairs == [("a1", "b1"), ("a2", "b2")]
