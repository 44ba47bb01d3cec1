"""``codes import`` is one command: all or nothing, one audit entry, one undo; and no input, however
damaged, gets past it with anything but a refusal that names what was wrong."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from score_sessions import IND11, load, rater_id, register, session_id, timed_session
from sqlalchemy import func, select

from rupture_coder.errors import ImportFileError, InputError
from rupture_coder.services import queries
from rupture_coder.store.models import AuditEntry, CodeEvent, Rater, SegmentRating, SessionRating
from rupture_coder.study.code_import import import_codes
from rupture_coder.study.tables import load_study

CODES = "session,item,utterance,time_s,segment\nS,W2,2,,\nS,R4,,100,\nS,W3,,,2"
RATINGS = "session,segment,scale,value\nS,1,withdrawal_impact,3\nS,,session_resolution,4\nS,2,segment_resolution,3"


def counts(svc) -> tuple[int, int, int, int]:
    with svc.project.read() as db:
        return tuple(
            db.scalar(select(func.count()).select_from(model))
            for model in (CodeEvent, SegmentRating, SessionRating, Rater)
        )


def test_one_import_is_one_audited_command_that_undo_removes_whole(service, tmp_path):
    register(service, IND11)
    timed_session(service, "S", n=10, step=60, codebook=IND11)
    before = counts(service)
    with service.project.read() as db:
        audits = db.scalar(select(func.count()).select_from(AuditEntry))
    result = load(service, tmp_path, "Ann", CODES, RATINGS)
    assert (result.codes, result.ratings, result.rater_created) == (3, 3, True)
    assert counts(service) == (before[0] + 3, before[1] + 2, before[2] + 1, before[3] + 1)
    with service.project.read() as db:
        entries = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert len(entries) == audits + 1 and entries[-1].command == "import codes"
    assert entries[-1].summary == "import 3 code(s) and 3 rating(s) for Ann"
    assert service.undo_summary() == "import 3 code(s) and 3 rating(s) for Ann"
    service.undo()
    assert counts(service) == before and rater_id(service, "Ann") is None
    service.redo()
    assert counts(service) == (before[0] + 3, before[1] + 2, before[2] + 1, before[3] + 1)
    # the codes are where the CSV put them: W2 on utterance 2, R4 at 100 s, W3 on segment 2's form
    codes = queries.codes(service.project, session_id(service, "S"), rater_id(service, "Ann"))
    placed = {(c.item_id, c.first_position, c.start_s, c.segment_id is not None) for c in codes}
    assert placed == {("W2", 1, None, False), ("R4", None, 100.0, False), ("W3", None, None, True)}


def test_an_existing_rater_gets_the_codes_and_the_same_file_twice_is_refused(service, tmp_path):
    timed_session(service, "S", n=10, step=60)
    load(service, tmp_path, "Ann", CODES)
    ann = rater_id(service, "Ann")
    again = load(service, tmp_path, "Ann", "session,item,utterance\nS,W5,3")
    assert again.rater_id == ann and not again.rater_created
    with pytest.raises(ImportFileError) as refused:
        load(service, tmp_path, "Ann", CODES)
    assert len(refused.value.problems) == 3  # every row is already coded
    assert all("already coded there" in str(p) for p in refused.value.problems)


def test_ratings_are_checked_like_the_rating_form(service, tmp_path):
    timed_session(service, "S", n=10, step=60)
    bad = (
        "session,segment,scale,value\n"
        "S,1,impact,3\n"  # a scale, not a rating
        "S,,withdrawal_impact,3\n"  # a segment rating without its segment
        "S,1,session_resolution,3\n"  # a session rating with a segment
        "S,1,withdrawal_impact,9\n"  # off the scale
        "S,1,confrontation_impact,NA\n"  # the impact scale has no N/A
        "S,3,withdrawal_impact,2\n"  # no segment 3
        "S,2,withdrawal_impact,2.5\n"  # not a point
        "S,2,withdrawal_impact,2\n"
        "S,2,withdrawal_impact,3\n"  # the same rating twice
    )
    with pytest.raises(ImportFileError) as refused:
        load(service, tmp_path, "Ann", "session,item,utterance\nS,W2,2", bad)
    got = [str(p).split(": ", 1)[1] for p in refused.value.problems]
    assert got == [
        "line 2: scale: 'impact' is not a rating of 3rs-individual 1.0.0; 'impact' is a scale: name "
        "the rating that uses it (withdrawal_impact or confrontation_impact or overall_withdrawal or "
        "overall_confrontation)",
        "line 3: segment: withdrawal_impact is rated per segment; give the segment (1, 2, ...)",
        "line 4: segment: session_resolution is a session rating; leave the segment empty",
        "line 5: value: withdrawal_impact: 9 is not on scale impact (1..5)",
        "line 6: value: confrontation_impact: N/A is not allowed on scale impact",
        "line 7: segment: 3 is not a segment of session 'S' (it has 2)",
        "line 8: value: '2.5' is not a whole number",
        "line 10: scale: withdrawal_impact is given twice here (first on line 9)",
    ]
    assert counts(service)[0] == 0


def test_group_rows_name_people_by_pseudonym_and_say_who_is_unknown(service, tmp_path):
    timed_session(service, "G", n=18, step=30, codebook=("3rs-group", "1.0.0"))
    with pytest.raises(ImportFileError) as refused:
        load(service, tmp_path, "Kim", "session,item,utterance,actor,target,level\n"
             "G,W2,2,Zed,Leader,member-therapist\nG,W2,2,Ann,,member-therapist\n"
             "G,W2,2,Ann,Leader,\nG,R4,4,Leader,Ann,member-member")  # fmt: skip
    got = [str(p).split(": ", 1)[1] for p in refused.value.problems]
    assert got == [
        "line 2: actor: no participant 'Zed' in session 'G' (participants: Ann, Bob, Leader)",
        "line 3: target: level member-therapist needs a target (therapist)",
        "line 4: level: 3rs-group: every event needs an actor and a level (who acted, at which level)",
        "line 5: actor: level member-member needs a member as actor, not a therapist",
    ]


def test_a_refused_import_leaves_agreement_and_scores_untouched(service, tmp_path):
    timed_session(service, "S", n=10, step=60)
    load(service, tmp_path, "Ann", "session,item,utterance\nS,W2,2")
    before = load_study(service.project, "session-frequency").tables[0].data.copy()
    with pytest.raises(ImportFileError):
        load(service, tmp_path, "Ann", "session,item,utterance\nS,W3,3\nS,W9,4")
    after = load_study(service.project, "session-frequency").tables[0].data
    assert before.equals(after)


def test_rater_is_required(service, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(CODES, encoding="utf-8")
    with pytest.raises(InputError, match="--rater"):
        import_codes(service, path, None, rater=None)


CELL = st.text(alphabet=string.printable + "éß→\u00a0", max_size=12)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(st.sampled_from(["session", "item", "utterance", "time_s", "segment", "count",
                                     "actor", "target", "level", "note", "x"]), min_size=1, max_size=6),
    rows=st.lists(st.lists(CELL, max_size=7), max_size=6),
    raw=st.binary(max_size=64),
)  # fmt: skip
def test_no_codes_file_gets_past_the_checks_with_anything_but_a_refusal(
    service, tmp_path, header, rows, raw
):
    if not queries.list_sessions(service.project):
        timed_session(service, "S", n=10, step=60)
    before = counts(service)
    text = ",".join(header) + "\n" + "\n".join(",".join(r) for r in rows)
    for content in (text.encode("utf-8"), raw, text.encode("utf-8") + raw):
        path = tmp_path / "fuzz.csv"
        path.write_bytes(content)
        try:
            result = import_codes(service, path, None, rater="Fuzz")
        except InputError:
            assert counts(service) == before  # refused: nothing written, not even the rater
        else:
            assert result.codes == counts(service)[0] - before[0]
            service.undo()
            assert counts(service) == before
