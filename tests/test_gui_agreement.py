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
    # two units: Fleiss' analytic CI runs to -3.14; shown clipped to kappa's range, and said so
    fleiss = dash.table.item(2, 4)
    assert fleiss.text().endswith("[-1.00, 1.00]†"), fleiss.text()
    assert "ran to [-3.14, 1.00]" in fleiss.toolTip()
    assert not dash.table.item(0, 4).text().endswith("†")
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


def test_a_dashboard_never_stops_the_coder_typing_and_a_closed_one_is_gone(qtbot, demo_path):
    """Found by hand: a closed dashboard lived on, recomputed after every key press behind a
    progress dialog that took the keyboard, and the coder's next keys were lost."""
    from gui_helpers import choose_menu, top_level, wait_window
    from PySide6.QtTest import QTest

    window = open_main_window(demo_path)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    rater = window.rater_box.currentData()

    def computed(dash) -> None:
        qtbot.waitUntil(
            lambda: not dash.busy() and not dash._after_change.isActive(), timeout=30000
        )

    def type_codes(rows: list[int]) -> None:
        """W2 (key 2) on each row that has none, with the time a person takes between keys; no
        progress dialog may come up meanwhile."""
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        for row in rows:
            window.view.select_rows(row)
            window.view.setFocus()
            qtbot.waitUntil(window.view.hasFocus)
            before = len(queries.codes(window.project, window.state.session_id, rater))
            QTest.keyClick(window.view, Qt.Key.Key_2)
            qtbot.waitUntil(
                lambda b=before: (
                    len(queries.codes(window.project, window.state.session_id, rater)) == b + 1
                )
            )
            for _ in range(15):  # 300 ms: a dialog would show after its 300 ms delay
                QTest.qWait(20)
                assert top_level("taskProgress") is None

    free = [r for r in range(window.model.rowCount())
            if "W2" not in {c.item_id for c in window.model.codes_at(r)}]  # fmt: skip
    choose_menu(qtbot, window, "Analysis", "Inter-rater agreement")
    dash = wait_window(qtbot, "agreementDashboard")
    computed(dash)
    shown = dash._generation
    type_codes(free[:2])  # the dashboard stays open behind: it follows, quietly, after the burst
    qtbot.waitUntil(lambda: dash._generation == shown + 1, timeout=5000)
    computed(dash)
    assert dash.status.text() != "Computing… (the codes changed)"
    dash.activateWindow()
    qtbot.waitUntil(dash.isActiveWindow)
    gone: list[bool] = []
    dash.destroyed.connect(lambda *_: gone.append(True))
    qtbot.keyClick(dash, Qt.Key.Key_Escape)  # closed: deleted, it follows nothing any more
    qtbot.waitUntil(lambda: gone == [True])
    type_codes(free[2:4])
    choose_menu(qtbot, window, "Analysis", "Inter-rater agreement")  # a new one, up to date
    again = wait_window(qtbot, "agreementDashboard")
    computed(again)
    assert again.result is not None
