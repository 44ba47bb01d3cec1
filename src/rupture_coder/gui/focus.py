"""The keyboard goes back where the person works after every dialog and popup.

Without a window manager giving focus back (Xvfb, some tiling desktops), closing a dialog left no
window active: Ctrl+R and F1 did nothing until a click."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget


def return_focus_after(dialog: QDialog, back: Callable[[], None]) -> None:
    """Call ``back()`` (activate the window, focus the transcript) when the dialog closes."""
    dialog.finished.connect(lambda _result: back())


def present(window: QWidget, modal: bool = False) -> None:
    """Show a window in front with the keyboard in it. Without a window manager that hands focus
    to new windows (Xvfb, some kiosks), a dialog opened with show() alone never got the keys:
    Escape went to the window behind and the dialog stayed open."""
    if modal and isinstance(window, QDialog):
        window.open()
    else:
        window.show()
    window.raise_()
    window.activateWindow()


def give_back_focus_after(dialog: QDialog) -> None:
    """When the dialog closes, the window and the widget that had the keyboard get it back."""
    before = QApplication.focusWidget()
    if before is None:
        return

    def back(_result: int) -> None:
        if shiboken6.isValid(before) and before.isVisible():
            before.window().activateWindow()
            before.setFocus(Qt.FocusReason.OtherFocusReason)

    dialog.finished.connect(back)
