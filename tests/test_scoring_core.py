"""The scoring rules of docs/ratings.md on plain data, one rule at a time, at their boundaries."""

from __future__ import annotations

import pytest

from rupture_coder.codebook import load_codebook, parse_codebook_text
from rupture_coder.resources import codebooks_dir
from rupture_coder.services.segmentation import (
    GROUP,
    RawCode,
    SegmentSpan,
    locate,
    order_key,
    utterance_times,
)
from rupture_coder.study.scoring import (
    Placed,
    any_at_threshold,
    by_actor,
    by_level,
    duration,
    episodes,
    frequencies,
    marked_segments,
    per_five_minutes,
    place,
    rating_stats,
    rating_values,
    share_at_threshold,
)

IND = load_codebook(codebooks_dir() / "3rs-individual-1.1.0.yaml")
GRP = load_codebook(codebooks_dir() / "3rs-group-1.1.0.yaml")
OLD = load_codebook(codebooks_dir() / "3rs-individual-1.0.0.yaml")
SEGS = [SegmentSpan(0, "s1", 0.0, 300.0), SegmentSpan(1, "s2", 300.0, 600.0),
        SegmentSpan(2, "s3", 600.0, 840.0, partial=True)]  # fmt: skip
TIMES = [i * 60.0 for i in range(15)]  # utterance i (0-based) at 60 i s
AT = {i: i // 5 for i in range(15)}  # utterance position -> 0-based segment


def placed(*codes: RawCode, codebook=IND, times=TIMES) -> list[Placed]:
    out, outside = place(codes, codebook, SEGS, AT, times)
    assert outside == []
    return out


def utt(item: str, position: int, **kw) -> RawCode:
    return RawCode(item, position=position, **kw)


def test_utterance_times_inherit_the_last_known_time():
    assert utterance_times([None, None]) is None
    assert utterance_times([None, 5.0, None, 9.0]) == [0.0, 5.0, 5.0, 9.0]


def test_a_code_belongs_to_its_segment_form_utterance_or_time():
    assert locate(SEGS, RawCode("W2", segment_id="s2", position=1), AT) == 1  # the form wins
    assert locate(SEGS, utt("W2", 5), AT) == 1
    assert locate(SEGS, RawCode("W2", start_s=299.9), AT) == 0
    assert locate(SEGS, RawCode("W2", start_s=300.0), AT) == 1  # a boundary starts the next
    assert locate(SEGS, RawCode("W2", start_s=840.0), AT) == 2  # the session's last moment
    assert locate(SEGS, RawCode("W2", start_s=841.0), AT) is None
    assert locate(SEGS, RawCode("W2"), AT) is None
    assert locate(SEGS, RawCode("W2", segment_id="elsewhere"), AT) is None
    _placed, outside = place([RawCode("W2", start_s=900.0)], IND, SEGS, AT, TIMES)
    assert [c.start_s for c in outside] == [900.0]


def test_order_within_a_segment():
    marker_form = order_key(RawCode("W2", segment_id="s1"), "withdrawal", 0, TIMES)
    strategy_form = order_key(RawCode("R4", segment_id="s1"), "resolution", 0, TIMES)
    on_utterance = order_key(utt("W3", 2), "withdrawal", 0, TIMES)
    at_time = order_key(RawCode("R10", start_s=130.0), "resolution", 0, TIMES)
    assert marker_form < on_utterance < at_time < strategy_form
    assert at_time[2:4] == (130.0, 2)  # spoken during utterance 3 (0-based 2, from 120 s)
    same_moment = order_key(RawCode("R1", start_s=120.0), "resolution", 0, TIMES)
    assert on_utterance < same_moment and on_utterance[2:4] == same_moment[2:4]  # markers first
    own_time = order_key(utt("W2", 2, start_s=150.0), "withdrawal", 0, TIMES)
    assert own_time[2:4] == (150.0, 2)
    untimed = order_key(utt("W2", 4), "withdrawal", 0, None)
    assert untimed[2:4] == (0.0, 4)
    assert order_key(RawCode("R1", start_s=10.0), "resolution", 0, None)[2:4] == (10.0, -1)


def test_markers_join_an_episode_until_a_strategy_or_a_gap():
    found, unlinked = episodes(placed(utt("W2", 1), utt("C2", 6), utt("W3", 11)), 1, False)
    assert [e.markers for e in found] == [["W2", "C2", "W3"]] and unlinked == 0
    assert found[0].segments == [1, 2, 3] and found[0].pairing == [] and not found[0].repaired
    found, _ = episodes(placed(utt("W2", 1), utt("W3", 12)), 1, False)  # segment 3 after 1
    assert [e.markers for e in found] == [["W2"], ["W3"]]
    found, _ = episodes(placed(utt("W2", 1), utt("R4", 2), utt("W3", 3), utt("W4", 4)), 1, False)
    assert [(e.markers, e.repairs) for e in found] == [(["W2"], ["R4"]), (["W3", "W4"], [])]
    found, _ = episodes(placed(utt("W2", 1), utt("W2", 3)), 1, False)
    assert found[0].segments == [1] and found[0].markers == ["W2", "W2"]


@pytest.mark.parametrize(
    ("window", "credited"), [(0, ["R4"]), (1, ["R4", "R7"]), (2, ["R4", "R7", "R1"])]
)
def test_the_repair_window_counts_segments_after_the_last_marker(window, credited):
    codes = placed(utt("W2", 0), utt("R4", 1), utt("R7", 6), utt("R1", 11))
    found, unlinked = episodes(codes, window, False)
    assert [e.repairs for e in found] == [credited] and unlinked == 3 - len(credited)
    late = placed(utt("C5", 6), utt("R1", 11))
    found, unlinked = episodes(late, window, False)
    assert found[0].repaired == (window >= 1) and unlinked == (0 if window >= 1 else 1)


def test_a_strategy_before_any_rupture_is_unlinked_and_other_items_are_ignored():
    bad = parse_codebook_text(
        (codebooks_dir() / "3rs-individual-1.0.0.yaml")
        .read_text(encoding="utf-8")
        .replace("rupture_type: resolution", "rupture_type: other")
    )
    found, unlinked = episodes(placed(utt("R4", 0), utt("W2", 1)), 1, False)
    assert unlinked == 1 and found[0].repairs == []
    found, unlinked = episodes(placed(utt("W2", 0), utt("R4", 1), codebook=bad), 1, False)
    assert (unlinked, found[0].repairs) == (0, [])


def g(item, position, actor, target, level) -> RawCode:
    return RawCode(item, position=position, actor=actor, target=target, level=level)


def test_group_repairs_answer_the_same_two_parties_or_the_group_level():
    codes = placed(
        g("W2", 1, "Ann", "Leader", "member-therapist"),
        g("C2", 2, "Bob", "Ann", "member-member"),
        g("W4", 3, "Bob", GROUP, "member-group"),
        g("R4", 4, "Leader", "Ann", "therapist-member"),  # answers Ann–Leader
        g("R10", 5, "Leader", GROUP, "therapist-group"),  # answers Bob–group only
        g("R1", 6, "Bob", "Ann", "member-member"),  # the actor repairs his own rupture
        codebook=GRP,
    )
    found, unlinked = episodes(codes, 1, True)
    got = {tuple(e.pairing): (e.markers, e.repairs, e.level) for e in found}
    assert got == {
        ("Ann", "Leader"): (["W2"], ["R4"], "member-therapist"),
        ("Ann", "Bob"): (["C2"], ["R1"], "member-member"),
        ("Bob", "group"): (["W4"], ["R10"], "member-group"),
    }
    assert unlinked == 0
    levels = by_level(codes, found, GRP)
    assert levels["member-member"]["episodes"] == 1
    assert levels["therapist-group"]["segments_with_resolution"] == 1
    lone = placed(g("R10", 1, "Leader", GROUP, "therapist-group"), codebook=GRP)
    assert episodes(lone, 1, True) == ([], 1)
    found, _ = episodes(placed(g("W2", 1, "Ann", "Leader", "member-therapist"), g("W3", 2, "Bob", "Leader", "member-therapist"), codebook=GRP), 1, True)  # fmt: skip
    assert len(found) == 2  # two members, two episodes
    assert by_level(placed(utt("W2", 1)), [], IND) == {}
    assert by_actor(codes, GRP)["Bob"] == {"withdrawal": 1, "confrontation": 1, "resolution": 1}


COUNT = parse_codebook_text(
    (codebooks_dir() / "3rs-individual-1.1.0.yaml")
    .read_text(encoding="utf-8")
    .replace('        hotkey: "2"\n', '        hotkey: "2"\n        kind: count\n')
)


def test_frequencies_count_segments_and_count_items_add_counts():
    codes = placed(
        utt("W2", 0, count=3), utt("W2", 1, count=2), utt("W2", 6, count=1),
        utt("W3", 1), utt("W3", 2), utt("C2", 7), utt("R1", 2), utt("R2", 3), utt("R4", 11),
        codebook=COUNT,
    )  # fmt: skip
    f = frequencies(codes, COUNT)
    assert (f.item_frequency["W2"], f.item_segments["W2"]) == (6, 2)
    assert (f.item_frequency["W3"], f.item_segments["W3"]) == (1, 1)
    assert f.category_frequency == {"withdrawal": 7, "confrontation": 1, "resolution": 3}
    assert f.family_frequency == {"immediate": 2, "exploratory": 1, "indirect": 0}
    assert f.family_segments == {"immediate": 1, "exploratory": 1, "indirect": 0}
    assert f.segments_with == {"withdrawal": 2, "confrontation": 1, "resolution": 2, "any": 2}
    assert frequencies(placed(utt("W2", 0), codebook=OLD), OLD).family_frequency == {}
    uncoded = frequencies(placed(utt("W3", 0), codebook=COUNT), COUNT)
    assert (uncoded.item_frequency["W2"], uncoded.item_segments["W2"]) == (0, 0)


def test_rating_values_rated_na_implied_missing():
    codes = placed(utt("W2", 0), utt("C2", 6))
    given = {(0, "withdrawal_impact"): (3, False), (1, "segment_resolution"): (None, True),
             (2, "segment_resolution"): (4, False)}  # fmt: skip
    values = rating_values(IND, 3, given, marked_segments(codes, IND))
    assert marked_segments(codes, IND) == {"withdrawal": {0}, "confrontation": {1}}
    assert values["withdrawal_impact"] == [("rated", 3), ("implied", 1), ("implied", 1)]
    assert values["confrontation_impact"] == [("implied", 1), ("missing", None), ("implied", 1)]
    assert values["segment_resolution"] == [("missing", None), ("na", None), ("rated", 4)]
    w = rating_stats(values["withdrawal_impact"])
    assert (w.mean, w.max, w.n, w.rated, w.implied, w.na, w.missing) == (1.6667, 3, 3, 1, 2, 0, 0)
    r = rating_stats(values["segment_resolution"])
    assert (r.mean, r.max, r.n, r.rated, r.na, r.missing) == (4.0, 4, 1, 1, 1, 1)
    assert rating_stats([("missing", None)]).mean is None


def test_shares_at_the_threshold_count_values_equal_to_it():
    column = [("rated", 3), ("rated", 2), ("implied", 1), ("missing", None)]
    assert share_at_threshold(column, 3) == 0.3333  # rounded to 4 decimals, as documented
    assert share_at_threshold(column, 2) == 0.6667
    assert share_at_threshold([("missing", None)], 3) is None
    other = [("rated", 1), ("rated", 1), ("missing", None), ("rated", 4)]
    # T = 3: segment 1 hit, 2 decided (2 and 1), 3 undecided (1 and missing), 4 hit
    assert any_at_threshold([column, other], 3) == 0.6667
    assert any_at_threshold([column, other], 2) == 1.0
    assert any_at_threshold([[("missing", None)], [("missing", None)]], 3) is None


def test_rates_use_the_real_length_of_a_partial_segment():
    assert duration(SEGS) == 840.0
    assert duration([SegmentSpan(0, "a", None, None)]) is None and duration([]) is None
    assert per_five_minutes(3, 840.0) == 1.0714
    assert duration([SegmentSpan(0, "a", 0.0, None)]) is None
    assert duration([SegmentSpan(0, "a", None, 300.0)]) is None
    assert per_five_minutes(3, None) is None and per_five_minutes(0, 840.0) == 0.0


def test_an_episode_says_where_it_starts():
    codes = placed(
        utt("W2", 0), utt("R1", 1), RawCode("C2", start_s=400.0), utt("R4", 8),
        RawCode("W3", segment_id="s3"),
    )  # fmt: skip
    found, unlinked = episodes(codes, 1, False)
    assert unlinked == 0
    assert [(e.position, e.start_s) for e in found] == [(0, None), (6, 400.0), (None, None)]
    assert found[0].to_json() == {
        "pairing": [], "level": None, "segments": [1], "markers": ["W2"], "repairs": ["R1"],
        "repaired": True, "utterance": 1, "time_s": None,
    }  # fmt: skip
    assert found[1].to_json()["utterance"] == 7 and found[1].to_json()["time_s"] == 400.0
    assert found[2].to_json()["utterance"] is None and not found[2].repaired


def test_placement_and_episodes_go_on_past_codes_they_leave_out():
    codes, outside = place([RawCode("W2", start_s=900.0), utt("W3", 1)], IND, SEGS, AT, TIMES)
    assert [p.item_id for p in codes] == ["W3"] and [c.item_id for c in outside] == ["W2"]
    bad = parse_codebook_text(
        (codebooks_dir() / "3rs-individual-1.0.0.yaml")
        .read_text(encoding="utf-8")
        .replace("rupture_type: resolution", "rupture_type: other")
    )
    found, _ = episodes(placed(utt("R4", 0), utt("W2", 1), codebook=bad), 1, False)
    assert [e.markers for e in found] == [["W2"]]


def test_a_media_session_without_a_transcript_places_codes_by_time_alone():
    codes, outside = place(
        [RawCode("W2", start_s=100.0), RawCode("R4", start_s=50.0)], IND, SEGS, {}, None
    )
    assert outside == [] and [p.item_id for p in codes] == ["R4", "W2"]
    found, unlinked = episodes(codes, 1, False)
    assert [(e.position, e.start_s, e.repairs) for e in found] == [
        (None, 100.0, [])
    ] and unlinked == 1


def test_locate_segment_by_utterance_position_includes_both_ends():
    from types import SimpleNamespace

    from rupture_coder.services.segmentation import locate_segment

    segs = [SimpleNamespace(id="a", first_position=0, last_position=4, start_s=0.0, end_s=300.0),
            SimpleNamespace(id="b", first_position=5, last_position=9, start_s=300.0, end_s=540.0)]  # fmt: skip
    assert [locate_segment(segs, None, p, None).id for p in (0, 4, 5, 9)] == ["a", "a", "b", "b"]
    assert locate_segment(segs, None, 10, None) is None
    assert locate_segment(segs, None, None, 540.0 + 1e-9).id == "b"  # a rounding error past the end
    assert locate_segment(segs, None, None, 540.1) is None
