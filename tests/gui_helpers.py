"""Finding and working controls the way a person does: by visible text, accessible name or
shortcut; menus opened with Alt and their accelerator, items chosen with the arrow keys."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QMenu, QWidget

ALT, CTRL, SHIFT = (
    Qt.KeyboardModifier.AltModifier,
    Qt.KeyboardModifier.ControlModifier,
    Qt.KeyboardModifier.ShiftModifier,
)


def plain(text: str) -> str:
    return text.replace("&", "").strip()


def _buttons(parent: QWidget, text: str) -> list[QAbstractButton]:
    return [
        b for b in parent.findChildren(QAbstractButton) if plain(b.text()) == text and b.isVisible()
    ]


def button(parent: QWidget, text: str, qtbot=None) -> QAbstractButton:
    """The visible button whose text is ``text`` (accelerator ampersands ignored); with qtbot,
    waits for it (widgets added to a shown window appear on the next event-loop turn)."""
    if qtbot is not None:
        qtbot.waitUntil(lambda: bool(_buttons(parent, text)), timeout=3000)
    found = _buttons(parent, text)
    shown = [plain(b.text()) for b in parent.findChildren(QAbstractButton) if b.isVisible()]
    assert found, f"no visible button {text!r}; there are {shown}"
    return found[0]


def click(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def by_name(parent: QWidget, name: str, kind: type = QWidget):
    """The widget whose accessible name (or object name) is ``name``."""
    for w in parent.findChildren(kind):
        if w.accessibleName() == name or w.objectName() == name:
            return w
    raise AssertionError(f"no widget named {name!r}")


def choose_menu(qtbot, window, menu_title: str, item_text: str) -> None:
    """Alt+<accelerator> opens the menu; Down moves to the item; Return chooses it."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    bar = window.menuBar()
    top = next(a for a in bar.actions() if plain(a.text()) == menu_title)
    letter = top.text()[top.text().index("&") + 1]
    qtbot.keyClick(window, getattr(Qt.Key, f"Key_{letter.upper()}"), ALT)
    menu: QMenu = top.menu()
    qtbot.waitUntil(menu.isVisible)
    target = next(a for a in menu.actions() if plain(a.text()).startswith(item_text))
    assert target.isEnabled(), f"{item_text!r} is disabled: {target.toolTip()}"
    for _ in range(len(menu.actions()) + 1):
        if menu.activeAction() is target:
            break
        qtbot.keyClick(menu, Qt.Key.Key_Down)
    assert menu.activeAction() is target
    qtbot.keyClick(menu, Qt.Key.Key_Return)


def top_level(name: str) -> QWidget | None:
    for w in QApplication.topLevelWidgets():
        if w.objectName() == name and w.isVisible():
            return w
    return None


def wait_window(qtbot, name: str) -> QWidget:
    qtbot.waitUntil(lambda: top_level(name) is not None, timeout=5000)
    return top_level(name)


def when_modal(action: Callable[[QWidget], None], delay: int = 50) -> None:
    """Answer the next modal dialog (exec'd: the test cannot go on until it is closed)."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(delay, poll)
            return
        action(dialog)

    QTimer.singleShot(delay, poll)
