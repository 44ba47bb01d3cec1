"""Session-level scales of the 1.1.0 codebooks (docs/ratings.md, example 11): N/A only without
ruptures, therapist contribution N/A, session anchors, and open disagreement is not a rupture."""

from __future__ import annotations

import pytest
from score_sessions import (
    IND10,
    IND11,
    load,
    rater_id,
    register,
    session_id,
    summary,
    timed_session,
)

from rupture_coder.codebook import load_codebook
from rupture_coder.errors import CommandError, ImportFileError
from rupture_coder.resources import codebooks_dir
from rupture_coder.services import queries
from rupture_coder.services.coding import SetRating
from rupture_coder.services.progress import MarkComplete
from rupture_coder.services.project import AddRater

NA_REFUSED = (
    "Session resolution: N/A means that no rupture occurred, but 1 rupture marker is coded in this "
    "session (W2 in segment 1); give a value from 1 to 5"
)


@pytest.fixture
def e11(service):
    register(service, IND11)
    sid = timed_session(service, "E11", n=10, step=60, codebook=IND11)
    ann = service.run(AddRater("Ann")).result.id
    segments = [s.id for s in queries.segments(service.project, sid)]
    return service, sid, ann, segments


def na(rater, rating, **where) -> SetRating:
    return SetRating(rater, IND11, rating, None, True, **where)


def test_example_11_na_is_accepted_only_while_no_rupture_is_coded(e11, tmp_path):
    svc, sid, ann, segments = e11
    svc.run(na(ann, "session_resolution", session_id=sid))
    svc.run(na(ann, "therapist_contribution", session_id=sid))
    svc.run(SetRating(ann, IND11, "session_resolution", None, session_id=sid))  # cleared again
    svc.run(SetRating(ann, IND11, "therapist_contribution", None, session_id=sid))
    load(svc, tmp_path, "Ann", "session,item,utterance\nE11,W2,2")
    with pytest.raises(CommandError) as refused:
        svc.run(na(ann, "session_resolution", session_id=sid))
    assert str(refused.value) == NA_REFUSED
    with pytest.raises(CommandError, match="Therapist contribution to ruptures: N/A means"):
        svc.run(na(ann, "therapist_contribution", session_id=sid))
    with pytest.raises(CommandError, match=r"in this segment \(W2\)"):
        svc.run(na(ann, "segment_resolution", segment_id=segments[0]))
    svc.run(na(ann, "segment_resolution", segment_id=segments[1]))  # no rupture in segment 2
    svc.run(SetRating(ann, IND11, "session_resolution", 3, session_id=sid))


def test_a_rupture_coded_after_na_is_warned_and_blocks_completion(e11, tmp_path):
    svc, sid, ann, segments = e11
    for seg in segments:
        for rating in ("withdrawal_impact", "confrontation_impact"):
            svc.run(SetRating(ann, IND11, rating, 1, segment_id=seg))
        svc.run(na(ann, "segment_resolution", segment_id=seg))
    svc.run(na(ann, "session_resolution", session_id=sid))
    svc.run(na(ann, "therapist_contribution", session_id=sid))
    for rating in ("overall_withdrawal", "overall_confrontation"):
        svc.run(SetRating(ann, IND11, rating, 1, session_id=sid))
    svc.run(MarkComplete(sid, ann))
    svc.run(MarkComplete(sid, ann, complete=False))
    load(svc, tmp_path, "Ann", "session,item,utterance\nE11,C2,7")
    warnings = queries.warnings(svc.project, sid, ann)
    assert "Session resolution is N/A (no rupture occurred) but C2 is coded" in warnings
    assert (
        "segment 2: Resolution in segment is N/A (no rupture occurred) but C2 is coded" in warnings
    )
    with pytest.raises(CommandError, match="Session resolution is N/A"):
        svc.run(MarkComplete(sid, ann))
    s = summary(svc, "E11", "Ann")
    assert s.session_ratings["session_resolution"] == "N/A"
    assert "Session resolution is N/A (no rupture occurred) but C2 is coded" in s.warnings


def test_ratings_csv_na_is_refused_with_line_and_field(e11, tmp_path):
    svc, _sid, _ann, _segments = e11
    with pytest.raises(ImportFileError) as refused:
        load(svc, tmp_path, "Ann", "session,item,utterance\nE11,W2,2",
             "session,segment,scale,value\nE11,,session_resolution,NA\nE11,2,segment_resolution,NA")  # fmt: skip
    (problem,) = refused.value.problems
    assert "line 2" in str(problem) and "value" in str(problem) and "N/A means" in str(problem)
    assert queries.codes(svc.project, session_id(svc, "E11"), rater_id(svc, "Ann")) == []  # nothing


def test_1_0_0_sessions_keep_working_and_are_warned(service, tmp_path):
    sid = timed_session(service, "old", n=10, step=60, codebook=IND10)
    load(service, tmp_path, "Ann", "session,item,utterance\nold,W2,2",
         "session,segment,scale,value\nold,,session_resolution,NA")  # fmt: skip
    ann = rater_id(service, "Ann")
    assert "Session resolution is N/A (no rupture occurred) but W2 is coded" in queries.warnings(
        service.project, sid, ann
    )
    with pytest.raises(CommandError, match="N/A is not allowed on scale contribution"):
        service.run(SetRating(ann, IND10, "therapist_contribution", None, True, session_id=sid))


def test_session_scales_have_session_anchors_and_c2_excludes_open_disagreement():
    for kind in ("individual", "group"):
        cb = load_codebook(codebooks_dir() / f"3rs-{kind}-1.1.0.yaml")
        overall = cb.scale(cb.rating("overall_withdrawal").scale)
        assert overall.id != cb.rating("withdrawal_impact").scale
        assert all("session" in overall.anchors[p] for p in (1, 4, 5))
        assert not any("segment" in a for a in overall.anchors.values())
        assert cb.scale(cb.rating("therapist_contribution").scale).allow_na
        assert all(
            cb.rating(r).na_only_without_rupture
            for r in ("session_resolution", "therapist_contribution", "segment_resolution")
        )
        assert "not in itself a rupture" in cb.item("C2").definition
        assert "Mere disagreement is not a rupture" in cb.category_of("C2").description
