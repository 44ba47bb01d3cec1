"""Bridges the service layer's change notices to Qt, coalesced once per event-loop turn."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from rupture_coder.services import ChangeSet, ProjectService


class Notice:
    """The tables and row ids that changed since the last notice."""

    def __init__(self) -> None:
        self.tables: set[str] = set()
        self.ids: dict[str, set[str]] = {}

    def add(self, change: ChangeSet) -> None:
        self.tables |= change.tables or {"*"}
        for table in change.tables:
            self.ids.setdefault(table, set()).update(change.ids(table))


class ChangeBus(QObject):
    """Emits ``changed(Notice)`` once per event-loop turn, whatever number of commands ran."""

    changed = Signal(object)

    def __init__(self, service: ProjectService, parent: QObject | None = None):
        super().__init__(parent)
        self._pending: Notice | None = None
        self._unsubscribe = service.subscribe(self._on_change)

    def _on_change(self, change: ChangeSet) -> None:
        if self._pending is None:
            self._pending = Notice()
            QTimer.singleShot(0, self._flush)
        self._pending.add(change)

    def _flush(self) -> None:
        notice, self._pending = self._pending, None
        if notice is not None:
            self.changed.emit(notice)

    def close(self) -> None:
        self._unsubscribe()
