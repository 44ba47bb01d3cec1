"""The agreement dashboard and the session summary panel, with real widgets."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt

from rupture_coder.gui.app import open_main_window
from rupture_coder.services import queries


def test_dashboard_computes_filters_and_exports(qtbot, demo_path, tmp_path):
    window = open_main_window(demo_path)
    qtbot.addWidget(window)
    dash = window.open_agreement()
    dash.codebook_box.setCurrentIndex(dash.codebook_box.findData("3rs-individual@1.0.0"))

    def computed():  # on a worker: wait for the newest selection's result
        qtbot.waitUntil(lambda: not dash.busy() and dash.status.text() != "Computing…")

    computed()
    assert dash.result is not None and dash.table.rowCount() == 28
    assert dash.table.item(1, 0).text() == "W2 Minimal response" and dash.table.item(
        1, 3
    ).text().startswith("1.00")
    dash.unit_box.setCurrentText("segment-rating")
    computed()
    assert dash.table.rowCount() == 3 and dash.table.item(0, 8).text() == "excellent"
    assert "Few units" in dash.status.text()
    # one rater unchecked: nothing to compare, every statistic explains itself
    dash.rater_list.item(1).setCheckState(Qt.CheckState.Unchecked)
    computed()
    assert (
        dash.table.item(0, 3).text() == "—"
        and "fewer than two raters" in dash.table.item(0, 4).toolTip()
    )
    dash.rater_list.item(1).setCheckState(Qt.CheckState.Checked)
    computed()
    for name in ("agreement.csv", "agreement.xlsx"):
        dash.export(str(tmp_path / name))
    csv = pd.read_csv(tmp_path / "agreement.csv")
    xlsx = pd.read_excel(tmp_path / "agreement.xlsx")
    assert len(csv) == len(xlsx) == 3 * 12  # 3 ratings x (5 statistics + within one point + 6 ICCs)
    row = csv[(csv.item == "withdrawal_impact") & (csv.statistic == "icc ICC(2,1)")].iloc[0]
    assert row.value == 1.0 and row.band == "excellent" and row.n_units == 3


def test_summary_panel_follows_session_and_rater(qtbot, demo_path):
    window = open_main_window(demo_path)
    qtbot.addWidget(window)
    window.show()
    window.summary_dock.raise_()  # computed while it is on screen
    qtbot.waitUntil(lambda: "Individual session 7 — Demo coder" in window.summary.toPlainText())
    assert "4 of 4" in window.summary.toPlainText()  # rupture episodes repaired
    assert not window.rater_box.isEnabled()  # a coder is blind: only their own codes
    second = next(r for r in queries.raters(window.project) if r.name == "Second coder")
    window.set_identity(second.id)
    qtbot.waitUntil(lambda: "Second coder" in window.summary.toPlainText())


def test_dashboard_events_tolerance_and_methods_sentence_by_keyboard_and_mouse(qtbot, demo_path):
    """A person picks the unit "events" in the combo box, types a tolerance, and copies the methods
    sentence of a rating with the button: all through key and mouse events on visible widgets."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QComboBox, QDoubleSpinBox, QLabel, QPushButton

    window = open_main_window(demo_path)
    qtbot.addWidget(window)
    dash = window.open_agreement()
    qtbot.waitExposed(dash)
    codebook = next(
        b for b in dash.findChildren(QComboBox) if b.findData("3rs-individual@1.0.0") >= 0
    )
    codebook.setFocus()
    QTest.keyClicks(codebook, "3rs-individual 1.0")
    unit = next(b for b in dash.findChildren(QComboBox) if b.findText("events") >= 0)
    unit.setFocus()
    QTest.keyClicks(unit, "events")
    assert unit.currentText() == "events"
    qtbot.waitUntil(lambda: not dash.busy() and dash.status.text() != "Computing…", timeout=30000)
    headers = [dash.table.horizontalHeaderItem(i).text() for i in range(dash.table.columnCount())]
    assert headers == ["Session", "Events A", "Events B", "Event κ", "Time κ", "Band"]
    assert dash.table.item(0, 0).text() == "All sessions" and dash.table.item(0, 1).text() == "17"
    first = dash.table.item(0, 4).text()  # time-based kappa, tolerance 2 s
    label = next(w for w in dash.findChildren(QLabel) if w.text() == "Onset &tolerance")
    spin = label.buddy()
    assert isinstance(spin, QDoubleSpinBox) and spin.isVisible()
    editor = spin.lineEdit()
    QTest.mouseClick(editor, Qt.MouseButton.LeftButton)
    QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor, "0")
    QTest.keyClick(spin, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: not dash.busy() and dash.status.text() != "Computing…", timeout=30000)
    assert spin.value() == 0.0 and "tolerance 0 s" in dash.status.text()
    # exact ticks only at 0 s; at 2 s a code matches the same code nearby (0.65: before "(none)"
    # was matched nearby too, which hid one-sided codes and gave 0.67)
    assert dash.table.item(0, 4).text().startswith("0.64") and first.startswith("0.65")
    unit.setFocus()
    QTest.keyClick(unit, Qt.Key.Key_Home)  # segment-presence, then one down: segment-rating
    QTest.keyClick(unit, Qt.Key.Key_Down)
    assert unit.currentText() == "segment-rating" and not spin.isVisible()
    qtbot.waitUntil(lambda: not dash.busy() and dash.status.text() != "Computing…", timeout=30000)
    rect = dash.table.visualItemRect(dash.table.item(1, 0))
    QTest.mouseClick(dash.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    button = next(b for b in dash.findChildren(QPushButton) if b.text() == "&Copy methods sentence")
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied.startswith(
        "Inter-rater reliability of Confrontation impact was assessed on 3 segments"
    )
    assert "McGraw & Wong, 1996" in copied and copied in dash.status.text()
