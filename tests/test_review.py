"""Supervisor comments outlive the codes they are about; deleting and undoing keeps the link honest."""

from __future__ import annotations

from helpers import IND, make_session

from rupture_coder.services.coding import AddCode, CodeSpec, DeleteCode
from rupture_coder.services.project import AddRater
from rupture_coder.services.review import AddComment, comments_for_session


def test_a_comment_survives_its_code_and_undo_relinks_it(service):
    session, utts, _segs, _ = make_session(service)
    rater = service.run(AddRater("Ann")).result
    code = service.run(AddCode(session.id, rater.id, IND, CodeSpec("C5", utts[3].id))).result
    service.run(AddComment(session.id, "is this C5?", "supervisor", code_id=code.id))
    service.run(DeleteCode(code.id))
    (comment,) = comments_for_session(service.project, session.id)
    assert comment.text == "is this C5?" and comment.code_id is None
    service.undo()
    (comment,) = comments_for_session(service.project, session.id)
    assert comment.code_id == code.id
