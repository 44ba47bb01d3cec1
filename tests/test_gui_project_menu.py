"""The File and Session menus through the real window: project settings (validated, undoable),
restore from a backup (listed with dates, the current file backed up first), delete a session,
re-cut its segments, attach a transcript to a media session, recent projects."""

from __future__ import annotations

from pathlib import Path

from gui_helpers import CTRL, button, choose_menu, click, wait_window, when_modal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLineEdit
from test_gui_coding import choose_session, open_as_new_coder
from test_gui_media import media_project
from test_importers import write

from rupture_coder.gui.app import open_main_window
from rupture_coder.services import queries
from rupture_coder.services.project import AddRater
from rupture_coder.services.settings import get_setting
from rupture_coder.store.backups import list_backups
from rupture_coder.store.db import backup_sqlite


def lead_on_demo(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    lead = window.service.run(AddRater("Lena", "lead")).result
    window.set_identity(lead.id)
    return window


def test_a_lead_changes_a_setting_in_the_dialog_and_undoes_it(qtbot, demo_path):
    window = lead_on_demo(qtbot, demo_path)
    choose_menu(qtbot, window, "File", "Project settings")
    dialog = wait_window(qtbot, "settingsDialog")
    box = dialog.fields["summary.impact_threshold"]
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    box.selectAll()
    qtbot.keyClicks(box, "4")
    qtbot.keyClick(box, Qt.Key.Key_Return)  # OK
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert get_setting(window.project, "summary.impact_threshold") == 4
    qtbot.waitUntil(window.view.hasFocus)
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: get_setting(window.project, "summary.impact_threshold") == 3)


def test_coders_cannot_change_the_settings_of_a_project_with_a_lead(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    window.service.run(AddRater("Lena", "lead"))
    qtbot.waitUntil(lambda: not window.settings_action.isEnabled())


def test_restore_from_backup_lists_dates_and_backs_up_first(qtbot, demo_path):
    window = lead_on_demo(qtbot, demo_path)
    backup_sqlite(demo_path, demo_path.with_name(demo_path.name + ".backup-merge-20250102T030405Z"))
    added = window.service.run(AddRater("Added after the backup")).result
    choose_menu(qtbot, window, "File", "Restore from backup")
    dialog = wait_window(qtbot, "restoreDialog")
    line = dialog.list.item(0).text()
    assert "2025-01-0" in line and "before a merge" in line
    click(qtbot, button(dialog, "Restore", qtbot))
    qtbot.waitUntil(lambda: added.id not in {r.id for r in queries.raters(window.project)})
    kinds = [b.why for b in list_backups(demo_path)]
    assert kinds[0] == "before a restore"  # the project as it was is kept
    safety = list_backups(demo_path)[0].path
    from rupture_coder.store.db import open_project

    before = open_project(safety)
    assert added.id in {r.id for r in queries.raters(before)}
    before.close()


def test_delete_a_session_from_the_menu_and_undo(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Individual session 7")
    n = window.sessions.topLevelItemCount()
    when_modal(lambda box: click(qtbot, button(box, "Yes")))
    choose_menu(qtbot, window, "Session", "Delete this session")
    qtbot.waitUntil(lambda: window.sessions.topLevelItemCount() == n - 1)
    assert "Individual session 7" not in [s.title for s in queries.list_sessions(window.project)]
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: window.sessions.topLevelItemCount() == n)


def test_resegment_from_the_menu(qtbot, demo_path):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Individual session 7")
    assert len(window.state.segments) == 3
    choose_menu(qtbot, window, "Session", "Re-cut segments")
    dialog = wait_window(qtbot, "resegmentDialog")
    dialog.minutes.setFocus()
    qtbot.waitUntil(dialog.minutes.hasFocus)
    dialog.minutes.selectAll()
    qtbot.keyClicks(dialog.minutes, "2")
    assert not dialog.ok.isEnabled()  # the demo coders rated these segments: say so first
    click(qtbot, dialog.drop)
    qtbot.waitUntil(dialog.ok.isEnabled)
    dialog.minutes.setFocus()
    qtbot.keyClick(dialog.minutes, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(window.state.segments) == 6)
    session = window.state.session_id
    assert len(queries.segments(window.project, session)) == 6
    assert "2-minute" in window.header.text()


def test_attach_a_transcript_to_a_media_session(qtbot, tmp_path, monkeypatch):
    path, rater = media_project(tmp_path, with_transcript=False)
    window = open_main_window(path, rater_id=rater)
    qtbot.addWidget(window)
    window.show()
    assert window.model.rowCount() == 0 and "media only" in window.sessions.topLevelItem(0).text(4)
    srt = write(tmp_path / "later.srt", "1\n00:00:01,000 --> 00:00:04,000\nT: Hello.\n\n"
                "2\n00:00:20,000 --> 00:00:24,000\nP: Hi.\n")  # fmt: skip
    # the operating system's file picker is not ours to drive: it answers with the file
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(srt), ""))

    def offset(dialog):
        field = dialog.findChild(QLineEdit)  # the offset's number field
        field.setFocus()
        field.selectAll()
        qtbot.keyClicks(field, "10")
        qtbot.keyClick(field, Qt.Key.Key_Return)

    when_modal(offset)
    choose_menu(qtbot, window, "Session", "Attach a transcript")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    rows = queries.transcript(window.project, window.state.session_id)
    assert [u.start_s for u in rows] == [11.0, 30.0]  # media time = transcript time + offset
    assert not window.attach_action.isEnabled()


def test_recent_projects_in_the_file_menu(qtbot, demo_path, tmp_path, monkeypatch):
    window, _rater = open_as_new_coder(qtbot, demo_path)
    other = backup_sqlite(demo_path, tmp_path / "other.rcproj")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(other), ""))
    choose_menu(qtbot, window, "File", "Open project")
    qtbot.waitUntil(lambda: window.project.path == Path(other).resolve())
    assert window.recent_projects()[:2] == [str(Path(other).resolve()), str(demo_path.resolve())]
    choose_menu(qtbot, window, "File", "Open recent")
    menu = window.recent_menu
    qtbot.waitUntil(menu.isVisible)
    qtbot.keyClick(menu, Qt.Key.Key_2)  # "&2 demo.rcproj"
    qtbot.waitUntil(lambda: window.project.path == demo_path.resolve())
