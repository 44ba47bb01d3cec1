"""Bridges the service layer's change notices to Qt, coalesced once per event-loop turn."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from rupture_coder.services import ChangeSet, ProjectService


class ChangeBus(QObject):
    """Emits ``changed(tables)`` once per event-loop turn, whatever number of commands ran."""

    changed = Signal(frozenset)

    def __init__(self, service: ProjectService, parent: QObject | None = None):
        super().__init__(parent)
        self._pending: set[str] = set()
        self._unsubscribe = service.subscribe(self._on_change)

    def _on_change(self, change: ChangeSet) -> None:
        if not self._pending:
            QTimer.singleShot(0, self._flush)
        self._pending |= change.tables or {"*"}

    def _flush(self) -> None:
        tables, self._pending = frozenset(self._pending), set()
        self.changed.emit(tables)

    def close(self) -> None:
        self._unsubscribe()
