"""The placement of codes in transcript order (docs/ratings.md section 1): ``place_codes`` inlines the
common case, a code on an utterance, for speed at 50,000 codes; it must place every code exactly as
the rules themselves do (``place_code``: ``locate`` and ``order_key``), ties kept in input order."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from rupture_coder.codebook import load_codebook
from rupture_coder.resources import default_codebook_path
from rupture_coder.services.progress import place_code, place_codes
from rupture_coder.services.segmentation import SegmentSpan, utterance_times

CB = load_codebook(default_codebook_path())
ITEMS = [i.id for c in CB.categories for i in c.items] + ["X9"]  # X9: not in the codebook
N_UTT = 12
SPANS = [SegmentSpan(0, "s0", 0.0, 40.0), SegmentSpan(1, "s1", 40.0, 80.0),
         SegmentSpan(2, "s2", 80.0, 120.0)]  # fmt: skip
AT = {p: p // 4 for p in range(N_UTT) if p != 5}  # utterance 6 lies in no segment

code = st.tuples(
    st.sampled_from(ITEMS),
    st.one_of(st.none(), st.sampled_from(["s0", "s1", "s2", "gone"])),
    st.one_of(st.none(), st.integers(0, N_UTT - 1), st.just(N_UTT + 3)),  # + one past the end
    st.one_of(st.none(), st.floats(0, 130, allow_nan=False)),
)
starts = st.lists(
    st.one_of(st.none(), st.floats(1, 130, allow_nan=False)), min_size=N_UTT, max_size=N_UTT
)  # fmt: skip (from 1 s: a time of 0.0 hides a time not looked up)


@settings(max_examples=300, deadline=None)
@given(codes=st.lists(code, max_size=30), utterance_starts=starts)
@example(
    codes=[("W1", None, N_UTT - 1, None)], utterance_starts=[float(k + 1) for k in range(N_UTT)]
)
def test_the_fast_path_places_every_code_as_the_rules_do(codes, utterance_starts):
    times = utterance_times(utterance_starts)
    kind_of = {i.id: c.rupture_type for c in CB.categories for i in c.items}
    expected = sorted(
        (place_code(kind_of, SPANS, AT, times, *c) for c in codes), key=lambda p: p[0]
    )
    assert place_codes(CB, SPANS, AT, times, codes) == expected


def test_a_worked_case():
    times = [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
    placed = place_codes(
        CB, SPANS, {0: 0, 1: 0, 2: 0, 3: 0, 4: 1, 5: 1}, times,
        [("R1", None, 1, None), ("W1", None, 1, None), ("C1", None, 4, 41.0), ("W2", None, None, None)],
    )  # fmt: skip
    assert placed == [
        ((0, 0, 1, 10.0, 1, 0, "W1"), "W1", 0),  # at one moment, the marker before the strategy
        ((0, 0, 1, 10.0, 1, 1, "R1"), "R1", 0),
        ((0, 1, 1, 41.0, 4, 0, "C1"), "C1", 1),  # its own time, not its utterance's
        ((1,), "W2", None),  # anchored nowhere: last
    ]
