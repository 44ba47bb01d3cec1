"""The summaries read in one go for many sessions (study.snapshot) are the summaries read session
by session, and their warnings are what the per-session checks of services.progress read; checked
on the demo project (the app's samples, coded by several raters) and on group sessions."""

from __future__ import annotations

from score_sessions import GRP11, load, register, timed_session
from sqlalchemy import select

from rupture_coder.services.progress import consistency_warnings, missing_ratings
from rupture_coder.store.db import open_project
from rupture_coder.store.models import CodeEvent, SegmentRating, SessionCompletion
from rupture_coder.study.snapshot import Snapshot
from rupture_coder.study.summaries import session_summary

HEAD = "session,item,utterance,actor,target,level"


def _pairs(project) -> list[tuple[str, str]]:
    with project.read() as db:
        codes = db.execute(select(CodeEvent.session_id, CodeEvent.rater_id).distinct()).all()
        rated = db.execute(
            select(SegmentRating.session_id, SegmentRating.rater_id).distinct()
        ).all()
    return sorted(set(codes) | set(rated))


def _check_all(project) -> int:
    pairs = _pairs(project)
    snapshot = Snapshot.read(project)  # every session at once
    for sid, rid in pairs:
        one = session_summary(project, sid, rid)  # a snapshot of this session alone
        many = session_summary(
            project, sid, rid, snapshot.context(sid), snapshot.rater_data(sid, rid)
        )
        assert one.to_json() == many.to_json()
        assert one.to_row() == many.to_row()
        with project.read() as db:
            warned = consistency_warnings(db, sid, rid)
            missing = missing_ratings(db, sid, rid)
            done = db.scalar(select(SessionCompletion.id).filter_by(session_id=sid, rater_id=rid))
        assert one.complete == (done is not None)
        for w in warned:  # the per-session read's warnings, all of them, in its order
            assert w in one.warnings
        said = [w for w in one.warnings if w in warned]
        assert said == warned
        if missing:
            assert any(
                w.startswith(f"{len(missing)} required rating(s) missing") for w in one.warnings
            )
    return len(pairs)


def test_grouped_summaries_are_the_per_session_summaries_on_the_demo(demo_path):
    project = open_project(demo_path)
    try:
        assert _check_all(project) >= 3
    finally:
        project.close()


def test_grouped_summaries_of_group_sessions(service, tmp_path):
    """Example 9 of docs/ratings.md (pairings, the group level) twice, coded by two raters."""
    register(service, GRP11)
    rows = ["W2,2,Ann,Leader,member-therapist", "C6,3,Bob,Ann,member-member", "R9,4,Leader,,therapist-group",
            "R1,5,Ann,Bob,member-member", "W4,6,Bob,,member-group", "R10,7,Leader,,therapist-group",
            "R4,10,Leader,Ann,therapist-member", "C3,12,Bob,Leader,member-therapist"]  # fmt: skip
    for title in ("G1", "G2"):
        timed_session(service, title, n=18, step=30, codebook=GRP11)
    for rater, keep in (("Kim", rows), ("Lee", rows[::2])):
        load(
            service,
            tmp_path,
            rater,
            "\n".join([HEAD] + [f"{t},{r}" for t in ("G1", "G2") for r in keep]),
        )
    assert _check_all(service.project) == 4
