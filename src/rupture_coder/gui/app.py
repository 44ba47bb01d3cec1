"""Start the desktop application."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from rupture_coder.errors import ProjectError
from rupture_coder.gui.dialogs import IdentityDialog
from rupture_coder.gui.main_window import MainWindow
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.demo import default_project_path, ensure_demo
from rupture_coder.services.project import AddRater
from rupture_coder.store.db import Project, open_project


def make_app() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("rupture-coder")
    app.setOrganizationName("rupture-coder")
    return app


def open_app_project(project_path: Path | None, create: bool = True) -> Project:
    """The given project (made when missing with ``create``; its folder must exist), or the
    default demo project (built, with its folder, on first start)."""
    if project_path is not None:
        return open_project(project_path, create=create)
    project = open_project(default_project_path(), create=True, create_folder=True)
    ensure_demo(project)
    return project


def open_main_window(project_path: Path | None, rater_id: str | None = None) -> MainWindow:
    return MainWindow(open_app_project(project_path), actor=getpass.getuser(), rater_id=rater_id)


def ask_identity(project: Project) -> str | None:
    """The rater this user codes as: remembered per project, else asked (blind coding starts here)."""
    raters = [r for r in queries.raters(project) if r.role in ("coder", "lead", "supervisor")]
    remembered = QSettings().value(f"identity/{project.path}")
    if any(r.id == remembered for r in raters):
        return remembered
    dialog = IdentityDialog(raters)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    rater_id, new_name = dialog.choice()
    if rater_id is None and new_name:
        rater_id = ProjectService(project, getpass.getuser()).run(AddRater(new_name)).result.id
    if rater_id is not None:
        QSettings().setValue(f"identity/{project.path}", rater_id)
    return rater_id


def run_gui(project_path: Path | None = None, create: bool = False) -> int:
    """The desktop app on a project; one that cannot be opened (missing, damaged, read-only...)
    is refused with the same message the command line gives."""
    app = make_app()
    try:
        project = open_app_project(project_path, create)
        window = MainWindow(project, actor=getpass.getuser(), rater_id=ask_identity(project))
    except ProjectError as exc:
        QMessageBox.critical(None, "Cannot open project", str(exc))
        print(f"rupture-coder: {exc}", file=sys.stderr)
        return 2
    window.show()
    code = app.exec()
    # tear the Qt objects down now, not during Python's final garbage collection
    window.project.close()
    window.deleteLater()
    app.processEvents()
    return code
