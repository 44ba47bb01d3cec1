"""The Study menu of the main window: reconciliation, supervisor review, calibration, rater
packages, tidy exports and reports. A mixin of MainWindow (it uses its project, service and state)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QStatusBar, QTreeWidget

from rupture_coder.gui.bus import ChangeBus
from rupture_coder.gui.failures import guarded
from rupture_coder.gui.focus import present
from rupture_coder.gui.media_panel import MediaPanel
from rupture_coder.gui.transcript_view import TranscriptView
from rupture_coder.gui.workspace_state import SessionState
from rupture_coder.services import ProjectService, queries
from rupture_coder.store.db import Project


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
        present(dialog)
        return dialog

    def open_review(self):
        from rupture_coder.gui.review_dialog import ReviewDialog

        dialog = ReviewDialog(self.service, self.go_to, self.bus, self)
        present(dialog)
        return dialog

    def open_calibration(self):
        from rupture_coder.gui.calibration_dialog import CalibrationDialog

        dialog = CalibrationDialog(self.service, self.state.session_id, self.bus, self)
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

    def _export_package(self) -> None:
        from rupture_coder.study.packages import export_package

        path = self._ask_path(
            "Export rater package",
            f"{self.rater_box.currentText()}.rcpkg",
            "Rater packages (*.rcpkg)",
        )
        rater_id = self.rater_box.currentData()
        manifest = path and guarded(
            self, lambda: export_package(self.project, rater_id, Path(path))
        )  # type: ignore[arg-type]
        if manifest:
            self.statusBar().showMessage(
                f"wrote {path}: {manifest['sessions']} session(s), {manifest['codes']} code(s)",
                8000,
            )

    def _merge_packages(self) -> None:
        from rupture_coder.study.packages import merge_packages

        paths = self._ask_path("Merge rater packages", "", "Rater packages (*.rcpkg)", save=False)
        result = paths and guarded(
            self,  # type: ignore[arg-type]
            lambda: merge_packages(self.service, [Path(p) for p in paths]),
            "Not merged",
        )
        if result:
            self.statusBar().showMessage(
                f"merged {len(paths)} package(s): {result[-1]['changed_rows']} row(s) changed", 8000
            )

    def _export_tables(self) -> None:
        from rupture_coder.study.exports import export_study

        folder = QFileDialog.getExistingDirectory(self, "Export tidy tables to")  # type: ignore[arg-type]
        written = folder and guarded(self, lambda: export_study(self.project, Path(folder), "xlsx"))  # type: ignore[arg-type]
        if written:
            self.statusBar().showMessage(f"wrote {', '.join(p.name for p in written)}", 8000)

    def _session_report(self) -> None:
        from rupture_coder.study.reports import session_report

        if not self.state.session_id:
            return
        path = self._ask_path("Session report", f"{self.state.session.title}.docx", "Word (*.docx)")
        sid = self.state.session_id
        if path and guarded(self, lambda: session_report(self.project, sid, Path(path))):  # type: ignore[arg-type]
            self.statusBar().showMessage(f"wrote {path}", 8000)

    def _study_report(self) -> None:
        from rupture_coder.study.reports import study_report

        path = self._ask_path("Study report", "study-report.docx", "Word (*.docx)")
        if path and guarded(self, lambda: study_report(self.project, Path(path))):  # type: ignore[arg-type]
            self.statusBar().showMessage(f"wrote {path}", 8000)
