"""What keeps a session from being complete: every required rating missing, each a jump there."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from rupture_coder.services.progress import MissingRating


class MissingDialog(QDialog):
    """Up/Down choose, Enter (or a double-click) jumps to the rating and closes, Escape closes."""

    def __init__(self, missing: list[MissingRating], jump: Callable[[MissingRating], None], parent=None):  # fmt: skip
        super().__init__(parent)
        self.setObjectName("missingDialog")
        self.setWindowTitle("Not complete yet")
        self.missing, self.jump = missing, jump
        self.list = QListWidget()
        self.list.setObjectName("missingList")
        for m in missing:
            item = QListWidgetItem(str(m))
            item.setData(Qt.ItemDataRole.UserRole, m)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(self._go)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"<b>{len(missing)} required rating(s) missing.</b> "
                "Enter or a double-click goes to the one chosen."
            )
        )
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(440, 360)
        self.list.setFocus()

    def _go(self, item: QListWidgetItem) -> None:
        missing, jump = item.data(Qt.ItemDataRole.UserRole), self.jump
        self.accept()
        # after the dialog has handed the focus back to the window, not before
        QTimer.singleShot(0, lambda: jump(missing))
