"""Start the desktop application."""

from __future__ import annotations

import getpass
import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from rupture_coder.applog import setup_logging
from rupture_coder.errors import ProjectError
from rupture_coder.gui.dialogs import ask_identity
from rupture_coder.gui.failures import install_excepthooks
from rupture_coder.gui.main_window import MainWindow
from rupture_coder.services.demo import default_project_path, ensure_demo
from rupture_coder.store.db import Project, open_project

__all__ = ["ask_identity", "make_app", "open_app_project", "open_main_window", "run_gui"]
log = logging.getLogger("rupture_coder.gui")


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


def run_gui(project_path: Path | None = None, create: bool = False) -> int:
    """The desktop app on a project; one that cannot be opened (missing, damaged, read-only...)
    is refused with the same message the command line gives."""
    app = make_app()
    log_file = setup_logging()
    install_excepthooks()
    log.info("rupture-coder starts (log: %s)", log_file)
    try:
        project = open_app_project(project_path, create)
        window = MainWindow(project, actor=getpass.getuser(), rater_id=ask_identity(project))
    except ProjectError as exc:
        log.error("cannot open project: %s", exc)
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
