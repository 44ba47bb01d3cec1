"""Long work on a worker: the progress dialog, its Cancel button, and what a cancel leaves behind.

The merge and the import are made to wait for SQLite's write lock, held by a second connection as
another program would hold it, so the progress dialog is on screen and Cancel is clicked while the
work is under way; then the lock is let go and the work must stop before it commits."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest
from gui_helpers import wait_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton
from test_importers import write
from test_packages import counts, study  # noqa: F401  (fixture)

from rupture_coder.errors import Cancelled
from rupture_coder.gui.main_window import MainWindow
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.imports import plan_import, run_import
from rupture_coder.services.project import AddRater
from rupture_coder.store.db import open_project
from rupture_coder.study.agreement import ProjectAgreementQuery, project_agreement
from rupture_coder.study.exports import export_study
from rupture_coder.study.packages import export_package, merge_packages
from rupture_coder.tasks import Progress


@contextmanager
def write_lock(path: Path):
    """Another program holding the project's write lock until the block ends."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def progress_dialog(qtbot) -> QProgressDialog:
    found: list[QProgressDialog] = []

    def shown() -> bool:
        found[:] = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QProgressDialog) and w.isVisible()
        ]
        return bool(found)  # fmt: skip

    qtbot.waitUntil(shown, timeout=5000)
    return found[0]


def click_cancel(qtbot, dialog: QProgressDialog) -> None:
    (button,) = [b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def trigger(window, text: str) -> None:
    """The menu command with this text, as a person picks it."""
    (action,) = [a for a in window.actions() if a.text().replace("&", "") == text]
    action.trigger()


def packages_of(study) -> tuple[Path, list[Path]]:  # noqa: F811
    """The lead's project of the ``study`` fixture and a package of each of its coders."""
    lead_path, coders, tmp = study
    paths = []
    for name, (p, _svc, rater, _session) in coders.items():
        export_package(p, rater.id, tmp / f"{name}.rcpkg")
        paths.append(tmp / f"{name}.rcpkg")
    return lead_path, paths


@pytest.fixture
def lead_with_packages(study):  # noqa: F811
    lead_path, paths = packages_of(study)
    lead = open_project(lead_path)
    me = ProjectService(lead, "lead").run(AddRater("Lead", "lead")).result
    window = MainWindow(lead, "lead", rater_id=me.id)
    window.service._undo.clear()
    return window, lead_path, paths


def test_cancelling_a_merge_changes_nothing(qtbot, lead_with_packages):
    window, lead_path, paths = lead_with_packages
    qtbot.addWidget(window)
    window.show()
    before = counts(window.project)
    raters = queries.raters(window.project)  # Ann and Bob: the lead handed them coder copies
    window._ask_path = lambda *_a, **_k: [str(p) for p in paths]  # the file dialog's answer
    with write_lock(lead_path):
        trigger(window, "Merge rater packages…")
        dialog = progress_dialog(qtbot)  # the window turns while the worker waits for the lock
        assert "Merging rater packages" in dialog.windowTitle()
        click_cancel(qtbot, dialog)
        assert "cancelling" in dialog.labelText() and dialog.isVisible()  # until the work stops
    qtbot.waitUntil(lambda: "cancelled; nothing was changed" in window.statusBar().currentMessage())
    assert not [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QProgressDialog) and w.isVisible()
    ]
    assert "NOT saved" not in window.save_state.text()  # a cancel is not a failed save
    assert "Not saved" not in window.statusBar().currentMessage()
    assert counts(window.project) == before
    assert queries.raters(window.project) == raters
    assert not window.service.can_undo
    assert not list(lead_path.parent.glob("*.backup-merge-*")), "a cancelled merge keeps no backup"


def test_a_merge_on_the_worker_is_one_command_the_window_follows(qtbot, lead_with_packages):
    window, lead_path, paths = lead_with_packages
    qtbot.addWidget(window)
    window.show()
    window._ask_path = lambda *_a, **_k: [str(p) for p in paths]
    trigger(window, "Merge rater packages…")
    qtbot.waitUntil(lambda: "merged 2 package(s)" in window.statusBar().currentMessage())
    assert counts(window.project)["CodeEvent"] == 6
    qtbot.waitUntil(lambda: window.undo_action.isEnabled())  # the notice reached the GUI thread
    assert "merge 2 rater package(s)" in window.undo_action.text()
    qtbot.waitUntil(lambda: window.rater_box.count() == 3)  # Ann and Bob: a lead sees them


def test_a_refused_merge_is_shown_and_changes_nothing(qtbot, lead_with_packages):
    window, lead_path, paths = lead_with_packages
    qtbot.addWidget(window)
    paths[0].write_bytes(b"not a zip at all")
    before = counts(window.project)
    window._ask_path = lambda *_a, **_k: [str(p) for p in paths]
    trigger(window, "Merge rater packages…")
    box = wait_window(qtbot, "failureDialog")  # the refusal in a dialog, by name
    assert "not a readable rater package" in box.text() and counts(window.project) == before
    box.close()


CSV = "session,turn,speaker,start,text\n" + "".join(
    f"S{s},{t},{'T' if t % 2 else 'P'},00:00:{t:02d},words {t}\n"
    for s in range(3)
    for t in range(1, 9)
)


def test_cancelling_an_import_changes_nothing(qtbot, tmp_path):
    path = tmp_path / "p.rcproj"
    window = MainWindow(open_project(path), "me")
    qtbot.addWidget(window)
    window.show()
    dialog = window.import_files([write(tmp_path / "three.csv", CSV)])
    qtbot.waitUntil(lambda: dialog.plan is not None and dialog.import_button.isEnabled())
    with write_lock(path):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        progress = progress_dialog(qtbot)
        click_cancel(qtbot, progress)
    qtbot.waitUntil(lambda: "Not imported" in dialog.summary.text())
    assert "cancelled" in dialog.summary.text() and dialog.isVisible()
    assert queries.list_sessions(window.project) == [] and not window.service.can_undo
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)  # and then for real
    qtbot.waitUntil(lambda: len(queries.list_sessions(window.project)) == 3)
    qtbot.waitUntil(lambda: window.sessions.topLevelItemCount() == 3)


def test_the_core_stops_where_it_is_told_and_writes_nothing(tmp_path, study):  # noqa: F811
    lead_path, coders, tmp = study
    lead = open_project(lead_path)
    stopped = Progress()
    stopped.cancel()
    with pytest.raises(Cancelled):
        export_study(lead, tmp / "out", "csv", stopped)
    assert not (tmp / "out").exists()
    with pytest.raises(Cancelled):
        project_agreement(lead, ProjectAgreementQuery(), stopped)
    with pytest.raises(Cancelled):
        plan_import(lead, [tmp / "x.txt"], progress=stopped)
    # cancelled while the import command writes its first session: rolled back whole
    plan = plan_import(lead, [write(tmp / "three.csv", CSV)])
    heard = []

    def report(done: int, total: int, what: str) -> None:
        heard.append(what)
        late.cancel()

    late = Progress(report)
    with pytest.raises(Cancelled):
        run_import(ProjectService(lead, "lead"), plan, progress=late)
    assert len(queries.list_sessions(lead)) == 1 and heard == ["writing S0"]
    before = counts(lead)
    with pytest.raises(Cancelled):
        merge_packages(ProjectService(lead, "lead"), [tmp / "none.rcpkg"], stopped)
    assert counts(lead) == before
    lead.close()


def test_the_bar_moves_with_the_work_and_a_closed_window_under_a_report_does_not_crash(
    qtbot, capfd
):
    """Reports move the dialog's bar and label without turning the event loop inside the call
    (QProgressDialog.setValue does, on a shown modal dialog: the work's end or a closed window
    could then delete the dialog under it). The window is closed and deleted while the work runs:
    the work is cancelled (cancel changes nothing), its last reports find their signals, nothing
    is drawn on the deleted dialog and nothing crashes."""
    import threading
    import time

    from PySide6.QtWidgets import QProgressBar, QWidget

    from rupture_coder.gui.tasks import run_task

    parent = QWidget()
    parent.show()
    release, reported = threading.Event(), threading.Event()

    def work(progress: Progress) -> str:
        for step in range(3):
            progress.step(step, 4, f"part {step + 1}")
            time.sleep(0.06)  # reports are heard at most every 50 ms
        reported.set()
        release.wait(10)
        for step in range(3, 200):
            progress.step(step, 200, "more")
        return "done"

    task = run_task(parent, "Working", work)
    dialog = progress_dialog(qtbot)
    qtbot.waitUntil(lambda: reported.is_set() and "part 3" in dialog.labelText())
    (bar,) = dialog.findChildren(QProgressBar)
    assert (bar.maximum(), bar.value()) == (4, 2)
    assert dialog.windowTitle() == "Working"
    runnable = task._runnable  # the Task dies with its window; the work it started does not
    parent.close()
    parent.deleteLater()
    qtbot.waitUntil(lambda: task.progress.cancelled)
    release.set()
    qtbot.waitUntil(lambda: runnable.over, timeout=10000)
    qtbot.wait(50)  # the queued reports of the end reach nobody, quietly
    assert "Error" not in capfd.readouterr().err


def test_in_a_project_with_no_lead_the_merge_offered_is_the_merge_done(qtbot, study):  # noqa: F811
    """Found by hand: whoever opens a project with no lead yet is offered every tool (docs/
    study.md), but a new name typed in "Who is coding?" is a coder, and the core then refused the
    merge it had offered. The core now follows the same rule as the window."""
    lead_path, paths = packages_of(study)
    lead = open_project(lead_path)
    lena = ProjectService(lead, "Lena").run(AddRater("Lena", "coder")).result
    window = MainWindow(lead, "Lena", rater_id=lena.id)
    qtbot.addWidget(window)
    window.show()
    window._ask_path = lambda *_a, **_k: [str(p) for p in paths]  # the file dialog's answer
    (action,) = [
        a for a in window.actions() if a.text().replace("&", "") == "Merge rater packages…"
    ]
    assert action.isVisible() and action.isEnabled()
    trigger(window, "Merge rater packages…")
    qtbot.waitUntil(lambda: "merged 2 package(s): " in window.statusBar().currentMessage())
    assert counts(window.project)["CodeEvent"] == 6
    # 200 packages: the outcome comes first and only three names are listed
    from rupture_coder.gui.study_actions import merged_message

    many = [{"rater": f"coder {k:03d}"} for k in range(200)] + [{"changed_rows": 5}]
    assert merged_message(many) == (
        "merged 200 package(s): 5 row(s) changed; "
        "signed by coder 000, coder 001, coder 002 and 197 more (verified)"
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_cancelled_while_it_writes_leaves_every_file_as_it_was(
    tmp_path,
    study,  # noqa: F811
    fmt,
    monkeypatch,
):
    """Found by hand: Cancel pressed while the XLSX files were being written said "cancelling…"
    for 15 s, then wrote them all. The files now stand or fall together."""
    lead_path, _coders, _tmp = study
    lead = open_project(lead_path)
    out = tmp_path / "out"
    first = export_study(lead, out, fmt)  # an earlier export, there before
    before = {p.name: p.read_bytes() for p in first}
    from rupture_coder.study import exports

    for table in ("segments", "summaries"):  # Cancel pressed while the first, the last is written
        late = Progress()

        def writer(df, path, table=table, late=late, real=exports.table_writer):
            write = real(df, path)
            if not path.name.startswith(table):
                return write

            def write_then_cancel(tmp):
                write(tmp)
                late.cancel()  # the person's click, while this file was being written

            return write_then_cancel

        monkeypatch.setattr(exports, "table_writer", writer)
        with pytest.raises(Cancelled):
            export_study(lead, out, fmt, late)
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no part file left
    lead.close()


def test_undoing_a_big_change_runs_on_the_worker_and_the_window_turns(
    qtbot, lead_with_packages, monkeypatch
):
    """Found by hand: undoing a merge of 200 packages froze the window for 13.6 s, redoing it
    7 s, with nothing said. A big undo or redo now runs on the worker behind a progress dialog."""
    from rupture_coder.gui import coding_actions

    window, lead_path, paths = lead_with_packages
    qtbot.addWidget(window)
    window.show()

    def rows() -> tuple[int, int]:  # the data (the audit log grows with every undo)
        found = counts(window.project)
        return found["CodeEvent"], found["SegmentRating"]

    before = rows()
    window._ask_path = lambda *_a, **_k: [str(p) for p in paths]
    trigger(window, "Merge rater packages…")
    qtbot.waitUntil(lambda: "merged 2 package(s)" in window.statusBar().currentMessage())
    merged = rows()
    qtbot.waitUntil(window.undo_action.isEnabled)
    monkeypatch.setattr(coding_actions, "BIG_REPLAY", 3)  # this merge's few rows count as big
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    with write_lock(lead_path):  # the undo waits for the lock: its dialog is on screen meanwhile
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        dialog = progress_dialog(qtbot)
        assert dialog.windowTitle() == "Undoing"
        assert not window.undo_action.isEnabled() and not window.redo_action.isEnabled()
        assert rows() == merged
    qtbot.waitUntil(lambda: rows() == before)
    qtbot.waitUntil(lambda: window.redo_action.isEnabled())
    assert "undo: merge 2 rater package(s)" in window.statusBar().currentMessage()
    window.activateWindow()  # the progress dialog had the keyboard
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: rows() == merged)
    qtbot.waitUntil(lambda: window.undo_action.isEnabled() and not window.redo_action.isEnabled())
