"""Bridges the service layer's change notices to Qt, coalesced once per event-loop turn.

Every window that shows project data connects to ``ChangeBus.changed`` and refreshes what the
notice touches, so a change made anywhere in the app (undo included) shows everywhere. A command
run on a worker thread (``gui/tasks.py``) is heard there and handed to the GUI thread first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal

from rupture_coder.services import ChangeSet, ProjectService
from rupture_coder.services.notices import Notice


class ChangeBus(QObject):
    """Emits ``changed(Notice)`` once per event-loop turn, whatever number of commands ran."""

    changed = Signal(object)
    failed = Signal(object)  # a RuptureCoderError: a command, undo or redo wrote nothing
    _from_worker = Signal(object)

    def __init__(self, service: ProjectService, parent: QObject | None = None):
        super().__init__(parent)
        self._pending: Notice | None = None
        self._closed = False
        self._from_worker.connect(self._on_notice, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe_changes = service.subscribe(self._on_change)
        self._unsubscribe_failures = service.subscribe_failures(self.failed.emit)

    def _on_change(self, change: ChangeSet) -> None:
        if QThread.currentThread() is not self.thread():
            # queued: _on_notice on the GUI thread. Only the notice: the change set of a merge
            # holds 100,000 row changes, and freeing them there froze the window
            self._from_worker.emit(change.notice)
            return
        self._on_notice(change.notice)

    def _on_notice(self, notice: Notice) -> None:
        if self._pending is None:
            self._pending = Notice()
            QTimer.singleShot(0, self._flush)
        self._pending.merge(notice)

    def _flush(self) -> None:
        notice, self._pending = self._pending, None
        if notice is not None and not self._closed:
            self.changed.emit(notice)

    def close(self) -> None:
        """Stop following the service (its project is closing); a pending notice is dropped."""
        self._closed = True
        self._unsubscribe_changes()
        self._unsubscribe_failures()

    def follow(self, view: QObject, on_notice: Callable[[Notice], None]) -> None:
        """Call ``on_notice`` for every notice while ``view`` lives (Qt drops the link with it)."""
        self.changed.connect(on_notice)
        view.destroyed.connect(lambda *_: _disconnect(self.changed, on_notice))


def _disconnect(signal, slot) -> None:
    # already gone with its receiver (PySide raises SystemError when the slot is a method of the
    # C++ object being deleted: a dashboard closed with WA_DeleteOnClose)
    with contextlib.suppress(RuntimeError, TypeError, SystemError):
        signal.disconnect(slot)
