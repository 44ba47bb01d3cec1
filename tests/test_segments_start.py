"""Segments start at the first utterance (a transcript alone) or at the media's start; a segment
with no utterances needs no ratings; a refused Ctrl+Return lists what is missing, each a jump."""

from __future__ import annotations

import csv

from gui_helpers import CTRL, wait_window
from PySide6.QtCore import Qt
from test_gui_coding import choose_session, open_as_new_coder

from rupture_coder.domain import ParsedSession, ParsedUtterance
from rupture_coder.services import queries
from rupture_coder.services.coding import SetRating
from rupture_coder.services.imports import plan_import, run_import
from rupture_coder.services.progress import missing_ratings
from rupture_coder.services.segmentation import plan_segments
from rupture_coder.services.sessions import CreateSession

IND = ("3rs-individual", "1.0.0")


def test_a_transcript_alone_starts_its_segments_at_its_first_utterance():
    utts = [ParsedUtterance("T", "hi", 1524.0), ParsedUtterance("P", "yes", 1700.0),
            ParsedUtterance("T", "so", 2200.0)]  # fmt: skip
    plans = plan_segments(utts, 300)
    assert [(p.start_s, p.end_s) for p in plans] == [
        (1524.0, 1824.0),
        (1824.0, 2124.0),
        (2124.0, 2200.0),
    ]
    assert [(p.first_position, p.last_position) for p in plans] == [(0, 1), (None, None), (2, 2)]
    with_media = plan_segments(utts, 300, duration_s=2400.0)  # media: from the media's start
    assert with_media[0].start_s == 0.0 and len(with_media) == 8


def test_annomi_transcript_starting_at_25_24_gets_no_empty_segments(annomi_dir, tmp_path, service):
    with open(annomi_dir / "AnnoMI-simple.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["transcript_id"] == "5"]
    assert rows[0]["timestamp"] == "00:25:24"
    path = tmp_path / "annomi-5.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    run_import(service, plan_import(service.project, [path]), "repair")
    (info,) = queries.list_sessions(service.project)
    segments = queries.segments(service.project, info.id)
    assert segments[0].start_s == 25 * 60 + 24
    assert all(s.first_position is not None for s in segments), "no empty segment before 25:24"


def gapped_session(service):
    """0:00-2:00 talk, nothing from 5:00 to 10:00, talk again at 10:00: segment 2 is empty."""
    utts = [ParsedUtterance("T" if i % 2 else "P", f"u{i}", t)
            for i, t in enumerate([0, 30, 60, 90, 120, 600, 630, 660])]  # fmt: skip
    return service.run(CreateSession(ParsedSession("gapped", utts), IND)).result


def test_an_empty_segment_needs_no_ratings(service):
    from rupture_coder.services.project import AddRater

    session = gapped_session(service)
    rater = service.run(AddRater("Ann")).result
    segs = queries.segments(service.project, session.id)
    assert [s.first_position for s in segs] == [0, None, 5]
    with service.project.read() as db:
        missing = missing_ratings(db, session.id, rater.id)
    assert {m.segment_index for m in missing} == {0, 2, None}


def test_ctrl_return_lists_what_is_missing_and_jumps_there(qtbot, demo_path):
    window, rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Individual session 7")
    segs = window.state.segments
    for seg in segs[:2]:  # segments 1 and 2 fully rated; segment 3 and the session are not
        for rid in ("withdrawal_impact", "confrontation_impact", "segment_resolution"):
            window.service.run(SetRating(rater.id, IND, rid, 2, segment_id=seg.id))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Return, CTRL)
    dialog = wait_window(qtbot, "missingDialog")
    entries = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert entries[:3] == ["segment 3: Withdrawal impact", "segment 3: Confrontation impact",
                           "segment 3: Resolution in segment"]  # fmt: skip
    assert "session: Session resolution" in entries and not any("segment 1" in e for e in entries)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.list.hasFocus)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)  # segment 3: Confrontation impact
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    row = window.segment_form.rows["confrontation_impact"]
    qtbot.waitUntil(row.hasFocus)
    assert "Segment 3 of 3" in window.segment_form.title.text()
    assert window.state.segment_of[window.view.current_row()] == 2
    qtbot.keyClick(row, Qt.Key.Key_4)  # rate it right there
    qtbot.waitUntil(lambda: row.buttons[4].isChecked())
    seg, _ = queries.ratings(window.project, window.state.session_id, rater.id)
    assert seg[(segs[2].id, "confrontation_impact")] == (4, False)
