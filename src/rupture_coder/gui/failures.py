"""Failures reach the person: a dialog says what was not done or not saved and why, the log file
keeps the details, and a defect anywhere (an uncaught exception, in any thread) shows a dialog
naming the log file instead of only printing to a terminal nobody watches."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from rupture_coder.applog import log_path
from rupture_coder.errors import (
    InputError,
    InternalError,
    RuptureCoderError,
    StorageError,
    UndoConflict,
)
from rupture_coder.gui.focus import give_back_focus_after, present
from rupture_coder.services import ChangeSet, ProjectService

log = logging.getLogger("rupture_coder.gui")


def _title(exc: BaseException) -> str:
    if isinstance(exc, StorageError):
        return "Not saved"
    if isinstance(exc, InternalError):
        return "Not saved: an error in rupture-coder"
    if isinstance(exc, UndoConflict):
        return "Cannot undo"
    if isinstance(exc, InputError):
        return "Not done"
    return "Something went wrong"


def show_failure(
    parent: QWidget | None, exc: BaseException, title: str | None = None
) -> QMessageBox:
    """A window-modal message (Enter or Escape closes it; focus goes back where it was)."""
    box = QMessageBox(parent)
    box.setObjectName("failureDialog")
    box.setIcon(
        QMessageBox.Icon.Critical
        if isinstance(exc, StorageError | InternalError)
        else QMessageBox.Icon.Warning
    )
    box.setWindowTitle(title or _title(exc))
    problems = getattr(exc, "problems", None)
    text = str(exc)
    if problems and (len(problems) > 1 or str(problems[0]) not in text):
        first = text.splitlines()[0] if text else ""
        text = first + "\n\n" + "\n".join(f"• {p}" for p in problems[:12])
        if len(problems) > 12:
            text += f"\n… and {len(problems) - 12} more (see Details)"
            box.setDetailedText("\n".join(map(str, problems)))
    box.setText(text)
    if isinstance(exc, StorageError | InternalError) or not isinstance(exc, RuptureCoderError):
        box.setInformativeText(f"Details are in the log file:\n{log_path()}")
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    give_back_focus_after(box)
    present(box, modal=True)
    return box


def run_command(parent: QWidget, service: ProjectService, command) -> ChangeSet | None:
    """Run one command; a refusal or failure is shown in a dialog and gives None."""
    try:
        return service.run(command)
    except RuptureCoderError as exc:
        show_failure(parent, exc)
        return None


def guarded(parent: QWidget, action: Callable[[], Any], title: str | None = None) -> Any:
    """Call ``action()``; a RuptureCoderError (a refusal, a file that cannot be written) is shown."""
    try:
        return action()
    except RuptureCoderError as exc:
        show_failure(parent, exc, title)
    except OSError as exc:  # writing a report or an export: the disk, the folder, permissions
        log.warning("file operation failed", exc_info=True)
        show_failure(parent, exc, title or "Not written")
    return None


class _Reporter(QObject):
    """Carries an uncaught exception from any thread to a dialog on the GUI thread."""

    crashed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.crashed.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self.shown: list[QMessageBox] = []

    def _show(self, summary: str) -> None:
        parent = QApplication.activeWindow()
        box = QMessageBox(parent)
        box.setObjectName("crashDialog")
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("rupture-coder hit an unexpected error")
        box.setText(
            f"{summary}\n\nYour coding up to the last saved change is safe: every change is "
            "committed the moment it is made. If something looks wrong, reopen the project."
        )
        box.setInformativeText(f"The details were written to the log file:\n{log_path()}")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        present(box, modal=True)
        self.shown.append(box)
        box.destroyed.connect(lambda *_: self.shown.remove(box) if box in self.shown else None)


_reporter: _Reporter | None = None


def install_excepthooks() -> _Reporter:
    """Log every uncaught exception (main thread, Qt slots, other threads) and show a dialog."""
    global _reporter
    if _reporter is None:
        _reporter = _Reporter()
    reporter = _reporter

    def report(exc_type, exc, tb, where: str = "") -> None:
        log.critical(
            "uncaught exception%s\n%s",
            where,
            "".join(traceback.format_exception(exc_type, exc, tb)),
        )
        if issubclass(exc_type, KeyboardInterrupt):
            return
        reporter.crashed.emit(f"{exc_type.__name__}: {exc}")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        report(args.exc_type, args.exc_value, args.exc_traceback, f" in thread {name}")

    sys.excepthook = report
    threading.excepthook = thread_hook
    return reporter
