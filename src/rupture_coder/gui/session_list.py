"""The session list: a filter box over the sessions, each with the rater's status, and how many of
the project's sessions the rater has completed ("3 of 8 complete")."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from rupture_coder.services.queries import SessionInfo
from rupture_coder.shortcuts import keys
from rupture_coder.timestamps import format_timestamp

STATUS_MARK = {
    "complete": "✓ complete",
    "in progress": "● in progress",
    "not started": "○ not started",
}


def kind_text(info: SessionInfo) -> str:
    """'individual', 'group · media', 'individual · media only' (no transcript yet)."""
    if info.has_media and info.utterances == 0:
        return f"{info.kind} · media only"
    return f"{info.kind} · media" if info.has_media else info.kind


class SessionList(QWidget):
    """Type in the filter to narrow the list (title, status or kind); Enter goes to the first match."""

    chosen = Signal(str)  # session id

    def __init__(self, parent=None):
        super().__init__(parent)
        self._status: dict[str, str] = {}
        self.filter = QLineEdit()
        self.filter.setObjectName("sessionFilter")
        self.filter.setPlaceholderText(f"filter sessions ({keys('filter_sessions')})")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("filter sessions")
        self.filter.textChanged.connect(self._apply_filter)
        self.filter.returnPressed.connect(self._first_match)
        self.tree = QTreeWidget()
        self.tree.setObjectName("sessions")
        self.tree.setAccessibleName("sessions")
        self.tree.setHeaderLabels(["Session", "Status", "Utt.", "Length", "Kind"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.currentItemChanged.connect(self._on_current)
        self.progress = QLabel()
        self.progress.setObjectName("projectProgress")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.progress)

    def fill(self, infos: list[SessionInfo], current: str | None) -> str | None:
        """Show these sessions; returns the id kept selected (the current one, else the first)."""
        self.tree.blockSignals(True)
        self.tree.clear()
        selected = None
        for info in infos:
            length = format_timestamp(info.duration_s) if info.duration_s is not None else "–"
            item = QTreeWidgetItem([info.title, "", str(info.utterances), length, kind_text(info)])
            item.setData(0, Qt.ItemDataRole.UserRole, info.id)
            item.setToolTip(
                0,
                f"{info.title}\nsource: {info.source_file or '-'}\n"
                f"codebook: {' '.join(info.codebook or ())}",
            )
            self.tree.addTopLevelItem(item)
            if info.id == current or selected is None:
                selected = item
        for col in range(5):
            self.tree.resizeColumnToContents(col)
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0), 260))
        if selected is not None:
            self.tree.setCurrentItem(selected)
        self.tree.blockSignals(False)
        self._apply_filter(self.filter.text())
        return selected.data(0, Qt.ItemDataRole.UserRole) if selected is not None else None

    def items(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    def set_status(
        self, status: dict[str, str], rater_name: str | None, session_ids: set[str] | None = None
    ) -> None:
        """Each session's status mark and the project's count; with ``session_ids`` only those
        sessions' statuses are new (after a change), the others are kept."""
        if session_ids is None:
            self._status = dict(status)
        else:
            for sid in session_ids:
                if sid in status:
                    self._status[sid] = status[sid]
                else:
                    self._status.pop(sid, None)
        for item in self.items():
            sid = item.data(0, Qt.ItemDataRole.UserRole)
            if session_ids is None or sid in session_ids:
                item.setText(1, STATUS_MARK.get(self._status.get(sid), ""))
        if session_ids is None:
            self.tree.resizeColumnToContents(1)
        listed = [self._status.get(item.data(0, Qt.ItemDataRole.UserRole)) for item in self.items()]
        total = len(listed)
        done = listed.count("complete")
        started = listed.count("in progress")
        self.progress.setText(
            f"<b>{done} of {total} complete</b>, {started} in progress"
            + (f" ({rater_name})" if rater_name else "")
            if total
            else ""
        )
        self._apply_filter(self.filter.text())

    def select(self, session_id: str) -> None:
        for item in self.items():
            if item.data(0, Qt.ItemDataRole.UserRole) == session_id:
                self.tree.setCurrentItem(item)
                return

    def step(self, direction: int) -> bool:
        """The next (1) or previous (-1) session shown; False at either end."""
        shown = [i for i in self.items() if not i.isHidden()]
        current = self.tree.currentItem()
        if not shown:
            return False
        k = shown.index(current) + direction if current in shown else 0
        if not 0 <= k < len(shown):
            return False
        self.tree.setCurrentItem(shown[k])
        return True

    def _apply_filter(self, text: str) -> None:
        words = text.lower().split()
        for item in self.items():
            haystack = " ".join(item.text(c) for c in (0, 1, 4)).lower()
            item.setHidden(not all(w in haystack for w in words))

    def _first_match(self) -> None:
        shown = [i for i in self.items() if not i.isHidden()]
        if shown and self.tree.currentItem() is shown[0]:
            self._on_current(shown[0])
        elif shown:
            self.tree.setCurrentItem(shown[0])

    def _on_current(self, item: QTreeWidgetItem | None, _previous=None) -> None:
        if item is not None:
            self.chosen.emit(item.data(0, Qt.ItemDataRole.UserRole))
