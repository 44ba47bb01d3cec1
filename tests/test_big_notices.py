"""A window following a big change (a merge, an import of thousands of codes) reads what changed
in time linear in it: ``raw_rows`` with an IN of 50,000 ids (it rebuilt every parameter for each
one: 270 s for 100,000), and the session state re-reading a rater's codes past 1,000 touched."""

from __future__ import annotations

import time

from helpers import IND, make_session
from sqlalchemy import select

from rupture_coder.gui.workspace_state import REREAD_OVER, SessionState
from rupture_coder.services import queries
from rupture_coder.services.coding import AddCode, CodeSpec
from rupture_coder.services.project import AddRater
from rupture_coder.store.db import raw_rows
from rupture_coder.store.models import CodeEvent, Utterance


def test_raw_rows_with_fifty_thousand_ids_is_quick(service):
    _session, utts, _segments, _people = make_session(service, n=5)
    wanted = [f"{k:032d}" for k in range(50_000)] + [utts[2].id]
    with service.project.read() as db:
        started = time.perf_counter()
        found = raw_rows(db, select(Utterance.position).where(Utterance.id.in_(wanted)))
        took = time.perf_counter() - started
    assert found == [(2,)]
    assert took < 5.0  # quadratic, it took minutes


def test_past_a_thousand_touched_codes_the_state_reads_the_rater_s_codes_again(service):
    session, utts, _segments, _people = make_session(service, n=40)
    ann = service.run(AddRater("Ann")).result.id
    state = SessionState()
    state.load(service.project, session.id)
    state.load_codes(service.project, ann)
    assert state.codes == []
    added = []
    for k in range(6):
        spec = CodeSpec(f"W{k + 1}", utts[k].id)
        added.append(service.run(AddCode(session.id, ann, IND, spec)).result.id)
    touched = set(added) | {f"{k:032d}" for k in range(REREAD_OVER)}  # other sessions' codes
    removed, fresh = state.update_codes(service.project, ann, touched)
    assert removed == [] and {c.id for c in fresh} == set(added)
    assert state.codes == sorted(state.codes, key=lambda c: (c.first_position, c.item_id, c.id))
    assert [c.id for c in state.codes] == [
        c.id for c in queries.codes(service.project, session.id, ann)
    ]
    assert set(state.code_by_id) == set(added)
    placed = {i for ticks in state.ticks.values() for i in ticks}
    assert placed == set(added)  # the timeline's ticks follow
    service.undo()  # the last code goes: a small notice, moved in place as before
    removed, fresh = state.update_codes(service.project, ann, {added[-1]})
    assert [c.id for c in removed] == [added[-1]] and fresh == []
    with service.project.read() as db:
        left = set(db.scalars(select(CodeEvent.id).where(CodeEvent.rater_id == ann)))
    assert set(state.code_by_id) == left == set(added[:-1])
    assert {i for ticks in state.ticks.values() for i in ticks} == left
