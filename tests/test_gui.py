"""The main window on the demo project, driven with real Qt widgets (offscreen)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from rupture_coder.gui.app import open_main_window
from rupture_coder.services.coding import AddCode, CodeSpec


def test_main_window_shows_the_demo_project(qtbot, demo_path):
    window = open_main_window(demo_path)
    qtbot.addWidget(window)
    window.show()
    assert window.sessions.topLevelItemCount() == 3
    assert window.rater_box.currentText() == "Demo coder"
    assert window.model.rowCount() == 53  # Individual session 7 sorts first
    assert "Individual session 7" in window.header.text()
    assert window.codebook_panel.topLevelItemCount() == 3
    codes_col = window.model.index(1, 4).data()
    assert codes_col == "W2"
    # choose the group session
    window.sessions.setCurrentItem(window.sessions.topLevelItem(1))
    assert window.model.rowCount() == 34
    assert window.codebook_panel.codebook.id == "3rs-group"


def test_undo_and_redo_from_the_menu_refresh_the_view(qtbot, demo_path):
    window = open_main_window(demo_path)
    qtbot.addWidget(window)
    window.show()
    first = window.model.utterance(0)
    rater_id = window.rater_box.currentData()
    window.service.run(
        AddCode(
            window.state.session_id, rater_id, ("3rs-individual", "1.0.0"), CodeSpec("R1", first.id)
        )
    )
    qtbot.waitUntil(lambda: window.model.index(0, 4).data() == "R1")
    assert window.undo_action.isEnabled() and "code R1" in window.undo_action.text()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.model.index(0, 4).data() == "")
    qtbot.keyClick(
        window,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: window.model.index(0, 4).data() == "R1")
