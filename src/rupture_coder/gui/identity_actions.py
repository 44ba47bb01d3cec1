"""Who works in the window, and the tools their role may use: a mixin of MainWindow.

A coder (always, in a coder copy) sees only the coding tools: the lead's and supervisor's tools
(reconcile, review, calibration, merge, exports, reports, agreement, raters) are hidden, and the
core refuses them anyway (services/identity.py). A coder copy opens as its own rater and offers
no other identity. File > Save a copy… writes a consistent copy of any project (backup API)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QStatusBar

from rupture_coder.gui.bus import ChangeBus
from rupture_coder.gui.failures import guarded
from rupture_coder.gui.focus import present, return_focus_after
from rupture_coder.services import ProjectService
from rupture_coder.store.db import Project

if TYPE_CHECKING:
    from rupture_coder.gui.raters_dialog import RatersDialog


class IdentityActions:
    """What they use of the window they are mixed into:"""

    project: Project
    service: ProjectService
    bus: ChangeBus
    reconcile_action: QAction
    review_action: QAction
    calibration_action: QAction
    merge_action: QAction
    tables_action: QAction
    tables_csv_action: QAction
    session_report_action: QAction
    study_report_action: QAction
    agreement_action: QAction
    raters_action: QAction
    code_as_action: QAction
    settings_action: QAction
    attach_action: QAction
    resegment_action: QAction
    delete_session_action: QAction

    if TYPE_CHECKING:  # QMainWindow's and the window's, for the type checker

        def statusBar(self) -> QStatusBar: ...  # noqa: N802

        def back_to_transcript(self) -> None: ...

    def show_role_tools(self, role: str | None, copy: bool, lead_exists: bool) -> None:
        """Show the tools of this role. In a project with no lead yet (a new one, the demo) its
        maker may still use them all; once a lead exists (or in a coder copy) a coder sees only
        coding, and a supervisor what reads the study."""
        coder = copy or (role == "coder" and lead_exists)
        lead_like = role == "lead" or (not lead_exists and not copy)
        for action, roles in (
            (self.reconcile_action, ("lead",)),
            (self.calibration_action, ("lead",)),
            (self.review_action, ("lead", "supervisor")),
        ):
            action.setEnabled(role in roles and not copy)
            action.setToolTip(
                ""
                if action.isEnabled()
                else f"for a {' or '.join(roles)}; you code blind as a {role or 'coder'}"
            )
            action.setVisible(not coder)
        for action in (
            self.tables_action,
            self.tables_csv_action,
            self.session_report_action,
            self.study_report_action,
            self.agreement_action,
        ):
            action.setVisible(not coder)
            action.setEnabled(not coder)
        for action in (self.merge_action, self.raters_action):
            action.setVisible(not coder and (lead_like or role == "supervisor"))
            action.setEnabled(lead_like)
        self.code_as_action.setVisible(not copy)  # a coder copy is its rater's, nobody else's
        self.settings_action.setEnabled(lead_like)
        for action in (
            self.settings_action,
            self.attach_action,
            self.resegment_action,
            self.delete_session_action,
        ):
            action.setVisible(not copy)  # a copy keeps the lead's sessions, codebooks, settings
        # (a coder may import a new session: it travels in their package)

    def open_raters(self) -> RatersDialog:
        from rupture_coder.gui.raters_dialog import RatersDialog

        dialog = RatersDialog(self.service, self.bus, self)  # type: ignore[arg-type]
        return_focus_after(dialog, self.back_to_transcript)
        present(dialog)
        return dialog

    def save_copy(self) -> Path | None:
        """File > Save a copy…: the whole project, consistent (backup API) and atomic."""
        from rupture_coder.study.handout import save_copy

        if self.project.path is None:
            self.statusBar().showMessage("only a project file can be copied", 5000)
            return None
        default = self.project.path.with_name(f"{self.project.path.stem} copy.rcproj")
        path, _ = QFileDialog.getSaveFileName(
            self,  # type: ignore[arg-type]
            "Save a copy of the project",
            str(default),
            "rupture-coder projects (*.rcproj)",
        )
        if not path:
            return None
        out = Path(path if path.endswith(".rcproj") else f"{path}.rcproj")
        written = guarded(self, lambda: save_copy(self.project, out), "Not saved")  # type: ignore[arg-type]
        if written is not None:
            self.statusBar().showMessage(f"saved a copy of the project as {written}", 8000)
        self.back_to_transcript()
        return written
