"""Calibration per scale and per item through the dialog a lead uses (docs/ratings.md, example 8):
Study › Calibration and drift by the keyboard, the gold coder chosen in the combo box, the button
clicked; the table shows each scale's ICC(2,1) and names every failed criterion."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select
from test_calibration import GOLD_CODES, TRAINEE_CODES, ratings
from tours import Tour

from rupture_coder.gui.main_window import MainWindow
from rupture_coder.services.project import AddRater
from rupture_coder.store.models import GoldSession
from rupture_coder.study.calibration import SCORE_COLUMNS

K = Qt.Key


def test_example_8_in_the_calibration_dialog(qtbot, service, tmp_path):
    from score_sessions import load, rater_id, session_id, timed_session

    timed_session(service, "E8", n=15, step=60)
    load(service, tmp_path, "Gold", GOLD_CODES, ratings([2, 1, 1], [1, 3, 2], [5, 4, 5]))
    load(service, tmp_path, "Trainee", TRAINEE_CODES, ratings([1, 2, 1], [1, 3, 3], [4, 5, 5]))
    lead = service.run(AddRater("Lead", "lead")).result
    window = MainWindow(service.project, "lead", rater_id=lead.id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.state.session_id == session_id(service, "E8"))
    t = Tour(qtbot, "calibration")
    t.menu(window, "Study", "Calibration and drift")
    cal = t.window("calibrationDialog")
    assert cal.table.rowCount() == 0  # no gold session yet
    combo = cal.gold_rater
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(combo.view().isVisible)
    qtbot.keyClicks(combo.view(), "Gold")
    qtbot.keyClick(combo.view(), K.Key_Return)
    qtbot.waitUntil(lambda: combo.currentText() == "Gold")
    t.click(cal, "Mark the current session as gold, coded by")
    qtbot.waitUntil(lambda: cal.table.rowCount() == 1)
    row = {SCORE_COLUMNS[c]: cal.table.item(0, c).text() for c in range(cal.table.columnCount())}
    cells = list(row.values())
    assert cells[:2] == ["Trainee", "E8"]
    # each scale separately: -1, 6/7 and -1 (pooled, the nine ratings gave .897 and "met")
    assert (
        cells[3]
        == "Withdrawal impact -1.00; Confrontation impact 0.86; Resolution in segment -1.00"
    )
    assert cells[4] == "2 of 4"  # R4 and C3 meet the presence criterion, W2 and C5 do not
    assert cells[-1] == (
        "not met: Withdrawal impact ICC(2,1) -1.00 < 0.70; Resolution in segment ICC(2,1) -1.00 "
        "< 0.70; W2 kappa 0.40 < 0.60; C5 kappa 0.00 < 0.60"
    )
    with service.project.read() as db:
        gold = [(g.session_id, g.rater_id) for g in db.scalars(select(GoldSession))]
    assert gold == [(session_id(service, "E8"), rater_id(service, "Gold"))]
    assert "each coded item's presence kappa ≥ 0.60" in cal.status.text()
    cal.activateWindow()
    qtbot.waitUntil(cal.isActiveWindow)
    t.press(cal, K.Key_Escape)
    qtbot.waitUntil(lambda: not cal.isVisible())
