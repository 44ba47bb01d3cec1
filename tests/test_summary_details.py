"""Details of the session summary that a study relies on: its warnings word for word, codes outside
every segment, completion, the flat export row, and finding a session and a rater by name."""

from __future__ import annotations

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

from rupture_coder.errors import StudyError
from rupture_coder.services import queries
from rupture_coder.services.coding import AddCode, CodeSpec, SetRating
from rupture_coder.services.progress import MarkComplete
from rupture_coder.study.summaries import find_summary

HEAD = "session,item,utterance"


def test_missing_ratings_are_listed_six_at_most(service, tmp_path):
    timed_session(service, "S", n=10, step=60)
    session_ratings = "\n".join(
        f"S,,{r},{v}"
        for r, v in (("session_resolution", 3), ("therapist_contribution", 2),
                     ("overall_withdrawal", 2), ("overall_confrontation", 1))
    )  # fmt: skip
    load(
        service,
        tmp_path,
        "Ann",
        f"{HEAD}\nS,W2,2\nS,W3,7",
        "session,segment,scale,value\n" + session_ratings,
    )
    s = summary(service, "S", "Ann")
    assert s.warnings[:2] == [
        "the session is not marked complete",
        "6 required rating(s) missing (segment 1: Withdrawal impact; segment 1: Confrontation impact; "
        "segment 1: Resolution in segment; segment 2: Withdrawal impact; segment 2: Confrontation impact; "
        "segment 2: Resolution in segment)",
    ]
    assert s.warnings[2:4] == [
        "segment 1: Withdrawal impact is not rated although W2 is coded (left out of the scores)",
        "segment 2: Withdrawal impact is not rated although W3 is coded (left out of the scores)",
    ]
    load(service, tmp_path, "Bob", f"{HEAD}\nS,W2,2\nS,W3,3")
    bob = summary(service, "S", "Bob")
    assert bob.warnings[1] == (
        "10 required rating(s) missing (segment 1: Withdrawal impact; segment 1: Confrontation impact; "
        "segment 1: Resolution in segment; segment 2: Withdrawal impact; segment 2: Confrontation impact; "
        "segment 2: Resolution in segment; and 4 more)"
    )
    assert (
        "segment 1: Withdrawal impact is not rated although W2, W3 are coded (left out of the scores)"
        in bob.warnings
    )
    # seven missing: the seventh is "1 more", not silently dropped
    load(service, tmp_path, "Cem", f"{HEAD}\nS,W2,2",
         "session,segment,scale,value\n" + "\n".join(session_ratings.splitlines()[1:]))  # fmt: skip
    assert summary(service, "S", "Cem").warnings[1].startswith("7 required rating(s) missing (")
    assert summary(service, "S", "Cem").warnings[1].endswith("; and 1 more)")


def test_a_complete_session_has_no_completion_warning(service, tmp_path):
    sid = timed_session(service, "S", n=10, step=60)
    load(service, tmp_path, "Ann", f"{HEAD}\nS,R4,2")
    ann = rater_id(service, "Ann")
    for seg in queries.segments(service.project, sid):
        for r in ("withdrawal_impact", "confrontation_impact"):
            service.run(SetRating(ann, IND10, r, 1, segment_id=seg.id))
        service.run(SetRating(ann, IND10, "segment_resolution", None, True, segment_id=seg.id))
    for r, v in (("session_resolution", None), ("therapist_contribution", 1),
                 ("overall_withdrawal", 1), ("overall_confrontation", 1)):  # fmt: skip
        service.run(SetRating(ann, IND10, r, v, v is None, session_id=sid))
    service.run(MarkComplete(sid, ann))
    s = summary(service, "S", "Ann")
    assert s.complete and s.warnings == [
        "R4 in segment 1: a resolution strategy with no rupture coded before it"
    ]
    assert (s.unlinked_strategies, s.session_ratings["session_resolution"]) == (1, "N/A")
    assert s.ratings["segment_resolution"].na == 2


def test_a_code_outside_every_segment_is_left_out_and_named(service, tmp_path):
    sid = timed_session(service, "S", n=10, step=60)  # ends at 540 s
    load(service, tmp_path, "Ann", f"{HEAD}\nS,W2,2")
    ann = rater_id(service, "Ann")
    service.run(AddCode(sid, ann, IND10, CodeSpec("W3", start_s=10_000.0)))
    s = summary(service, "S", "Ann")
    assert s.item_segments["W3"] == 0 and s.episodes == 1
    assert "W3 at 10000 s is outside every segment (left out of the scores)" in s.warnings


def test_the_export_row_carries_every_score_flat(service, tmp_path):
    register(service, IND11)
    timed_session(service, "E7", n=20, step=60, codebook=IND11)
    load(service, tmp_path, "Ann", f"{HEAD}\nE7,W2,2\nE7,R1,3\nE7,C3,7",
         "session,segment,scale,value\n" + rating_rows("E7", "withdrawal_impact", [2, 1, 1, 3])
         + "\nE7,,session_resolution,4")  # fmt: skip
    s = summary(service, "E7", "Ann")
    assert s.segment_items == [["R1", "W2"], ["C3"], [], []]
    row = s.to_row()
    assert (row["session"], row["rater"], row["codebook"], row["segments"]) == (
        "E7",
        "Ann",
        "3rs-individual@1.1.0",
        4,
    )
    assert (
        row["withdrawal_frequency"],
        row["confrontation_frequency"],
        row["resolution_frequency"],
    ) == (1, 1, 1)
    assert (row["family_immediate_frequency"], row["family_immediate_segments"]) == (1, 1)
    assert (
        row["withdrawal_impact_mean"],
        row["withdrawal_impact_max"],
        row["withdrawal_impact_n"],
    ) == (1.75, 3, 4)
    assert row["withdrawal_share_at_threshold"] == 0.25 and row["rating_session_resolution"] == 4
    assert row["episodes"] == 2 and row["warnings"] >= 2
    assert not any(isinstance(v, dict | list) for v in row.values())


def test_find_summary_by_title_and_name_or_says_what_is_missing(service, tmp_path):
    timed_session(service, "S", n=10, step=60)
    timed_session(service, "Twice", n=10, step=60)
    timed_session(service, "Twice", n=10, step=60)
    load(service, tmp_path, "Ann", f"{HEAD}\nS,W2,2")
    s = find_summary(service.project, "S", "Ann")
    assert (s.session, s.rater, s.episodes) == ("S", "Ann", 1)
    assert (
        find_summary(service.project, session_id(service, "S"), rater_id(service, "Ann")).episodes
        == 1
    )
    with pytest.raises(StudyError, match="no session 'Nope'"):
        find_summary(service.project, "Nope", "Ann")
    with pytest.raises(StudyError, match="2 sessions are titled 'Twice'"):
        find_summary(service.project, "Twice", "Ann")
    with pytest.raises(StudyError, match="no rater 'Zed'"):
        find_summary(service.project, "S", "Zed")


def test_supervisor_review_lists_the_unrepaired_episodes(service, tmp_path):
    from rupture_coder.study.review import Filters, moments

    timed_session(service, "E3", n=20, step=60)
    load(
        service, tmp_path, "Ann", f"{HEAD}\nE3,W2,2\nE3,C2,4\nE3,R4,5\nE3,W5,12\nE3,W4,17\nE3,C5,18"
    )
    found = moments(service.project, Filters(flagged=False, unresolved=True))
    assert [(m.rater, m.segment, m.position, m.item, m.why) for m in found] == [
        ("Ann", 3, 11, "W5, W4, C5", "rupture episode with no repair within the window")
    ]
    only_c = moments(
        service.project, Filters(flagged=False, unresolved=True, category="confrontation")
    )
    assert len(only_c) == 1  # the episode holds a confrontation marker too
    load(service, tmp_path, "Bob", f"{HEAD}\nE3,W2,2")
    assert [
        m.rater
        for m in moments(service.project, Filters(flagged=False, unresolved=True, rater="Bob"))
    ] == ["Bob"]


def test_the_rupture_share_is_rounded_to_four_decimals(service, tmp_path):
    timed_session(service, "S3", n=15, step=60)  # three segments
    load(service, tmp_path, "Ann", f"{HEAD}\nS3,W2,2")
    s = summary(service, "S3", "Ann")
    assert (s.segments_with_any_marker, s.segments, s.rupture_share) == (1, 3, 0.3333)
