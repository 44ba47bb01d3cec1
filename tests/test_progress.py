"""Session progress per rater, consistency warnings, and the shortcut registry."""

from __future__ import annotations

import pytest
from helpers import IND, make_session

from rupture_coder.codebook import load_codebook, parse_codebook_text
from rupture_coder.codebook.model import normalise_hotkey
from rupture_coder.errors import CommandError
from rupture_coder.resources import codebooks_dir, default_codebook_path
from rupture_coder.services.coding import AddCode, CodeSpec, SetRating
from rupture_coder.services.progress import (
    MarkComplete,
    consistency_warnings,
    missing_ratings,
    session_status,
)
from rupture_coder.services.project import AddRater
from rupture_coder.shortcuts import SHORTCUTS, clashes


def status_of(db, rater_id: str, session_id: str) -> str:
    """A session's status, read both ways (of every session; of this one, as after a key press)."""
    every = session_status(db, rater_id)[session_id]
    assert session_status(db, rater_id, {session_id}) == {session_id: every}
    return every


def test_complete_needs_every_required_rating_and_status_follows(service):
    session, utts, segs, _ = make_session(service, n=12, step=60)  # 3 segments
    rater = service.run(AddRater("Ann")).result
    other = service.run(AddRater("Bob")).result
    service.run(AddCode(session.id, other.id, IND, CodeSpec("W1", utts[0].id)))  # not Ann's work
    with service.project.read() as db:
        assert status_of(db, rater.id, session.id) == "not started"
        assert len(missing_ratings(db, session.id, rater.id)) == 3 * 3 + 4
    with pytest.raises(CommandError, match="13 required rating"):
        service.run(MarkComplete(session.id, rater.id))
    service.run(AddCode(session.id, rater.id, IND, CodeSpec("W2", utts[1].id)))
    with service.project.read() as db:
        assert status_of(db, rater.id, session.id) == "in progress"
    service.undo()
    service.run(SetRating(rater.id, IND, "session_resolution", 3, session_id=session.id))
    with service.project.read() as db:  # a session rating alone is a start too
        assert status_of(db, rater.id, session.id) == "in progress"
    service.undo()
    with service.project.read() as db:
        assert status_of(db, rater.id, session.id) == "not started"
    service.run(AddCode(session.id, rater.id, IND, CodeSpec("W2", utts[1].id)))
    for seg in segs:
        for rating in ("withdrawal_impact", "confrontation_impact"):
            service.run(SetRating(rater.id, IND, rating, 1, segment_id=seg.id))
        service.run(
            SetRating(rater.id, IND, "segment_resolution", None, is_na=True, segment_id=seg.id)
        )
    for rating in ("therapist_contribution", "overall_withdrawal", "overall_confrontation"):
        service.run(SetRating(rater.id, IND, rating, 2, session_id=session.id))
    with pytest.raises(CommandError, match="session: Session resolution"):
        service.run(MarkComplete(session.id, rater.id))
    service.run(
        SetRating(rater.id, IND, "session_resolution", None, is_na=True, session_id=session.id)
    )
    service.run(MarkComplete(session.id, rater.id))
    with service.project.read() as db:
        assert status_of(db, rater.id, session.id) == "complete"
    service.undo()
    with service.project.read() as db:
        assert status_of(db, rater.id, session.id) == "in progress"


def test_consistency_warnings(service):
    session, utts, segs, _ = make_session(service, n=12, step=60)
    rater = service.run(AddRater("Ann")).result
    service.run(
        AddCode(session.id, rater.id, IND, CodeSpec("R4", utts[0].id))
    )  # a repair before any rupture
    service.run(AddCode(session.id, rater.id, IND, CodeSpec("W2", utts[1].id)))
    service.run(
        SetRating(rater.id, IND, "withdrawal_impact", 1, segment_id=segs[0].id)
    )  # but W2 is coded
    service.run(
        SetRating(rater.id, IND, "confrontation_impact", 4, segment_id=segs[1].id)
    )  # no C* coded
    with service.project.read() as db:
        warnings = consistency_warnings(db, session.id, rater.id)
    assert warnings == [
        "R4 in segment 1: a resolution strategy with no rupture coded before it",
        "segment 1: Withdrawal impact is 1 (none) but W2 coded",
        "segment 2: Confrontation impact is 4 but no confrontation marker is coded",
    ]


def test_shortcuts_never_clash_with_the_shipped_codebook_hotkeys():
    keys = [normalise_hotkey(s.keys) for s in SHORTCUTS]
    assert len(keys) == len(set(keys)), "two app shortcuts share a key"
    for path in codebooks_dir().glob("*.yaml"):
        assert clashes(load_codebook(path)) == [], path.name


def test_a_codebook_hotkey_that_clashes_is_reported():
    text = (
        default_codebook_path()
        .read_text(encoding="utf-8")
        .replace("hotkey: Z\n", "hotkey: Ctrl+Z\n")
    )
    assert clashes(parse_codebook_text(text)) == ["R10 hotkey Ctrl+Z is the app's 'undo' (Ctrl+Z)"]


def test_the_documented_key_table_is_the_registry():
    import runpy
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    docs = root / "docs" / "coding.md"
    if not docs.exists():
        import pytest

        pytest.skip("docs/ is not part of an installed package")
    table = runpy.run_path(str(root / "scripts" / "keyboard_table.py"))["table"]()
    assert table in docs.read_text(encoding="utf-8"), "regenerate the key table in docs/coding.md"
