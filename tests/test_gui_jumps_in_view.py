"""A jump (Ctrl+Down to the next segment, a timeline click) lands on a row the coder can see, in
a long session of long, wrapped utterances: found by hand in a 5,000-utterance session, where the
rows above the target grew to their wrapped height after the jump and pushed it off the screen."""

from __future__ import annotations

from helpers import IND
from PySide6.QtCore import QPointF, Qt

from rupture_coder.domain import ParsedSession, ParsedUtterance
from rupture_coder.gui.main_window import MainWindow
from rupture_coder.resources import default_codebook_path
from rupture_coder.services import ProjectService
from rupture_coder.services.project import AddRater, RegisterCodebook
from rupture_coder.services.sessions import CreateSession
from rupture_coder.store.db import open_project

LONG = "and then I thought about what you said last week, " * 6  # wraps over several lines


def in_view(window, row: int) -> bool:
    view = window.view
    rect = view.visualRect(window.model.index(row, 0))
    return view.viewport().rect().contains(rect.center())


def test_jumps_land_on_a_row_in_view(qtbot, tmp_path):
    project = open_project(tmp_path / "long.rcproj")
    svc = ProjectService(project, "tester")
    svc.run(RegisterCodebook(default_codebook_path().read_text(encoding="utf-8"), "cb"))
    rater = svc.run(AddRater("Coder")).result
    utterances = [ParsedUtterance("TP"[i % 2], f"{i + 1}: {LONG}", i * 12.0) for i in range(2000)]
    svc.run(CreateSession(ParsedSession("long", utterances), IND))  # segments of 5 minutes
    window = MainWindow(project, "tester", rater_id=rater.id)
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    qtbot.waitUntil(window.view.hasFocus)
    segment_of = window.state.segment_of
    for _ in range(12):  # segment by segment, each 25 utterances on
        qtbot.keyClick(window.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
        row = window.view.current_row()
        qtbot.wait(30)  # the rows near the screen take their wrapped height
        assert row > 0 and segment_of[row] != segment_of[row - 1]
        assert in_view(window, row), f"row {row} is off the screen after Ctrl+Down"
    # a click on the timeline far ahead, at 80 % of the session
    lanes = window.timeline.lanes
    qtbot.waitUntil(lambda: lanes.viewRange()[0][1] > 20000)  # the session's whole span, drawn
    box = lanes.getPlotItem().vb
    target_s = 0.8 * 2000 * 12.0
    at = lanes.mapFromScene(box.mapViewToScene(QPointF(target_s, 2.0)))
    qtbot.mouseClick(lanes.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.waitUntil(lambda: window.view.current_row() > 1000)
    row = window.view.current_row()
    qtbot.wait(30)
    assert abs(window.model.utterance(row).start_s - target_s) < 300  # near where it was clicked
    assert in_view(window, row), f"row {row} is off the screen after a timeline click"
