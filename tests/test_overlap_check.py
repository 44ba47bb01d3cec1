"""AddCode's overlap check found by index (one-utterance codes by their place, spanning codes by
their own index) refuses and allows exactly what a walk over every code of the item did."""

from __future__ import annotations

import pytest
from helpers import IND, make_session

from rupture_coder.errors import CommandError
from rupture_coder.services.coding import AddCode, CodeSpec
from rupture_coder.services.project import AddRater


def _walk(codes: list[tuple[int, int]], lo: int, hi: int) -> str | None:
    """The reference: every code of the item, in turn, against the new code's utterances."""
    for first, last in codes:
        a, b = sorted((first, last))
        if a <= hi and lo <= b:
            return f"utterance {a + 1}" if a == b else f"utterances {a + 1}-{b + 1}"
    return None


def test_overlap_by_index_matches_the_walk(service):
    session, utts, _segments, _people = make_session(service, n=30)
    rater = service.run(AddRater("Ann")).result.id
    other = service.run(AddRater("Bob")).result.id
    placed = [(2, 2), (5, 9), (14, 14), (20, 23)]  # W1: one-utterance codes and spans
    for first, last in placed:
        spec = CodeSpec("W1", utts[first].id, utts[last].id if last != first else None)
        service.run(AddCode(session.id, rater, IND, spec))
    service.run(AddCode(session.id, other, IND, CodeSpec("W1", utts[0].id, utts[29].id)))
    service.run(AddCode(session.id, rater, IND, CodeSpec("W2", utts[0].id, utts[29].id)))
    tried = 0
    for lo in range(0, 30, 3):
        for hi in (lo, lo + 1, lo + 4):
            hi = min(hi, 29)
            expected = _walk(placed, lo, hi)
            spec = CodeSpec("W1", utts[lo].id, utts[hi].id if hi != lo else None)
            if expected is None:
                code = service.run(AddCode(session.id, rater, IND, spec)).result
                service.undo()
                assert code is not None
            else:
                with pytest.raises(
                    CommandError, match=f"already coded on {expected} by this rater"
                ):
                    service.run(AddCode(session.id, rater, IND, spec))
            tried += 1
    assert tried == 30


def test_a_span_reaching_over_the_new_code_is_found(service):
    session, utts, _segments, _people = make_session(service, n=12)
    rater = service.run(AddRater("Ann")).result.id
    service.run(AddCode(session.id, rater, IND, CodeSpec("C1", utts[1].id, utts[10].id)))
    with pytest.raises(CommandError, match="already coded on utterances 2-11"):
        service.run(AddCode(session.id, rater, IND, CodeSpec("C1", utts[6].id)))
    service.run(AddCode(session.id, rater, IND, CodeSpec("C1", utts[11].id)))  # after it: allowed
