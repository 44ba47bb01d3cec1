"""Failures reach the person through the real window: a locked database, a full disk and a
read-only file system each show a dialog saying what was not saved and why, the status line never
claims a save that failed, and nothing half-done is stored. Defects show a dialog naming the log."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from gui_helpers import choose_menu, click, wait_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton
from test_gui_coding import choose_session, open_as_new_coder

from rupture_coder.applog import setup_logging
from rupture_coder.services import queries
from rupture_coder.store import db as store_db


def code_w2_on_row_1(qtbot, window) -> None:
    window.view.setFocus()
    qtbot.waitUntil(window.view.hasFocus)
    window.view.select_rows(1)
    qtbot.keyClick(window.view, Qt.Key.Key_2)


def failure_dialog(qtbot):
    return wait_window(qtbot, "failureDialog")


def close_with_enter(qtbot, dialog) -> None:
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def my_codes(window, rater):
    return queries.codes(window.project, window.state.session_id, rater.id)


def test_a_key_press_while_another_program_holds_the_lock(qtbot, demo_path, monkeypatch):
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 300)  # the retry window, shortened
    window, rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Individual session 7")
    other = sqlite3.connect(demo_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program is writing
    try:
        code_w2_on_row_1(qtbot, window)
        dialog = failure_dialog(qtbot)
        assert dialog.windowTitle() == "Not saved"
        assert "code W2 was not saved" in dialog.text()
        assert "another program is writing to the project" in dialog.text()
        qtbot.waitUntil(lambda: "NOT saved" in window.save_state.text())
        assert "saved the moment" not in window.statusBar().currentMessage()
        assert my_codes(window, rater) == []
        close_with_enter(qtbot, dialog)
        qtbot.waitUntil(window.view.hasFocus)  # the keyboard is back in the transcript
    finally:
        other.execute("ROLLBACK")
        other.close()
    qtbot.keyClick(window.view, Qt.Key.Key_2)  # the same key again, now that the lock is free
    qtbot.waitUntil(lambda: [c.item_id for c in my_codes(window, rater)] == ["W2"])
    qtbot.waitUntil(lambda: window.save_state.text().startswith("✓"))


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MiB tmpfs of our own: it fills up, and it can be made read-only."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a small file system (tmpfs)")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> None:
    with open(folder / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass


def test_a_key_press_on_a_full_disk(qtbot, demo_path, small_disk):
    path = Path(shutil.copy(demo_path, small_disk / "demo.rcproj"))
    window, rater = open_as_new_coder(qtbot, path)
    choose_session(window, "Individual session 7")
    fill(small_disk)
    code_w2_on_row_1(qtbot, window)
    dialog = failure_dialog(qtbot)
    assert "was not saved" in dialog.text() and "the disk is full" in dialog.text()
    assert "NOT saved" in window.save_state.text()
    close_with_enter(qtbot, dialog)
    (small_disk / "filler").unlink()
    qtbot.keyClick(window.view, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: [c.item_id for c in my_codes(window, rater)] == ["W2"])


def chattr(flag: str, *paths: Path) -> None:
    subprocess.run(["chattr", flag, *map(str, paths)], check=True, capture_output=True)


def test_a_key_press_on_a_read_only_project_file(qtbot, demo_path):
    """The project file, its log and its folder made unwritable while the app has them open (as
    root, chmod does not stop writes; the immutable flag does)."""
    if os.geteuid() != 0 or not shutil.which("chattr"):
        pytest.skip("needs root and chattr to make files unwritable for root")
    window, rater = open_as_new_coder(qtbot, demo_path)
    choose_session(window, "Individual session 7")
    files = [p for p in (demo_path, demo_path.with_name(demo_path.name + "-wal")) if p.exists()]
    try:
        chattr("+i", *files, demo_path.parent)
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"this file system has no immutable flag: {exc.stderr}")
    try:
        code_w2_on_row_1(qtbot, window)
        dialog = failure_dialog(qtbot)
        assert "code W2 was not saved" in dialog.text()
        assert "read-only" in dialog.text(), dialog.text()
        assert "NOT saved" in window.save_state.text()
        close_with_enter(qtbot, dialog)
    finally:
        chattr("-i", *files, demo_path.parent)
    assert my_codes(window, rater) == []
    qtbot.keyClick(window.view, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: [c.item_id for c in my_codes(window, rater)] == ["W2"])


def test_a_corrupt_package_in_study_merge_shows_its_refusal(qtbot, merged, monkeypatch):  # noqa: F811
    from test_gui_study import lead_window

    window, _session, _ids = lead_window(qtbot, merged)
    tmp = merged[4]
    broken = tmp / "broken.rcpkg"
    broken.write_bytes((tmp / "Ann.rcpkg").read_bytes()[:200])  # truncated
    forged = tmp / "forged.rcpkg"
    import zipfile

    with zipfile.ZipFile(forged, "w") as z:  # readable zip, nonsense inside
        z.writestr("manifest.json", "[1, 2, 3]")
        z.writestr("data.json", "{}")
    for bad, words in ((broken, "not a readable rater package"), (forged, "not a rater package")):
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, b=bad, **k: ([str(b)], ""))
        choose_menu(qtbot, window, "Study", "Merge rater packages")
        dialog = failure_dialog(qtbot)
        assert "nothing changed" in dialog.text() and words in dialog.text(), dialog.text()
        close_with_enter(qtbot, dialog)


from test_consensus import merged  # noqa: E402, F401  (fixture)
from test_packages import study  # noqa: E402, F401  (fixture)


@pytest.mark.qt_no_exception_capture
def test_a_defect_shows_a_dialog_naming_the_log_file(qtbot, tmp_path, monkeypatch):
    from rupture_coder.gui.failures import install_excepthooks

    log = tmp_path / "logs" / "rupture-coder.log"
    monkeypatch.setenv("RUPTURE_CODER_LOG", str(log))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    setup_logging()
    install_excepthooks()

    def broken() -> None:
        raise ZeroDivisionError("a defect in a slot")

    widget = QPushButton("Break")
    qtbot.addWidget(widget)
    widget.clicked.connect(broken)
    widget.show()
    click(qtbot, widget)
    dialog = wait_window(qtbot, "crashDialog")
    assert "ZeroDivisionError: a defect in a slot" in dialog.text()
    assert str(log) in dialog.informativeText()
    close_with_enter(qtbot, dialog)
    thread = threading.Thread(target=lambda: 1 / 0, name="worker")
    thread.start()
    thread.join()
    dialog = wait_window(qtbot, "crashDialog")
    assert "ZeroDivisionError" in dialog.text()
    close_with_enter(qtbot, dialog)
    text = log.read_text(encoding="utf-8")
    assert "a defect in a slot" in text and "Traceback" in text and "in thread worker" in text


def test_refusals_and_failures_are_logged(tmp_path, monkeypatch, service):
    from rupture_coder.errors import CommandError
    from rupture_coder.services.project import AddRater

    log = tmp_path / "app.log"
    monkeypatch.setenv("RUPTURE_CODER_LOG", str(log))
    setup_logging()
    with pytest.raises(CommandError):
        service.run(AddRater(" "))
    assert "add coder ' ' refused: a rater needs a name" in log.read_text(encoding="utf-8")
