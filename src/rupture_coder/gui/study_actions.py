"""The Study menu of the main window: reconciliation, supervisor review, calibration, rater
packages, tidy exports and reports. A mixin of MainWindow (it uses its project, service and state)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QFileDialog, QMessageBox, QStatusBar, QTreeWidget

from rupture_coder.gui.bus import ChangeBus
from rupture_coder.gui.focus import present, return_focus_after
from rupture_coder.gui.media_panel import MediaPanel
from rupture_coder.gui.tasks import Task, run_task
from rupture_coder.gui.transcript_view import TranscriptView
from rupture_coder.gui.workspace_state import SessionState
from rupture_coder.services import ProjectService, queries
from rupture_coder.store.db import Project

if TYPE_CHECKING:
    from rupture_coder.gui.media_panel import MediaPanel  # QtMultimedia loads with the first media


class StudyActions:
    """The Study menu's actions. What they use of the window they are mixed into:"""

    project: Project
    service: ProjectService
    bus: ChangeBus
    state: SessionState
    sessions: QTreeWidget
    view: TranscriptView
    media: MediaPanel | None
    rater_box: QComboBox

    if TYPE_CHECKING:  # QMainWindow's, for the type checker

        def statusBar(self) -> QStatusBar: ...  # noqa: N802

        def activateWindow(self) -> None: ...  # noqa: N802

        def back_to_transcript(self) -> None: ...

        def _action(self, menu, text: str, shortcut_id: str | None, slot) -> QAction: ...

    # -- study: reconciliation, review, calibration, packages, exports, reports ------------------------
    def open_reconcile(self):
        from rupture_coder.gui.reconcile_dialog import ReconcileDialog

        coders = [r.id for r in queries.raters(self.project) if r.role in ("coder", "lead")
                  and queries.session_status(self.project, r.id).get(self.state.session_id) != "not started"]  # fmt: skip
        if len(coders) < 2:
            self.statusBar().showMessage(
                "reconciling needs two or more raters who coded this session", 8000
            )
            return None
        dialog = ReconcileDialog(self.service, self.state.session_id, coders, self.bus, self)
        return self._show_follower(dialog)

    def open_review(self):
        from rupture_coder.gui.review_dialog import ReviewDialog

        dialog = ReviewDialog(self.service, self.go_to, self.bus, self)
        return self._show_follower(dialog)

    def open_calibration(self):
        from rupture_coder.gui.calibration_dialog import CalibrationDialog

        dialog = CalibrationDialog(self.service, self.state.session_id, self.bus, self)
        return self._show_follower(dialog)

    def _show_follower(self, dialog):
        """A dialog that follows every change: deleted when closed (a closed one lived on,
        refreshing after every key press behind the window), the keyboard back to the transcript."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return_focus_after(dialog, self.back_to_transcript)
        present(dialog)
        return dialog

    def go_to(self, moment) -> None:
        """Show a moment (from the review list): its session, its utterance, its media position."""
        for i in range(self.sessions.topLevelItemCount()):
            item = self.sessions.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == moment.session_id:
                self.sessions.setCurrentItem(item)
        if moment.position is not None:
            self.view.select_rows(moment.position)
        elif moment.start_s is not None and self.media is not None:
            self.media.seek(moment.start_s)
        self.activateWindow()

    def _ask_path(self, title: str, default: str, filters: str, save: bool = True) -> str:
        if save:
            return QFileDialog.getSaveFileName(self, title, default, filters)[0]
        return QFileDialog.getOpenFileNames(self, title, "", filters)[0]

    # Each long action runs on a worker (gui/tasks.py): a progress dialog with Cancel, the window
    # stays responsive, and a cancel changes nothing. The task is returned for tests and scripts.
    def _export_package(self) -> Task | None:
        from rupture_coder.study.packages import export_package

        path = self._ask_path(
            "Export rater package",
            f"{self.rater_box.currentText()}.rcpkg",
            "Rater packages (*.rcpkg)",
        )
        if not path:
            return None
        project, rater = self.project, self.rater_box.currentData()
        return run_task(
            self,
            "Exporting the rater package",
            lambda progress: export_package(project, rater, Path(path), progress),
            lambda manifest: self.statusBar().showMessage(
                f"wrote {path}: {manifest['sessions']} session(s), {manifest['codes']} code(s)",
                8000,
            ),
        )

    def _merge_packages(
        self, paths: list[str] | None = None, allow_older: bool = False
    ) -> Task | None:
        from rupture_coder.study.packages import merge_packages

        if paths is None:
            paths = self._ask_path(
                "Merge rater packages", "", "Rater packages (*.rcpkg)", save=False
            )
        if not paths:
            return None
        service, chosen = self.service, list(paths)
        return run_task(
            self,
            "Merging rater packages",
            lambda progress: merge_packages(
                service, [Path(p) for p in chosen], progress, allow_older=allow_older
            ),
            lambda result: self.statusBar().showMessage(merged_message(result), 15000),
            lambda exc: not allow_older and self._ask_merge_older(exc, chosen),
        )

    def _ask_merge_older(self, exc: BaseException, paths: list[str]) -> bool:
        """A package older than the last one merged for its rater: merge it anyway? (True: the
        question was asked instead of the failure shown)."""
        from rupture_coder.errors import OlderPackage

        if not isinstance(exc, OlderPackage):
            return False
        box = QMessageBox(self)  # type: ignore[arg-type]
        box.setObjectName("olderPackageDialog")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Merge an older package?")
        box.setText(
            "Merging would replace newer work of the same rater with older work:\n\n"
            + "\n".join(f"• {p}" for p in exc.problems)
        )
        anyway = box.addButton("Merge anyway", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Don't merge", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            if box.clickedButton() is anyway:
                self._merge_packages(paths, allow_older=True)
            else:
                self.statusBar().showMessage("not merged; nothing was changed", 8000)

        box.finished.connect(answered)
        present(box, modal=True)
        return True

    def add_file_actions(self, menu) -> None:
        """The Study menu's packages and tidy tables."""
        self._action(menu, "Export my rater &package…", None, self._export_package)
        self.merge_action = self._action(menu, "&Merge rater packages…", None, self._merge_packages)
        self.tables_action = self._action(
            menu, "Export tidy &tables (XLSX)…", None, self._export_tables
        )
        self.tables_csv_action = self._action(
            menu, "Export tidy tables (C&SV)…", None, self._export_csv
        )

    def _export_csv(self) -> Task | None:
        return self._export_tables("csv")

    def _export_tables(self, fmt: str = "xlsx") -> Task | None:
        """The three tidy tables (segments, events, summaries) as XLSX or CSV files in a folder."""
        from rupture_coder.study.exports import export_study

        folder = QFileDialog.getExistingDirectory(self, "Export tidy tables to")
        if not folder:
            return None
        project = self.project
        return run_task(
            self,
            "Exporting tidy tables",
            lambda progress: export_study(project, Path(folder), fmt, progress),
            lambda written: self.statusBar().showMessage(
                f"wrote {', '.join(p.name for p in written)}", 8000
            ),
        )

    def _session_report(self) -> Task | None:
        from rupture_coder.study.reports import session_report

        if not self.state.session_id:
            return None
        path = self._ask_path("Session report", f"{self.state.session.title}.docx", "Word (*.docx)")
        if not path:
            return None
        project, session_id = self.project, self.state.session_id
        return run_task(
            self,
            "Writing the session report",
            lambda progress: session_report(project, session_id, Path(path), progress=progress),
            lambda _out: self.statusBar().showMessage(f"wrote {path}", 8000),
        )

    def _study_report(self) -> Task | None:
        from rupture_coder.study.reports import study_report

        path = self._ask_path("Study report", "study-report.docx", "Word (*.docx)")
        if not path:
            return None
        project = self.project
        return run_task(
            self,
            "Writing the study report",
            lambda progress: study_report(project, Path(path), progress),
            lambda _out: self.statusBar().showMessage(f"wrote {path}", 8000),
        )

    def open_agreement(self):
        """The window's one agreement dashboard: brought forward when open, deleted when closed
        (a closed one must not go on following every change)."""
        from rupture_coder.gui.agreement_dashboard import AgreementDashboard

        dashboard = self.__dict__.get("_agreement")
        if dashboard is None or dashboard.project is not self.project:
            if dashboard is not None:
                dashboard.close()
            dashboard = AgreementDashboard(self.project, self.bus, self)
            dashboard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self._agreement = dashboard
            dashboard.destroyed.connect(partial(self._forget_agreement, dashboard))
            return_focus_after(dashboard, self.back_to_transcript)
        present(dashboard)
        return dashboard

    def _forget_agreement(self, dashboard, *_destroyed) -> None:
        if self.__dict__.get("_agreement") is dashboard:
            del self.__dict__["_agreement"]


def merged_message(result: list[dict]) -> str:
    """The status bar's account of a merge: the verified raters, then what changed."""
    names = [r["rater"] for r in result[:-1]]
    # the outcome first, and at most three names: 200 of them hid it past the status bar's end
    raters = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    changed = result[-1]["changed_rows"]
    told = f"{changed} row(s) changed" if changed else "nothing changed"
    if not changed and all(r.get("already_merged") for r in result[:-1]):
        told = "nothing changed: already merged"
    return f"merged {len(names)} package(s): {told}; signed by {raters} (verified)"
