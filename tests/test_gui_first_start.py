"""First start on a new project (the minimal fix; issue 10 redoes identities): the name field has
the keyboard, OK waits for a name, and a window without a rater says how to become one."""

from __future__ import annotations

from gui_helpers import choose_menu, when_modal
from PySide6.QtCore import Qt

from rupture_coder.gui.app import ask_identity, open_main_window
from rupture_coder.services import queries
from rupture_coder.store.db import open_project


def type_name(qtbot, name: str):
    def answer(dialog):
        assert dialog.focusWidget() is dialog.new_name  # typing goes to the name, not a list
        assert not dialog.ok.isEnabled()  # OK accepts nobody no more
        qtbot.keyClicks(dialog.new_name, name)
        assert dialog.ok.isEnabled()
        qtbot.keyClick(dialog.new_name, Qt.Key.Key_Return)

    when_modal(answer)


def test_a_new_project_asks_a_name_with_the_keyboard_on_it(qtbot, tmp_path):
    project = open_project(tmp_path / "new.rcproj")
    type_name(qtbot, "Robin")
    rater_id = ask_identity(project)
    assert [(r.id, r.name) for r in queries.raters(project)] == [(rater_id, "Robin")]
    project.close()


def test_a_window_without_a_rater_says_how_and_file_code_as_fixes_it(qtbot, tmp_path):
    path = tmp_path / "empty.rcproj"
    open_project(path).close()
    window = open_main_window(path)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    assert "No sessions yet" in window.header.text()
    assert "File › Code as" in window.header.text()
    type_name(qtbot, "Robin")
    choose_menu(qtbot, window, "File", "Code as")
    qtbot.waitUntil(lambda: window.rater_box.currentText() == "Robin")
    assert "Nobody codes" not in window.header.text()
    qtbot.waitUntil(window.view.hasFocus)  # the keyboard is back in the transcript
