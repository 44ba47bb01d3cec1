"""The session scores of docs/ratings.md, each on the hand-built session of its worked example.

Every number asserted here is worked out by hand in docs/ratings.md (the example of the same
number); the sessions reach the project through ``codes import``, as a lab's spreadsheets would.
"""

from __future__ import annotations

import pandas as pd
import pytest
from score_sessions import (
    IND10,
    IND11,
    load,
    rater_id,
    rating_rows,
    register,
    session_id,
    summary,
    timed_session,
)

from rupture_coder.resources import codebooks_dir
from rupture_coder.services.project import RegisterCodebook
from rupture_coder.study.exports import study_tables
from rupture_coder.study.tables import load_study

HEAD = "session,item,utterance,time_s,segment"


def test_example_1_a_strategy_on_the_segment_form_answers_its_segment(service, tmp_path):
    timed_session(service, "E1", n=10, step=60)
    load(
        service,
        tmp_path,
        "Ann",
        f"""{HEAD}
E1,W2,,,1
E1,W3,,,1
E1,R4,,,1
E1,W5,,,2
E1,R9,7,,""",
    )
    s = summary(service, "E1", "Ann")
    assert (s.segments, s.episodes, s.episodes_repaired, s.unlinked_strategies) == (2, 2, 2, 0)
    first, second = s.episode_list
    assert (first.markers, first.repairs, first.segments) == (["W2", "W3"], ["R4"], [1])
    assert (second.markers, second.repairs, second.segments) == (["W5"], ["R9"], [2])


def test_example_2_time_only_and_utterance_codes_share_one_clock(service, tmp_path):
    timed_session(service, "E2", n=15, step=60)
    load(
        service,
        tmp_path,
        "Ann",
        f"""{HEAD}
E2,W2,3,,
E2,R10,,280,
E2,R1,,610,
E2,C2,12,,""",
    )
    s = summary(service, "E2", "Ann")
    assert (s.episodes, s.episodes_repaired, s.unlinked_strategies) == (2, 1, 1)
    first, second = s.episode_list
    assert (first.markers, first.repairs) == (["W2"], ["R10"])
    assert (second.markers, second.repairs, second.repaired) == (["C2"], [], False)


def test_example_3_episodes_not_markers(service, tmp_path):
    timed_session(service, "E3", n=20, step=60)
    load(
        service,
        tmp_path,
        "Ann",
        f"""{HEAD}
E3,W2,2,,
E3,W3,3,,
E3,C2,4,,
E3,R4,5,,
E3,R7,7,,
E3,W5,12,,
E3,W4,17,,""",
    )
    s = summary(service, "E3", "Ann")
    assert (s.episodes, s.episodes_repaired) == (2, 1)
    assert (s.episodes_with_withdrawal, s.episodes_with_confrontation) == (2, 1)
    first, second = s.episode_list
    assert (first.markers, first.repairs, first.segments) == (["W2", "W3", "C2"], ["R4", "R7"], [1])
    assert (second.markers, second.repairs, second.segments) == (["W5", "W4"], [], [3, 4])


@pytest.mark.parametrize(("window", "repaired", "unlinked"), [(0, 0, 2), (1, 1, 1), (2, 2, 0)])
def test_example_3b_the_repair_window(service, tmp_path, window, repaired, unlinked):
    timed_session(service, "E3b", n=30, step=60)
    load(
        service,
        tmp_path,
        "Ann",
        f"""{HEAD}
E3b,W2,2,,
E3b,R4,7,,
E3b,C5,17,,
E3b,R1,27,,""",
    )
    s = summary(service, "E3b", "Ann", repair_window=window)
    assert (s.segments, s.repair_window) == (6, window)
    assert (s.episodes, s.episodes_repaired, s.unlinked_strategies) == (2, repaired, unlinked)


def test_example_4_frequencies_count_segments_not_codes(service, tmp_path):
    timed_session(service, "E4", n=10, step=60)
    load(service, tmp_path, "Ann", f"{HEAD}\nE4,W3,2,,\nE4,W3,3,,\nE4,W3,4,,")
    load(service, tmp_path, "Bob", f"{HEAD}\nE4,W3,3,,")
    for name in ("Ann", "Bob"):
        s = summary(service, "E4", name)
        assert (s.item_segments["W3"], s.item_frequency["W3"]) == (1, 1)
        assert s.category_frequency == {"withdrawal": 1, "confrontation": 0, "resolution": 0}
    study = load_study(service.project, "session-frequency", ["Ann", "Bob"], codebook=IND10)
    tables = {t.key: t.data for t in study.tables}
    assert tables["W3"].value.tolist() == [1, 1]
    assert tables["withdrawal"].value.tolist() == [1, 1]


COUNT_CODEBOOK = (
    (codebooks_dir() / "3rs-individual-1.0.0.yaml")
    .read_text(encoding="utf-8")
    .replace("id: 3rs-individual\n", "id: count-test\n")
    .replace('        hotkey: "2"\n', '        hotkey: "2"\n        kind: count\n')
)


def test_example_5_count_items_add_their_counts_everywhere(service, tmp_path):
    service.run(RegisterCodebook(COUNT_CODEBOOK, "count-test.yaml"))
    timed_session(service, "E5", n=10, step=60, codebook=("count-test", "1.0.0"))
    load(
        service,
        tmp_path,
        "Ann",
        """session,item,utterance,count
E5,W2,2,3
E5,W2,4,1
E5,W2,8,2""",
    )
    s = summary(service, "E5", "Ann")
    assert (s.item_frequency["W2"], s.item_segments["W2"]) == (6, 2)
    assert s.category_frequency["withdrawal"] == 6
    study = load_study(service.project, "session-frequency", codebook=("count-test", "1.0.0"))
    assert next(t for t in study.tables if t.key == "W2").data.value.tolist() == [6]
    segments = study_tables(service.project)["segments"]
    w2 = segments[(segments.session == "E5") & (segments["item"] == "W2")]
    assert w2.value.tolist() == [4, 2]
    summaries = study_tables(service.project)["summaries"]
    assert summaries.loc[summaries.session == "E5", "withdrawal_frequency"].tolist() == [6]


def test_example_6_blanks_where_no_marker_is_coded_mean_none(service, tmp_path):
    timed_session(service, "E6", n=30, step=60)
    load(
        service,
        tmp_path,
        "Ann",
        f"{HEAD}\nE6,W2,2,,",
        "session,segment,scale,value\nE6,1,withdrawal_impact,3",
    )
    load(service, tmp_path, "Bob", f"{HEAD}\nE6,W2,2,,",
         "session,segment,scale,value\n" + rating_rows("E6", "withdrawal_impact", [3, 1, 1, 1, 1, 1]))  # fmt: skip
    load(service, tmp_path, "Cem", f"{HEAD}\nE6,W2,2,,\nE6,W3,8,,",
         "session,segment,scale,value\nE6,1,withdrawal_impact,4")  # fmt: skip
    ann, bob, cem = (summary(service, "E6", n) for n in ("Ann", "Bob", "Cem"))
    for s in (ann, bob):
        w = s.ratings["withdrawal_impact"]
        assert (w.mean, w.max, w.n) == (pytest.approx(1.3333, abs=1e-4), 3, 6)
        assert s.share_at_threshold["withdrawal"] == pytest.approx(0.1667, abs=1e-4)
    assert (ann.ratings["withdrawal_impact"].rated, ann.ratings["withdrawal_impact"].implied) == (
        1,
        5,
    )
    assert (bob.ratings["withdrawal_impact"].rated, bob.ratings["withdrawal_impact"].implied) == (
        6,
        0,
    )
    c = ann.ratings["confrontation_impact"]
    assert (c.mean, c.max, c.n, c.implied) == (1.0, 1, 6, 6)
    assert ann.share_at_threshold["confrontation"] == 0.0
    r = ann.ratings["segment_resolution"]
    assert (r.mean, r.max, r.n, r.missing) == (None, None, 0, 6)
    w = cem.ratings["withdrawal_impact"]
    assert (w.mean, w.max, w.n, w.missing) == (1.6, 4, 5, 1)
    assert cem.share_at_threshold["withdrawal"] == 0.2
    assert any(
        "segment 2: Withdrawal impact is not rated although W3 is coded" in w for w in cem.warnings
    )
    assert not ann.complete and any("not marked complete" in w for w in ann.warnings)
    study = load_study(service.project, "segment-rating", ["Ann", "Bob"], codebook=IND10)
    assert study.warnings == [
        "Ann has not marked session 'E6' complete: its scores may change",
        "Bob has not marked session 'E6' complete: its scores may change",
    ]
    table = next(t for t in study.tables if t.key == "withdrawal_impact").data
    wide = table.pivot(index="unit", columns="rater", values="value")
    assert len(wide) == 6 and (wide.Ann == wide.Bob).all()


def test_example_7_shares_rates_and_families(service, tmp_path):
    register(service, IND11)
    timed_session(service, "E7", n=20, step=60, codebook=IND11)
    load(service, tmp_path, "Ann", f"""{HEAD}
E7,W2,2,,
E7,R1,3,,
E7,R2,4,,
E7,C3,7,,
E7,W3,16,,
E7,W4,17,,
E7,R4,18,,
E7,R10,19,,""", "session,segment,scale,value\n" + rating_rows("E7", "withdrawal_impact", [2, 1, 1, 3])
        + "\n" + rating_rows("E7", "confrontation_impact", [1, 3, 1, 1]))  # fmt: skip
    s = summary(service, "E7", "Ann")
    assert (s.segments, s.partial_segments, s.duration_s) == (4, 1, 1140.0)
    assert (s.episodes, s.episodes_repaired) == (3, 2)
    assert (s.segments_with_withdrawal, s.segments_with_confrontation) == (2, 1)
    assert (s.segments_with_any_marker, s.rupture_share) == (3, 0.75)
    assert s.share_at_threshold == {"withdrawal": 0.25, "confrontation": 0.25}
    assert s.rupture_share_at_threshold == 0.5
    assert s.ruptures_per_5_min == pytest.approx(0.7895, abs=1e-4)
    assert s.category_frequency == {"withdrawal": 3, "confrontation": 1, "resolution": 4}
    assert s.family_frequency == {"immediate": 2, "exploratory": 1, "indirect": 1}
    assert s.family_segments == {"immediate": 1, "exploratory": 1, "indirect": 1}
    assert (s.ratings["withdrawal_impact"].mean, s.ratings["withdrawal_impact"].max) == (1.75, 3)
    assert (s.ratings["confrontation_impact"].mean, s.ratings["confrontation_impact"].max) == (
        1.5,
        3,
    )
    two = summary(service, "E7", "Ann", impact_threshold=2)
    assert two.share_at_threshold == {"withdrawal": 0.5, "confrontation": 0.25}
    assert two.rupture_share_at_threshold == 0.75
    # the exports and the session report carry the same numbers (one implementation)
    row = study_tables(service.project)["summaries"].set_index("session").loc["E7"]
    assert (row.episodes, row.episodes_repaired, row.segments_with_any_marker) == (3, 2, 3)
    assert row.ruptures_per_5_min == pytest.approx(0.7895, abs=1e-4)
    assert row.family_immediate_frequency == 2 and row.impact_threshold == 2


def test_a_1_0_0_session_has_no_families_and_keeps_its_scores(service, tmp_path):
    timed_session(service, "old", n=10, step=60)
    load(service, tmp_path, "Ann", f"{HEAD}\nold,W2,2,,\nold,R1,3,,")
    s = summary(service, "old", "Ann")
    assert s.family_frequency == {} and (s.episodes, s.episodes_repaired) == (1, 1)


def test_summary_of_a_session_without_codes(service):
    timed_session(service, "empty", n=10, step=60)
    from rupture_coder.services.project import AddRater

    service.run(AddRater("Ann"))
    s = summary(service, "empty", "Ann")
    assert (s.episodes, s.segments_with_any_marker, s.rupture_share) == (0, 0, 0.0)
    assert s.ruptures_per_5_min == 0.0
    assert s.ratings["withdrawal_impact"].mean == 1.0  # nothing coded, nothing rated: none
    assert isinstance(pd.DataFrame([s.to_json()]), pd.DataFrame)
    assert s.session_id == session_id(service, "empty") and rater_id(service, "Ann")
