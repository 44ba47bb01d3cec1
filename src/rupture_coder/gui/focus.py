"""The keyboard goes back where the person works after every dialog and popup.

Without a window manager giving focus back (Xvfb, some tiling desktops), closing a dialog left no
window active: Ctrl+R and F1 did nothing until a click."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog


def return_focus_after(dialog: QDialog, back: Callable[[], None]) -> None:
    """Call ``back()`` (activate the window, focus the transcript) when the dialog closes."""
    dialog.finished.connect(lambda _result: back())
