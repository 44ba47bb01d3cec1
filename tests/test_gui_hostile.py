"""Hostile files and damaged projects where a person meets them: the import dialog and File >
Open / New, driven with keys and clicks. The refusals are the command line's, word for word."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from rupture_coder.gui import import_dialog, project_actions
from rupture_coder.gui.app import open_main_window
from rupture_coder.services.queries import list_sessions

DATA = Path(__file__).parent / "data" / "hostile"
SAMPLE = Path(__file__).resolve().parents[1] / "sample_transcripts" / "individual-session-07.txt"


def dialog_of(qtbot):
    def find():
        return next((w for w in QApplication.topLevelWidgets()
                     if w.objectName() == "importDialog" and w.isVisible()), None)  # fmt: skip

    qtbot.waitUntil(lambda: find() is not None)
    return find()


def shown(qtbot, window):
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # the File menu's keys reach the active window
    return window


def button(widget, text: str) -> QPushButton:
    return next(b for b in widget.findChildren(QPushButton) if b.text() == text)


def test_the_import_dialog_lists_each_hostile_file_by_name_and_imports_nothing(
    qtbot, tmp_path, monkeypatch
):
    window = open_main_window(tmp_path / "p.rcproj")
    shown(qtbot, window)
    files = [
        "billion-laughs.docx",
        "declared-1gib.docx",
        "ratio-bomb.xlsx",
        "deep-nesting.eaf",
        "nul-in-line-3.txt",
    ]
    chosen = [str(DATA / f) for f in files] + [str(SAMPLE)]
    monkeypatch.setattr(import_dialog.QFileDialog, "getOpenFileNames", lambda *a, **k: (chosen, ""))
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = dialog_of(qtbot)
    qtbot.mouseClick(button(dialog, "Add files…"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.plan is not None)  # the files are read on a worker
    rows = {
        dialog.problems.item(r, 0).text(): (dialog.problems.item(r, 1).text(), dialog.problems.item(r, 3).text(),
                                             dialog.problems.item(r, 4).text())
        for r in range(dialog.problems.rowCount())
    }  # fmt: skip
    assert set(rows) == set(files)
    assert rows["declared-1gib.docx"][:2] == (
        "member word/document.xml",
        "a member may inflate to at most 64.0 MiB",
    )
    assert rows["billion-laughs.docx"][1].startswith(
        "a document type declaration (DTD) is not accepted"
    )
    assert "compressed more than 100 to 1" in rows["ratio-bomb.xlsx"][1]
    assert rows["nul-in-line-3.txt"][0] == "line 3 (byte 174)"
    assert all(repair == "cannot be repaired" for *_rest, repair in rows.values())
    assert dialog.sessions_table.rowCount() == 1  # the good file is read, but cannot go in alone
    assert not dialog.import_button.isEnabled() and not dialog.repair_button.isEnabled()
    assert "some cannot be repaired" in dialog.summary.text()
    qtbot.mouseClick(button(dialog, "Cancel"), Qt.MouseButton.LeftButton)
    assert list_sessions(window.project) == [] and not window.service.can_undo


def answer_message_box(seen: list[str]) -> None:
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        seen.append(box.text())
        box.accept()
    else:
        QTimer.singleShot(50, lambda: answer_message_box(seen))


def test_opening_a_damaged_project_shows_the_command_lines_refusal(
    qtbot, tmp_path, demo_path, monkeypatch
):
    damaged = tmp_path / "damaged.rcproj"
    damaged.write_bytes(demo_path.read_bytes()[:50_000])
    cli = subprocess.run([sys.executable, "-m", "rupture_coder", "sessions", "--project", str(damaged)],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert cli.returncode == 2
    window = open_main_window(demo_path)
    shown(qtbot, window)
    monkeypatch.setattr(
        project_actions.QFileDialog, "getOpenFileName", lambda *a, **k: (str(damaged), "")
    )
    seen: list[str] = []
    QTimer.singleShot(50, lambda: answer_message_box(seen))
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(seen))
    assert cli.stderr.strip() == f"rupture-coder: {seen[0]}"
    assert "the project file is damaged" in seen[0] and "Nothing was changed" in seen[0]
    assert window.project.path == demo_path.resolve() and damaged.stat().st_size == 50_000


def test_opening_a_read_only_project_for_coding_is_refused(qtbot, tmp_path, demo_path, monkeypatch):
    folder = tmp_path / "shared"
    folder.mkdir()
    project = shutil.copyfile(demo_path, folder / "p.rcproj")
    window = open_main_window(demo_path)
    shown(qtbot, window)
    monkeypatch.setattr(
        project_actions.QFileDialog, "getOpenFileName", lambda *a, **k: (str(project), "")
    )
    if os.geteuid() == 0:  # root writes anywhere: the folder is read-only to everyone else
        monkeypatch.setattr(os, "access", lambda path, mode, **k: Path(path) != folder)
    else:
        folder.chmod(0o555)
    seen: list[str] = []
    QTimer.singleShot(50, lambda: answer_message_box(seen))
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(seen))
    folder.chmod(0o755)
    assert f"its folder {folder} cannot be written" in seen[0]
    assert window.project.path == demo_path.resolve()


def test_file_new_makes_a_project_and_switches_to_it(qtbot, tmp_path, demo_path, monkeypatch):
    window = open_main_window(demo_path)
    shown(qtbot, window)
    target = tmp_path / "study"
    monkeypatch.setattr(
        project_actions.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "")
    )
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.project.path == target.with_suffix(".rcproj").resolve())
    assert target.with_suffix(".rcproj").exists() and list_sessions(window.project) == []
