"""Roles and blinding in the core: what each role's commands may change, what a coder copy
refuses whoever asks, and copies made with the backup API while the project is open."""

from __future__ import annotations

import sqlite3

import pytest
from helpers import IND, make_session

from rupture_coder.errors import CommandError, NotAllowed
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.coding import AddCode, CodeSpec, DeleteCode, SetRating
from rupture_coder.services.identity import (
    LEAD_OR_SUPERVISOR,
    SetRaterRole,
    acting_identity,
    identity_of,
    require_role,
)
from rupture_coder.services.project import AddRater, SetSetting
from rupture_coder.services.review import AddComment
from rupture_coder.store.db import open_project
from rupture_coder.study.exports import export_study
from rupture_coder.study.handout import hand_out, save_copy


@pytest.fixture
def lab(service):
    """Lena (lead), Sue (supervisor), Ann and Bob (coders) and one session; Bob coded W1."""
    ids = {
        name: service.run(AddRater(name, role)).result.id
        for name, role in (
            ("Lena", "lead"),
            ("Sue", "supervisor"),
            ("Ann", "coder"),
            ("Bob", "coder"),
        )
    }
    session, utts, segs, _people = make_session(service)
    bob_code = service.run(AddCode(session.id, ids["Bob"], IND, CodeSpec("W1", utts[1].id))).result
    return service, ids, session, utts, segs, bob_code.id


def as_(service, ids, name) -> ProjectService:
    return ProjectService(service.project, name, ids[name])


def test_a_coder_changes_only_their_own_codes_and_ratings(lab):
    service, ids, session, utts, segs, bob_code = lab
    ann = as_(service, ids, "Ann")
    mine = ann.run(AddCode(session.id, ids["Ann"], IND, CodeSpec("W2", utts[2].id))).result
    ann.run(SetRating(ids["Ann"], IND, "withdrawal_impact", 3, segment_id=segs[0].id))
    for command in (
        AddCode(session.id, ids["Bob"], IND, CodeSpec("W2", utts[3].id)),
        DeleteCode(bob_code),
        SetRating(ids["Bob"], IND, "withdrawal_impact", 1, segment_id=segs[0].id),
    ):
        with pytest.raises(NotAllowed, match="changes only their own codes"):
            ann.run(command)
    with pytest.raises(NotAllowed, match="is for a lead; Ann is a coder"):
        ann.run(AddRater("Eve", "lead"))
    with pytest.raises(NotAllowed, match="is for a lead or a supervisor"):
        ann.run(AddComment(session.id, "nice", "Ann", code_id=bob_code))
    ann.run(DeleteCode(mine.id))
    assert [c.item_id for c in queries.codes(service.project, session.id, ids["Bob"])] == ["W1"]
    assert queries.codes(service.project, session.id, ids["Ann"]) == []


def test_a_supervisor_comments_and_a_lead_manages_roles(lab):
    service, ids, session, _utts, _segs, bob_code = lab
    sue = as_(service, ids, "Sue")
    sue.run(AddComment(session.id, "check the onset", "Sue", code_id=bob_code))
    with pytest.raises(NotAllowed, match="is for a lead; Sue is a supervisor"):
        sue.run(SetRaterRole("Ann", "lead"))
    with pytest.raises(NotAllowed, match="changes only their own"):
        sue.run(DeleteCode(bob_code))
    lena = as_(service, ids, "Lena")
    lena.run(SetRaterRole("ann", "supervisor"))  # a name, any case
    assert {r.name: r.role for r in queries.raters(service.project)}["Ann"] == "supervisor"
    lena.undo()
    assert {r.name: r.role for r in queries.raters(service.project)}["Ann"] == "coder"
    with pytest.raises(CommandError, match="only lead"):
        lena.run(SetRaterRole("Lena", "coder"))
    lena.run(SetRaterRole("Sue", "lead"))
    lena.run(SetRaterRole("Lena", "coder"))  # another lead exists now
    # the GUI's identity reaches the core's read guards too
    with pytest.raises(NotAllowed, match="exporting every rater's codes is for a lead"):
        require_role(
            service.project, LEAD_OR_SUPERVISOR, "exporting every rater's codes",
            identity_of(service.project, ids["Bob"]),
        )  # fmt: skip


def test_a_project_without_a_lead_is_its_makers(service):
    """A new project (or the demo): whoever opens it acts as its lead until they name one."""
    assert acting_identity(service.project).role == "lead"
    first = service.run(AddRater("Cody", "coder")).result
    coder = ProjectService(service.project, "Cody", first.id)
    lead = coder.run(AddRater("Lena", "lead")).result  # the maker names the lead
    assert acting_identity(service.project).rater_id == lead.id
    with pytest.raises(NotAllowed):
        coder.run(AddRater("Eve"))


def test_a_coder_copy_is_made_from_the_live_project_and_refuses_shared_changes(lab, tmp_path):
    service, ids, session, utts, _segs, _bob = lab
    ann = as_(service, ids, "Ann")
    ann.run(AddCode(session.id, ids["Ann"], IND, CodeSpec("C1", utts[4].id, note="ann's own")))
    wal = service.project.path.with_name(service.project.path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the latest codes are still in the -wal
    whole = save_copy(service.project, tmp_path / "whole.rcproj")
    con = sqlite3.connect(whole)
    assert con.execute("SELECT count(*) FROM code_events").fetchone() == (2,)
    con.close()
    with pytest.raises(NotAllowed, match="handing out a coder copy is for a lead"):
        hand_out(ann, "Ann", tmp_path / "ann.rcproj")
    with pytest.raises(CommandError, match="Sue is a supervisor; coder copies are for coders"):
        hand_out(service, "Sue", tmp_path / "sue.rcproj")
    with pytest.raises(CommandError, match="is the project itself"):
        hand_out(service, "Ann", service.project.path)
    made = hand_out(service, "Ann", tmp_path / "ann.rcproj")
    assert (made.rater, made.sessions, made.codes) == ("Ann", 1, 1)
    copy = open_project(made.path)
    try:
        assert [(r.name, r.role) for r in queries.raters(copy)] == [("Ann", "coder")]
        assert [c.note for c in queries.codes(copy, session.id, ids["Ann"])] == ["ann's own"]
        me = acting_identity(copy)
        assert (me.rater_id, me.bound) == (ids["Ann"], True)
        anyone = ProjectService(copy, "someone")  # whoever runs it, the copy acts as Ann
        for command in (
            SetSetting("summary.impact_threshold", 4),
            SetSetting("bound_rater_id", ids["Bob"], internal=True),
            AddRater("Bob"),
        ):
            with pytest.raises(NotAllowed):
                anyone.run(command)
        with pytest.raises(NotAllowed, match="acts only as the rater it was made for"):
            ProjectService(copy, "Bob", ids["Bob"]).run(
                SetRating(ids["Bob"], IND, "overall_alliance", 3, session_id=session.id)
            )
        with pytest.raises(NotAllowed, match="this is Ann's coder copy"):
            export_study(copy, tmp_path / "out")
        anyone.run(AddCode(session.id, ids["Ann"], IND, CodeSpec("W2", utts[6].id)))
    finally:
        copy.close()
    assert not (tmp_path / "out").exists()
