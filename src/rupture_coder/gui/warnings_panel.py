"""The consistency warnings of a session: a count and a bounded, scrollable list.

A coder who enters repairs before ruptures can have a warning on every code; the list is a
virtualised view of fixed height, so 50,000 warnings cost what 5 do on screen. Double-clicking a
warning that names a segment asks to show that segment (``segment_chosen``)."""

from __future__ import annotations

import re

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QLabel, QListView, QVBoxLayout, QWidget

VISIBLE_ROWS = 6
MIN_ROWS = 4
_SEGMENT = re.compile(r"\bsegment (\d+)\b")


class WarningsModel(QAbstractListModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._warnings: list[str] = []

    def set_warnings(self, warnings: list[str]) -> None:
        if warnings == self._warnings:
            return
        self.beginResetModel()
        self._warnings = list(warnings)
        self.endResetModel()

    def warning(self, row: int) -> str:
        return self._warnings[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._warnings)

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return ("⚠ " if role == Qt.ItemDataRole.DisplayRole else "") + self._warnings[
                index.row()
            ]
        return None


class WarningsPanel(QWidget):
    """'N consistency warnings' over a list at most ``VISIBLE_ROWS`` rows high; hidden when none."""

    segment_chosen = Signal(int)  # 0-based segment index

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("warnings")
        self.count_label = QLabel()
        self.count_label.setObjectName("warningsCount")
        self.model = WarningsModel(self)
        self.view = QListView()
        self.view.setObjectName("warningsList")
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)  # no per-row measuring: constant cost at any length
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.view.doubleClicked.connect(self._chosen)
        self.view.activated.connect(self._chosen)
        row = self.view.fontMetrics().height() + 4
        self.view.setMaximumHeight(VISIBLE_ROWS * row + 2 * self.view.frameWidth() + 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.count_label)
        layout.addWidget(self.view)
        self.show_warnings([])

    def show_warnings(self, warnings: list[str]) -> None:
        self.model.set_warnings(warnings)
        n = len(warnings)
        self.count_label.setText(
            f"<b>⚠ {n:,} consistency warning{'s' if n != 1 else ''}</b> (they do not block saving)"
        )
        # at least four rows on screen when there are as many (two were too few to scroll: the
        # scroll bar had no track to drag and Page Down moved one row)
        row = self.view.fontMetrics().height() + 4
        self.view.setMinimumHeight(min(n, MIN_ROWS) * row + 2 * self.view.frameWidth() + 2)
        self.setVisible(n > 0)

    def count(self) -> int:
        return self.model.rowCount()

    def text(self) -> str:
        """Every warning, one a line (what a screen reader or a copy would give)."""
        return "\n".join(self.model.warning(r) for r in range(self.model.rowCount()))

    def _chosen(self, index: QModelIndex) -> None:
        match = _SEGMENT.search(self.model.warning(index.row()))
        if match:
            self.segment_chosen.emit(int(match.group(1)) - 1)
