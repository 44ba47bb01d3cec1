"""The command layer: one transaction, one audit row, undo/redo, change notices, refusals."""

from __future__ import annotations

import pytest
from helpers import GRP, IND, make_session
from sqlalchemy import func, select

from rupture_coder.errors import CommandError, NothingToUndo, UndoConflict
from rupture_coder.services.coding import (
    AddCode,
    CodeSpec,
    DeleteCode,
    FlagCode,
    SetRating,
    UpdateCode,
)
from rupture_coder.services.notices import Topic
from rupture_coder.services.project import AddRater
from rupture_coder.services.sessions import DeleteSession
from rupture_coder.store.models import (
    AuditEntry,
    CodeEvent,
    Segment,
    SegmentRating,
    Session,
    SessionRating,
    Utterance,
)


def count(project, model):
    with project.read() as db:
        return db.scalar(select(func.count()).select_from(model))


def snapshot(project):
    return {
        m.__name__: count(project, m)
        for m in (Session, Utterance, Segment, CodeEvent, SegmentRating, AuditEntry)
    }


@pytest.fixture
def coded(service):
    session, utts, segs, _people = make_session(service)
    rater = service.run(AddRater("Ann")).result
    return service, session, utts, segs, rater


def test_each_command_writes_one_audit_row_with_before_and_after(coded):
    svc, session, utts, segs, rater = coded
    code = svc.run(AddCode(session.id, rater.id, IND, CodeSpec("W2", utts[1].id))).result
    svc.run(UpdateCode(code.id, {"note": "short answer"}))
    with svc.project.read() as db:
        entries = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(2)).all()
    edit, add = entries
    assert (add.command, add.actor) == ("add code", "tester")
    assert add.changes[0]["op"] == "insert" and add.changes[0]["after"]["item_id"] == "W2"
    assert edit.command == "edit code"
    change = next(c for c in edit.changes if "note" in c["before"])
    assert (change["before"]["note"], change["after"]["note"]) == ("", "short answer")


def test_undo_and_redo_cover_every_kind_of_command(coded):
    svc, session, utts, segs, rater = coded
    start = snapshot(svc.project)
    code = svc.run(
        AddCode(session.id, rater.id, IND, CodeSpec("C1", utts[3].id, utts[4].id))
    ).result
    svc.run(UpdateCode(code.id, {"item_id": "C2", "note": "moved"}))
    svc.run(FlagCode(code.id, True, "check with supervisor"))
    svc.run(SetRating(rater.id, IND, "confrontation_impact", 4, segment_id=segs[0].id))
    svc.run(SetRating(rater.id, IND, "session_resolution", None, is_na=True, session_id=session.id))
    svc.run(DeleteCode(code.id))
    svc.run(DeleteSession(session.id))
    assert count(svc.project, Session) == 0 and count(svc.project, Utterance) == 0
    for _ in range(7):
        svc.undo()
    after_undo = snapshot(svc.project)
    assert {k: v for k, v in after_undo.items() if k != "AuditEntry"} == {
        k: v for k, v in start.items() if k != "AuditEntry"
    }
    with pytest.raises(NothingToUndo):
        # only the fixture's rater and session remain, and they are undoable too: undo them, then one more
        for _ in range(10):
            svc.undo()
    for _ in range(9):
        svc.redo()
    with svc.project.read() as db:
        assert db.scalar(select(func.count()).select_from(Session)) == 0
        assert db.scalar(select(func.count()).select_from(CodeEvent)) == 0


def test_redo_restores_exact_values(coded):
    svc, session, utts, segs, rater = coded
    code = svc.run(AddCode(session.id, rater.id, IND, CodeSpec("W5", utts[1].id, note="n"))).result
    svc.run(UpdateCode(code.id, {"first_utterance_id": utts[3].id}))
    svc.undo()
    with svc.project.read() as db:
        assert db.get(CodeEvent, code.id).first_utterance_id == utts[1].id
    svc.redo()
    with svc.project.read() as db:
        assert db.get(CodeEvent, code.id).first_utterance_id == utts[3].id


def test_undo_refuses_when_the_rows_moved_on(coded):
    svc, session, utts, segs, rater = coded
    code = svc.run(AddCode(session.id, rater.id, IND, CodeSpec("W2", utts[1].id))).result
    other = type(svc)(svc.project, "someone else")
    other.run(UpdateCode(code.id, {"note": "changed elsewhere"}))  # another window or process
    with pytest.raises(UndoConflict, match="changed since"):
        svc.undo()  # this service's latest command is the add
    with svc.project.read() as db:
        assert db.get(CodeEvent, code.id).note == "changed elsewhere"
    assert svc.can_undo  # nothing was applied, the entry stays on the stack


def test_refused_command_writes_nothing(coded):
    svc, session, utts, segs, rater = coded
    before = snapshot(svc.project)
    bad = [
        AddCode(session.id, rater.id, IND, CodeSpec("W9", utts[1].id)),
        AddCode(session.id, rater.id, IND, CodeSpec("W1")),
        AddCode(session.id, rater.id, IND, CodeSpec("W1", utts[5].id, utts[2].id)),
        AddCode(session.id, rater.id, IND, CodeSpec("W1", start_s=30, end_s=10)),
        AddCode(session.id, rater.id, IND, CodeSpec("W1", utts[1].id, level="member-group")),
        AddCode(session.id, "nobody", IND, CodeSpec("W1", utts[1].id)),
        SetRating(rater.id, IND, "withdrawal_impact", 6, segment_id=segs[0].id),
        SetRating(rater.id, IND, "withdrawal_impact", None, is_na=True, segment_id=segs[0].id),
        SetRating(rater.id, IND, "session_resolution", 3, segment_id=segs[0].id),
        SetRating(rater.id, IND, "therapist_contribution", 0, session_id=session.id),
        FlagCode("missing", True, "x"),
    ]
    for cmd in bad:
        with pytest.raises(CommandError):
            svc.run(cmd)
    assert snapshot(svc.project) == before


def test_the_same_code_twice_on_the_same_span_is_refused(coded):
    svc, session, utts, segs, rater = coded
    svc.run(AddCode(session.id, rater.id, IND, CodeSpec("W2", utts[1].id)))
    with pytest.raises(CommandError, match="already coded"):
        svc.run(AddCode(session.id, rater.id, IND, CodeSpec("W2", utts[1].id)))


def test_rating_can_be_set_changed_and_cleared(coded):
    svc, session, utts, segs, rater = coded
    for value in (2, 5):
        svc.run(SetRating(rater.id, IND, "withdrawal_impact", value, segment_id=segs[1].id))
    with svc.project.read() as db:
        assert db.scalars(select(SegmentRating.value)).all() == [5]
    svc.run(SetRating(rater.id, IND, "withdrawal_impact", None, segment_id=segs[1].id))
    assert count(svc.project, SegmentRating) == 0
    svc.run(SetRating(rater.id, IND, "session_resolution", None, is_na=True, session_id=session.id))
    with svc.project.read() as db:
        row = db.scalar(select(SessionRating))
        assert (row.value, row.is_na) == (None, True)


def test_listeners_hear_what_changed(coded):
    svc, session, utts, segs, rater = coded
    heard = []
    svc.subscribe(heard.append)
    code = svc.run(AddCode(session.id, rater.id, IND, CodeSpec("W2", utts[1].id))).result
    svc.undo()
    assert [c.command for c in heard] == ["add code", "undo"]
    assert heard[0].notice.topics == {Topic.CODES} and heard[0].notice.code_ids == {code.id}
    assert heard[0].notice.session_ids == {session.id}
    assert heard[1].notice.topics == {Topic.CODES} and heard[1].notice.code_ids == {code.id}


def test_group_events_need_actor_target_and_level(service):
    session, utts, segs, people = make_session(service, kind="group")
    rater = service.run(AddRater("Lead", "lead")).result
    ann, bob, leader = people["Ann"], people["Bob"], people["Leader"]

    def add(item, **kw):
        return service.run(AddCode(session.id, rater.id, GRP, CodeSpec(item, utts[1].id, **kw)))

    add("C1", actor_id=ann, target_id=bob, level="member-member")
    add("C1", actor_id=ann, level="member-group")
    add("R5", actor_id=bob, target_id=ann, level="member-member")  # members repair too
    add("R4", actor_id=leader, level="therapist-group")
    refused = [
        ("W1", {}, "needs an actor and a level"),
        ("W1", {"actor_id": ann, "level": "member-member"}, "needs a target"),
        (
            "W1",
            {"actor_id": ann, "target_id": bob, "level": "member-group"},
            "leave the target empty",
        ),
        (
            "W1",
            {"actor_id": leader, "target_id": ann, "level": "member-member"},
            "needs a member as actor",
        ),
        (
            "W1",
            {"actor_id": leader, "target_id": ann, "level": "therapist-member"},
            "coded for ['member']",
        ),
        ("C1", {"actor_id": ann, "target_id": ann, "level": "member-member"}, "same participant"),
        ("C1", {"actor_id": ann, "target_id": bob, "level": "member-to-member"}, "unknown level"),
    ]
    for item, kw, words in refused:
        with pytest.raises(CommandError, match=words.replace("[", r"\[").replace("]", r"\]")):
            add(item, **kw)


def test_group_events_refuse_forged_participants(service):
    session, utts, segs, people = make_session(service, kind="group")
    rater = service.run(AddRater("Lead", "lead")).result
    before = snapshot(service.project)
    for kw in (
        {"actor_id": "no-such-person", "level": "member-group"},
        {"actor_id": people["Ann"], "target_id": "no-such-person", "level": "member-member"},
    ):
        with pytest.raises(CommandError, match="no participant no-such-person"):
            service.run(AddCode(session.id, rater.id, GRP, CodeSpec("C1", utts[1].id, **kw)))
    assert snapshot(service.project) == before
