"""The coding workspace driven from the keyboard, with real widgets (offscreen)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from rupture_coder.gui.app import open_main_window
from rupture_coder.services import queries
from rupture_coder.services.project import AddRater

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def open_as_new_coder(qtbot, path, name="Tester"):
    window = open_main_window(path)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    rater = window.service.run(AddRater(name)).result
    window.set_identity(rater.id)
    return window, rater


def choose_session(window, title):
    for i in range(window.sessions.topLevelItemCount()):
        if window.sessions.topLevelItem(i).text(0) == title:
            window.sessions.setCurrentItem(window.sessions.topLevelItem(i))
    window.view.setFocus()


def test_code_rate_undo_redo_reopen_from_the_keyboard(qtbot, demo_path):
    window, rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Individual session 7")
    qtbot.waitUntil(window.view.hasFocus)
    assert window.rater_box.currentText() == "Tester" and not window.rater_box.isEnabled()
    assert window.model.codes_at(1) == []  # blind: the demo coders' codes are not shown
    qtbot.keyClick(window.view, Qt.Key.Key_Down)  # row 1, "Fine."
    qtbot.keyClick(window.view, Qt.Key.Key_2)  # W2 Minimal response
    qtbot.waitUntil(lambda: [c.item_id for c in window.model.codes_at(1)] == ["W2"])
    assert (
        window.codes_panel.count() == 1 and "Minimal response" in window.codes_panel.item(0).text()
    )
    qtbot.keyClick(window, Qt.Key.Key_R, CTRL)  # rate the current segment
    row = window.segment_form.rows["withdrawal_impact"]
    qtbot.waitUntil(row.hasFocus)
    qtbot.keyClick(row, Qt.Key.Key_4)
    qtbot.keyClick(row, Qt.Key.Key_Tab)
    conf = window.segment_form.rows["confrontation_impact"]
    qtbot.waitUntil(conf.hasFocus)
    qtbot.keyClick(conf, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: conf.buttons[1].isChecked() and row.buttons[4].isChecked())
    assert "Segment 1 of 3" in window.segment_form.title.text()
    qtbot.keyClick(conf, Qt.Key.Key_Escape)
    qtbot.waitUntil(window.view.hasFocus)
    assert window.sessions.currentItem().text(1) == "● in progress"
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)  # undo the confrontation rating
    qtbot.waitUntil(lambda: not conf.buttons[1].isChecked())
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)  # undo the withdrawal rating
    qtbot.waitUntil(lambda: not row.buttons[4].isChecked())
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL | SHIFT)  # redo it
    qtbot.waitUntil(lambda: row.buttons[4].isChecked())
    window.close()
    window.project.close()

    again = open_main_window(demo_path)  # the identity is remembered per project
    qtbot.addWidget(again)
    choose_session(again, "Individual session 7")
    assert again.rater_box.currentText() == "Tester"
    assert [c.item_id for c in again.model.codes_at(1)] == ["W2"]
    assert again.segment_form.rows["withdrawal_impact"].buttons[4].isChecked()
    assert not again.segment_form.rows["confrontation_impact"].buttons[1].isChecked()
    seg, _sess = queries.ratings(again.project, again.state.session_id, rater.id)
    assert [v for (_s, rid), v in seg.items()] == [(4, False)]


def test_group_event_asks_level_and_target(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Skills group, session 3")
    window.view.select_rows(2)  # Mia: "Fine for you, maybe. You interrupted me..."

    def answer(dialog):
        assert dialog.actor_box.currentText() == "Mia (member)"
        assert [dialog.levels.item(i).text() for i in range(dialog.levels.count())] == [
            "member to therapist", "member to member", "member to group"
        ]  # fmt: skip
        assert dialog.levels.currentItem().text() == "member to member"  # a member's default
        assert dialog.target_box.currentText() == "Ravi"  # the member who spoke just before
        return QDialog.DialogCode.Accepted

    window.coding.group_dialog = answer
    qtbot.keyClick(window.view, Qt.Key.Key_Q)  # C1
    qtbot.waitUntil(lambda: len(window.model.codes_at(2)) == 1)
    code = window.model.codes_at(2)[0]
    assert (code.item_id, code.actor, code.target, code.level) == (
        "C1",
        "Mia",
        "Ravi",
        "member-member",
    )
    assert window.model.index(2, 4).data() == "C1 Mia→Ravi"
    window.coding.group_dialog = lambda d: QDialog.DialogCode.Rejected
    qtbot.keyClick(window.view, Qt.Key.Key_W)
    assert len(window.model.codes_at(2)) == 1  # cancelled: nothing coded


def test_edit_move_flag_and_delete_codes(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Individual session 7")
    window.view.select_rows(1)
    qtbot.keyClick(window.view, Qt.Key.Key_5)  # W5
    qtbot.waitUntil(lambda: len(window.model.codes_at(1)) == 1)
    window.ask_text = lambda *a, **k: ("defers instead of answering", True)
    qtbot.keyClick(window, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: window.model.codes_at(1)[0].note == "defers instead of answering")
    qtbot.keyClick(window, Qt.Key.Key_G, CTRL)  # flag, with the same (patched) answer as the reason
    qtbot.waitUntil(lambda: window.model.codes_at(1)[0].flagged)
    window.view.select_rows(7, 8)  # W5 belongs on "I guess. Whatever you think..."
    window.codes_panel.show_codes(window.model.codes_at(1), window.state.codebook)
    qtbot.keyClick(window, Qt.Key.Key_M, CTRL)
    qtbot.waitUntil(lambda: [c.item_id for c in window.model.codes_at(7)] == ["W5"])
    assert window.model.codes_at(7)[0].last_position == 8 and window.model.codes_at(1) == []
    window.view.select_rows(7)
    window.codes_panel.setFocus()
    qtbot.waitUntil(window.codes_panel.hasFocus)
    qtbot.keyClick(window.codes_panel, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.model.codes_at(7) == [])


def test_navigation_search_warnings_completion_and_help(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Individual session 7")
    qtbot.keyClick(window, Qt.Key.Key_Down, CTRL)  # next segment
    assert window.state.segment_of[window.view.current_row()] == 1
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(window.search, "Lisbon")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert "Lisbon" in window.model.utterance(window.view.current_row()).text
    qtbot.keyClick(window.view, Qt.Key.Key_F)  # R4 with no rupture before it
    qtbot.waitUntil(lambda: "no rupture coded before it" in window.warnings.text())
    qtbot.keyClick(window, Qt.Key.Key_Return, CTRL)  # not yet: ratings are missing
    assert "required ratings missing (listed)" in window.statusBar().currentMessage()
    help_overlay = window.show_help()
    text = help_overlay.text.toPlainText()
    assert "Ctrl+R" in text and "W1 Denial" in text


def test_identity_is_asked_once_per_project(qtbot, demo_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from rupture_coder.gui.app import ask_identity
    from rupture_coder.store.db import open_project

    project = open_project(demo_path)

    def answer():
        dialog = QApplication.activeModalWidget()
        assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == [
            "Demo coder (coder)",
            "Second coder (coder)",
        ]
        dialog.new_name.setText("New coder")
        dialog.accept()

    QTimer.singleShot(100, answer)
    rater_id = ask_identity(project)
    assert next(r.name for r in queries.raters(project) if r.id == rater_id) == "New coder"
    assert ask_identity(project) == rater_id  # remembered: not asked again
    project.close()
