"""The File and Session menus' actions on the project: recent projects, settings, restore from a
backup, the user guide, and the session commands (attach a transcript, re-cut the segments,
delete). A mixin of MainWindow (it uses its project, service, state and session list)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox, QStatusBar

from rupture_coder.errors import ProjectError, RuptureCoderError
from rupture_coder.gui.bus import ChangeBus
from rupture_coder.gui.buttons import on_click
from rupture_coder.gui.failures import guarded, run_command, show_failure
from rupture_coder.gui.focus import present, return_focus_after
from rupture_coder.gui.project_dialogs import (
    ResegmentDialog,
    RestoreDialog,
    SettingsDialog,
    UserGuide,
)
from rupture_coder.gui.workspace_state import SessionState
from rupture_coder.importers import FORMATS
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.imports import attach_transcript_file
from rupture_coder.services.sessions import DeleteSession, Resegment
from rupture_coder.store.backups import list_backups, restore_backup
from rupture_coder.store.db import Project, open_project

RECENT_KEY = "recentProjects"
RECENT_MAX = 8


class ProjectActions:
    """What they use of the window they are mixed into:"""

    project: Project
    service: ProjectService
    bus: ChangeBus
    state: SessionState
    picked_code: object
    identity: str | None
    recent_menu: QMenu
    settings_action: QAction
    attach_action: QAction
    resegment_action: QAction
    delete_session_action: QAction

    if TYPE_CHECKING:  # QMainWindow's and the window's, for the type checker

        def statusBar(self) -> QStatusBar: ...  # noqa: N802

        def back_to_transcript(self) -> None: ...

        def reload(self) -> None: ...

        def _on_changed(self, notice) -> None: ...

        def _on_failed(self, error) -> None: ...

        def _update_undo_actions(self) -> None: ...

    # -- open, new, switch ---------------------------------------------------------------------
    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open project", "", "rupture-coder projects (*.rcproj);;All files (*)"
        )
        if path:
            self.open_project(path)

    def _new_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "New project", "", "rupture-coder projects (*.rcproj)"
        )
        if path:
            self.open_project(path if path.endswith(".rcproj") else f"{path}.rcproj", create=True)

    def open_project(self, path: str, create: bool = False) -> bool:
        """Switch to the project at ``path`` (a new one with ``create``); a project that cannot be
        opened is refused with the reason (damaged, read-only, missing...) and nothing changes."""
        try:
            project = open_project(path, create=create)
        except ProjectError as exc:
            show_failure(self, exc, "Cannot open project")
            return False
        self.switch_project(project)
        return True

    def switch_project(self, project: Project) -> None:
        """Show another project (or the same file reopened) in this window."""
        self.bus.close()
        self.project.close()
        self.project = project
        self.service = ProjectService(project, self.service.actor)  # identity: _reload_raters
        self.bus = ChangeBus(self.service, self)
        self.bus.changed.connect(self._on_changed)
        self.bus.failed.connect(self._on_failed)
        self.state = SessionState()
        self.picked_code = None
        self.identity = None
        self.reload()
        self._update_undo_actions()
        self.remember_recent()

    # -- recent projects ----------------------------------------------------------------------
    def remember_recent(self) -> None:
        if self.project.path is None:
            return
        path = str(self.project.path)
        recent = [p for p in (QSettings().value(RECENT_KEY) or []) if p != path]
        QSettings().setValue(RECENT_KEY, [path, *recent][:RECENT_MAX])

    def recent_projects(self) -> list[str]:
        value = QSettings().value(RECENT_KEY) or []
        return [value] if isinstance(value, str) else list(value)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for k, path in enumerate(self.recent_projects()):
            action = self.recent_menu.addAction(
                f"&{k + 1} {Path(path).name}  ({Path(path).parent})"
            )
            action.setEnabled(Path(path).exists())
            on_click(action, lambda p=path: self.open_project(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(no recent projects)").setEnabled(False)

    # -- settings, backups, guide --------------------------------------------------------------
    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.service, self)  # type: ignore[arg-type]
        return_focus_after(dialog, self.back_to_transcript)
        present(dialog, modal=True)
        return dialog

    def open_restore(self) -> RestoreDialog | None:
        if self.project.path is None:
            self.statusBar().showMessage("only a project file has backups", 5000)
            return None
        dialog = RestoreDialog(list_backups(self.project.path), self)  # type: ignore[arg-type]
        dialog.accepted.connect(lambda: self._restore(dialog.chosen()))
        return_focus_after(dialog, self.back_to_transcript)
        present(dialog, modal=True)
        return dialog

    def _restore(self, backup: Path | None) -> None:
        path = self.project.path
        if backup is None or path is None:
            return
        self.project.close()
        try:
            safety = restore_backup(path, backup)
        except RuptureCoderError as exc:
            show_failure(self, exc, "Not restored")  # type: ignore[arg-type]
            safety = None
        try:
            reopened = open_project(path, create=False)
        except ProjectError as exc:
            show_failure(self, exc, "Cannot reopen the project")  # type: ignore[arg-type]
            return
        self.switch_project(reopened)
        if safety is not None:
            self.statusBar().showMessage(
                f"restored {backup.name}; the project as it was is kept in {safety.name}", 15000
            )

    def open_user_guide(self) -> UserGuide:
        guide = UserGuide(self)  # type: ignore[arg-type]
        return_focus_after(guide, self.back_to_transcript)
        present(guide)
        return guide

    # -- session commands ------------------------------------------------------------------------
    def _update_session_actions(self) -> None:
        session = self.state.session
        has = session is not None
        self.delete_session_action.setEnabled(has)
        self.resegment_action.setEnabled(has)
        self.attach_action.setEnabled(has and bool(session.media_path) and not self.state.rows)
        self.attach_action.setToolTip(
            "" if self.attach_action.isEnabled() else "for a media session without a transcript"
        )

    def delete_session(self) -> None:
        session = self.state.session
        if session is None:
            return
        answer = QMessageBox.question(
            self,  # type: ignore[arg-type]
            "Delete session",
            f"Delete the session {session.title!r} with its transcript and everyone's codes, "
            "ratings and comments on it? Edit › Undo brings it back while the project is open.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        self.back_to_transcript()
        if answer == QMessageBox.StandardButton.Yes and run_command(
            self,
            self.service,
            DeleteSession(session.id),  # type: ignore[arg-type]
        ):
            self.statusBar().showMessage(f"deleted {session.title!r} (Ctrl+Z brings it back)", 8000)

    def resegment_session(self) -> ResegmentDialog | None:
        session = self.state.session
        if session is None:
            return None
        rated = queries.segment_bound_data(self.project, session.id)  # every rater's
        dialog = ResegmentDialog(
            self.state.timed
            and any(u.start_s is not None for u in self.state.rows)
            or not self.state.rows,
            (session.segment_length_s or 300) / 60,
            rated,
            self,  # type: ignore[arg-type]
        )
        dialog.accepted.connect(
            lambda: run_command(self, self.service, Resegment(session.id, **dialog.choice()))  # type: ignore[arg-type]
        )
        return_focus_after(dialog, self.back_to_transcript)
        present(dialog, modal=True)
        return dialog

    def attach_transcript(self) -> None:
        session = self.state.session
        if session is None:
            return
        path, _ = QFileDialog.getOpenFileName(
            self,  # type: ignore[arg-type]
            f"Attach a transcript to {session.title}",
            "",
            f"Transcripts ({' '.join('*.' + f for f in FORMATS)});;All files (*)",
        )
        if path:
            offset, ok = QInputDialog.getDouble(
                self,  # type: ignore[arg-type]
                "Transcript offset",
                "Media time = transcript time + offset (seconds):",
                0.0, -86400, 86400, 2,
            )  # fmt: skip
            if ok and guarded(
                self,  # type: ignore[arg-type]
                lambda: attach_transcript_file(self.service, session.id, Path(path), offset),
                "Transcript not attached",
            ):
                self.statusBar().showMessage(f"attached {Path(path).name}", 8000)
        self.back_to_transcript()

    def import_files(self, files: list):
        from rupture_coder.gui.import_dialog import ImportDialog

        dialog = ImportDialog(self.service, files, self)
        dialog.setModal(True)
        return_focus_after(dialog, self.back_to_transcript)
        present(dialog)
        return dialog
