"""``codes import`` refuses a code on an utterance the item is already coded on (by a stored code
or by an earlier row of the file), as the coding form does, found by a Fenwick tree over spans
(services/spans.py) instead of a query per row: checked here against the naive walk over every
pair, on worked cases and on random spans."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from score_sessions import load, rater_id, session_id, timed_session
from sqlalchemy import select

from rupture_coder.errors import ImportFileError
from rupture_coder.services.coding import AddCode, CodeSpec
from rupture_coder.services.project import AddRater
from rupture_coder.services.spans import SpanIndex
from rupture_coder.store.models import CodeEvent, Utterance


def naive(spans: list[tuple[int, int]]) -> list[int | None]:
    """For each span in turn: the index of the first accepted span before it that shares a
    position with it (it is refused), or None (it is accepted)."""
    accepted: list[tuple[int, int, int]] = []
    out: list[int | None] = []
    for k, (a, b) in enumerate(spans):
        lo, hi = min(a, b), max(a, b)
        hit = next((j for j, x, y in accepted if x <= hi and lo <= y), None)
        out.append(hit)
        if hit is None:
            accepted.append((k, lo, hi))
    return out


def swept(spans: list[tuple[int, int]], size: int) -> list[bool]:
    index = SpanIndex(size)
    refused = []
    for k, (a, b) in enumerate(spans):
        found = index.overlapping(a, b)
        refused.append(found is not None)
        if found is None:
            index.add(a, b, k)
        else:  # what it names is a span added before that does overlap
            first, last, ref = found
            assert (first, last) == tuple(sorted(spans[ref]))
            assert first <= max(a, b) and min(a, b) <= last
    return refused


def test_worked_cases():
    index = SpanIndex(20)
    index.add(3, 5, "a")
    assert index.overlapping(6, 6) is None  # adjacent after: not an overlap
    assert index.overlapping(0, 2) is None  # adjacent before
    assert index.overlapping(4, 4) == (3, 5, "a")  # nested inside
    assert index.overlapping(0, 19) == (3, 5, "a")  # around it
    assert index.overlapping(3, 3) == (3, 3 + 2, "a")  # same start
    assert index.overlapping(5, 9) == (3, 5, "a")  # shares its last utterance
    index.add(10, 10, "b")
    assert index.overlapping(10, 10) == (10, 10, "b")  # a one-utterance code, exactly there
    assert index.overlapping(11, 11) is None and index.overlapping(7, 9) is None
    assert index.overlapping(9, 7) is None  # given back to front: the same span
    with pytest.raises(ValueError):
        index.add(20, 20, "c")  # past the positions it was made for


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=60))
def test_the_tree_refuses_exactly_what_the_walk_refuses(spans):
    assert swept(spans, 31) == [hit is not None for hit in naive(spans)]


def _positions(service, title: str) -> dict[int, str]:
    with service.project.read() as db:
        rows = db.execute(
            select(Utterance.position, Utterance.id).where(
                Utterance.session_id == session_id(service, title)
            )
        )
        return dict(rows.all())


def test_import_refuses_overlaps_with_stored_codes_and_earlier_rows(service, tmp_path):
    timed_session(service, "S", n=20, step=10)
    ann = service.run(AddRater("Ann")).result.id
    utts = _positions(service, "S")
    stored = CodeSpec("W2", utts[9], utts[11])  # W2 on utterances 10-12, coded in the app
    service.run(AddCode(session_id(service, "S"), ann, ("3rs-individual", "1.0.0"), stored))
    rows = [
        "session,item,utterance,last_utterance",
        "S,W2,13,14",  # line 2: right after the stored code: accepted
        "S,W2,12,",  # line 3: on the stored code's last utterance
        "S,W2,1,3",  # line 4: accepted
        "S,W2,3,5",  # line 5: shares utterance 3 with line 4
        "S,W2,2,2",  # line 6: nested in line 4
        "S,W2,1,",  # line 7: the same start as line 4
        "S,W2,6,9",  # line 8: between line 4 and the stored code, touching neither: accepted
        "S,W3,1,20",  # line 9: another item: accepted
        "S,W2,14,14",  # line 10: the last utterance of line 2
    ]
    with pytest.raises(ImportFileError) as refused:
        load(service, tmp_path, "Ann", "\n".join(rows))
    text = str(refused.value)
    for line, where in ((3, "utterances 10-12"), (5, "utterances 1-3"), (6, "utterances 1-3"),
                        (7, "utterances 1-3"), (10, "utterances 13-14")):  # fmt: skip
        assert f"line {line}: item: W2 is already coded on {where} by this rater" in text
    for line in (2, 4, 8, 9):
        assert f"line {line}:" not in text
    with service.project.read() as db:  # all or nothing: only the code made in the app
        assert len(db.scalars(select(CodeEvent)).all()) == 1
    good = [r for k, r in enumerate(rows) if k in (0, 1, 3, 7, 8)]
    assert load(service, tmp_path, "Ann", "\n".join(good)).codes == 4
    with service.project.read() as db:
        assert len(db.scalars(select(CodeEvent).where(CodeEvent.rater_id == ann)).all()) == 5
    service.undo()
    with service.project.read() as db:
        assert len(db.scalars(select(CodeEvent)).all()) == 1
    assert rater_id(service, "Ann") == ann
