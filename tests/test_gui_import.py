"""The import dialog, driven with real widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_importers import write

from rupture_coder.gui.app import open_main_window
from rupture_coder.services.queries import list_sessions, transcript

CSV = (
    "session,turn,speaker,start,text\n"
    "A,1,T,00:00:01,How are you?\nA,2,P,00:00:05,Fine.\nA,3,P,00:00:0x,Bad time\n"
    "B,1,T,00:00:02,Second session\nB,2,P,00:00:01,Backwards\n"
)


def test_import_dialog_lists_problems_and_imports_with_repairs(qtbot, tmp_path):
    window = open_main_window(tmp_path / "empty.rcproj")
    qtbot.addWidget(window)
    window.show()
    dialog = window.import_files([write(tmp_path / "s.csv", CSV)])
    qtbot.waitUntil(lambda: dialog.plan is not None)  # the files are read on a worker
    assert dialog.sessions_table.rowCount() == 2 and dialog.problems.rowCount() == 2
    assert (
        dialog.problems.item(0, 1).text() == "line 4"
        and "not a timestamp" in dialog.problems.item(0, 3).text()
    )
    assert not dialog.import_button.isEnabled() and dialog.repair_button.isEnabled()
    assert dialog.map_boxes["order"].currentText() == "turn"
    # map speaker P of session A to a pseudonym and role
    dialog.sessions_table.setCurrentCell(0, 0)
    row = next(
        r for r in range(dialog.speakers.rowCount()) if dialog.speakers.item(r, 0).text() == "P"
    )
    dialog.speakers.item(row, 1).setText("Client 7")
    assert dialog.speakers.cellWidget(row, 2).currentText() == "client"
    qtbot.mouseClick(dialog.repair_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted)
    assert len(dialog.imported) == 2
    qtbot.waitUntil(lambda: window.sessions.topLevelItemCount() == 2)
    a = next(s for s in list_sessions(window.project) if s.title == "A")
    rows = transcript(window.project, a.id)
    assert [r.pseudonym for r in rows] == ["T", "Client 7", "Client 7"] and rows[2].start_s is None
    window.undo_action.trigger()  # the whole import is one command
    qtbot.waitUntil(lambda: window.sessions.topLevelItemCount() == 0)


def test_cancel_changes_nothing(qtbot, tmp_path):
    window = open_main_window(tmp_path / "empty.rcproj")
    qtbot.addWidget(window)
    dialog = window.import_files([write(tmp_path / "s.csv", CSV)])
    qtbot.waitUntil(lambda: dialog.plan is not None)
    dialog.reject()
    assert list_sessions(window.project) == []
    assert not window.service.can_undo
