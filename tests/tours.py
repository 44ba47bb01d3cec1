"""What the role tours share: steps with a name (and a screenshot of the screen when
``RUPTURE_CODER_TOUR_SHOTS`` names a folder: ``make tour`` runs the tours that way under Xvfb),
controls found by what a person reads on them, and the files a person would pick in a file
dialog (the platform's dialog is replaced by the path the person would choose)."""

from __future__ import annotations

import os
from pathlib import Path

from gui_helpers import ALT, CTRL, SHIFT, button, choose_menu, click, plain, wait_window, when_modal
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QListWidget, QWidget

__all__ = ["ALT", "CTRL", "SHIFT", "Tour", "button", "choose_menu", "click", "wait_window"]


class Tour:
    """Names each step; with ``RUPTURE_CODER_TOUR_SHOTS`` set, saves a screenshot of it."""

    def __init__(self, qtbot, role: str):
        self.qtbot, self.role, self.n = qtbot, role, 0
        shots = os.environ.get("RUPTURE_CODER_TOUR_SHOTS")
        self.out = Path(shots) / role if shots else None
        if self.out is not None:
            self.out.mkdir(parents=True, exist_ok=True)

    def step(self, name: str) -> None:
        self.n += 1
        if self.out is None:
            return
        self.qtbot.wait(350)  # let the window paint what the step changed
        screen = QGuiApplication.primaryScreen()
        screen.grabWindow(0).save(str(self.out / f"{self.n:02d}-{name}.png"))

    # -- the person's hands ------------------------------------------------------------------
    def menu(self, window: QWidget, menu: str, item: str) -> None:
        choose_menu(self.qtbot, window, menu, item)

    def press(self, widget: QWidget, *keys, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        for key in keys:
            self.qtbot.keyClick(widget, key, modifier)

    def type_into_focus(self, text: str) -> None:
        widget = QApplication.focusWidget()
        assert widget is not None, "no widget has the keyboard"
        self.qtbot.keyClicks(widget, text)

    def click(self, parent: QWidget, text: str) -> None:
        click(self.qtbot, button(parent, text, self.qtbot))

    def click_item(self, widget: QListWidget, containing: str) -> None:
        """Click the list line that contains ``containing``."""
        for row in range(widget.count()):
            item = widget.item(row)
            if containing in item.text():
                widget.scrollToItem(item)
                rect = widget.visualItemRect(item)
                self.qtbot.mouseClick(
                    widget.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
                )
                self.qtbot.waitUntil(lambda r=row: widget.currentRow() == r)
                return
        lines = [widget.item(r).text() for r in range(widget.count())]
        raise AssertionError(f"no line with {containing!r} in {lines}")

    def answer_next_dialog(self, action) -> None:
        when_modal(action)

    def window(self, name: str) -> QWidget:
        return wait_window(self.qtbot, name)

    def focus(self, widget: QWidget) -> None:
        """Wait until the keyboard is in ``widget`` (where the app must put it)."""
        self.qtbot.waitUntil(widget.hasFocus, timeout=3000)


def pick_files(monkeypatch, *paths: Path) -> None:
    """The next file dialogs answer with these paths, as the person would choose them."""
    names = [str(p) for p in paths]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: (names, ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (names[0], ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (names[0], ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: names[0])


def texts(widget: QListWidget) -> list[str]:
    return [widget.item(r).text() for r in range(widget.count())]


def button_texts(parent: QWidget) -> list[str]:
    from PySide6.QtWidgets import QAbstractButton

    return [plain(b.text()) for b in parent.findChildren(QAbstractButton) if b.isVisible()]
