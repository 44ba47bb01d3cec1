"""Long work off the GUI thread: a worker, a progress dialog with Cancel, the result back on the GUI.

    task = run_task(window, "Merging rater packages", lambda progress: merge_packages(svc, paths, progress),
                    on_done=lambda result: ...)

``work`` runs on a thread of the global QThreadPool with a ``rupture_coder.tasks.Progress``; its
reports move the dialog's bar, and the dialog's Cancel button calls ``Progress.cancel``, which the
work honours at its next step by raising ``Cancelled`` (a merge or an import is one command, so its
transaction is rolled back: cancel changes nothing). ``on_done`` gets the result on the GUI thread;
a refusal (any ``RuptureCoderError``) is shown to the person in a failure dialog (gui/failures.py), unless ``on_error``
takes it; a cancel is said in the parent's status bar. The window stays responsive throughout: the
GUI thread only moves the bar.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    SIGNAL,
    SLOT,
    QCoreApplication,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtWidgets import QProgressBar, QProgressDialog, QWidget

from rupture_coder.errors import Cancelled, InternalError, RuptureCoderError, StorageError
from rupture_coder.gui.failures import show_failure
from rupture_coder.tasks import Progress

log = logging.getLogger(__name__)
SHOW_AFTER_MS = 300  # quick work finishes without a dialog flashing up
SWITCH_INTERVAL_S = 0.0005
_interval = 0.005  # Python's switch interval before the first task started
_thresholds: tuple[int, ...] = gc.get_threshold()  # the collector's before the first task started
NO_FULL_COLLECTION = 1 << 30  # the oldest generation's threshold while work runs
_running = 0  # tasks under way: while any runs, what existed before stays out of the collector
_lock = threading.Lock()
# every worker's runnable (with its signals and progress) until its work has ended: a Task dies
# with its window, and the work it started must still find its signals when it reports or ends
_alive: set[_Runnable] = set()


def _started() -> None:
    """A full garbage collection walks every object while holding the GIL, freezing the window
    for a good fraction of a second in a big study; the objects that existed before the work are
    kept out of it (gc.freeze) until the last task's work ends, and so are the work's own: no full
    collection runs until then (the work's hundreds of thousands of rows made each one hold the
    GIL for 30-70 ms, twice that on a busy machine). The young generations are still collected,
    so short-lived reference cycles are freed as before."""
    global _running, _interval, _thresholds
    with _lock:
        if _running == 0:
            gc.freeze()
            _thresholds = gc.get_threshold()
            gc.set_threshold(_thresholds[0], _thresholds[1], NO_FULL_COLLECTION)
            # the GUI thread gets the GIL back from the worker ten times sooner than Python's
            # default 5 ms, so its event loop keeps turning while pure-Python work runs
            _interval = sys.getswitchinterval()
            sys.setswitchinterval(min(_interval, SWITCH_INTERVAL_S))
        _running += 1


def _ended() -> None:
    global _running
    with _lock:
        _running -= 1
        if _running == 0:
            gc.set_threshold(*_thresholds)
            gc.unfreeze()
            sys.setswitchinterval(_interval)


def _freezing(emit: Callable[[int, int, str], None] | None) -> Callable[[int, int, str], None]:
    """The work's progress reports (at most every 50 ms, on the worker), each first moving what
    exists into the permanent generation (gc.freeze, O(1)), as ``_started`` did: a merge builds
    millions of objects (its packages, its row changes), and a full collection walking them on
    the worker held the GIL, freezing the window, for 25 ms at 50 packages, more at 200."""

    def report(done: int, total: int, what: str) -> None:
        gc.freeze()
        if emit is not None:
            emit(done, total, what)

    return report


class _Signals(QObject):
    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, work: Callable[[Progress], Any], progress: Progress, signals: _Signals):
        super().__init__()
        self.setAutoDelete(False)  # the Task keeps it, and its signals, alive until it reports
        self.work, self.progress, self.signals = work, progress, signals
        self.over = False

    def run(self) -> None:
        try:
            result = self.work(self.progress)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            _ended()
            if not isinstance(exc, RuptureCoderError | OSError):
                log.exception("background work failed")
            self.signals.failed.emit(exc)
        else:
            _ended()
            self.signals.finished.emit(result)
        self.over = True  # dropped from _alive by the next task's start, on the GUI thread


class Task(QObject):
    """One piece of work on a worker thread. ``state``: running, done, failed or cancelled."""

    done = Signal(object)  # the result
    failed = Signal(object)  # the exception (a Cancelled one when cancelled)
    ended = Signal()  # after done or failed, whichever it was

    def __init__(
        self, parent: QWidget, title: str, work: Callable[[Progress], Any], dialog: bool = True
    ):
        super().__init__(parent)
        self.title = title
        self.state = "running"
        self.result: Any = None
        self.error: BaseException | None = None
        # the application's, not the Task's: the work may outlive a Task that dies with its window
        # (without a parent, PySide deleted them with the Task once they had been emitted)
        self._signals = _Signals(QCoreApplication.instance())
        queued = Qt.ConnectionType.QueuedConnection
        self._signals.progressed.connect(self._on_progress, queued)
        self._signals.finished.connect(self._on_finished, queued)
        self._signals.failed.connect(self._on_failed, queued)
        self.progress = Progress(_freezing(self._signals.progressed.emit if dialog else None))
        self.dialog: QProgressDialog | None = None
        self._runnable = _Runnable(work, self.progress, self._signals)
        for over in [r for r in list(_alive) if r.over]:
            _alive.discard(over)
            over.signals.deleteLater()
        _alive.add(self._runnable)
        # the window closed (and deleted) while the work runs: stop it; cancel changes nothing
        parent.destroyed.connect(self.progress.cancel)
        if dialog:
            self._show_dialog(parent)
        _started()
        QThreadPool.globalInstance().start(self._runnable)

    def _show_dialog(self, parent: QWidget) -> None:
        title = self.title
        self.dialog = QProgressDialog(title + "…", "Cancel", 0, 0, parent)
        self.dialog.setObjectName("taskProgress")
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(SHOW_AFTER_MS)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumWidth(420)
        # the bar is moved directly: QProgressDialog.setValue on a shown modal dialog turns the
        # event loop inside the call, so the end of the work, a closed window or another report
        # could run under it (a crash: the dialog deleted while in its own setValue)
        self.bar = QProgressBar(self.dialog)
        self.bar.setRange(0, 0)
        self.dialog.setBar(self.bar)
        # Cancel asks the work to stop; the dialog stays (saying so) until it has stopped
        QObject.disconnect(self.dialog, SIGNAL("canceled()"), self.dialog, SLOT("cancel()"))
        self.dialog.canceled.connect(self.cancel)
        self.dialog.setValue(0)  # starts the timer after which the dialog shows itself (not shown
        # yet: this call does not turn the event loop)

    def cancel(self) -> None:
        if self.state == "running":
            self.progress.cancel()
            if self.dialog is not None:
                self.dialog.setLabelText(f"{self.title}: cancelling…")
                self.dialog.setCancelButtonText("Cancelling…")

    @property
    def running(self) -> bool:
        return self.state == "running"

    def _on_progress(self, done: int, total: int, what: str) -> None:
        if self.state != "running" or self.progress.cancelled or self.dialog is None:
            return
        if what:
            self.dialog.setLabelText(f"{self.title}: {what}")
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total - 1))  # full only when the work has ended

    def _on_finished(self, result: Any) -> None:
        self.state, self.result = "done", result
        self._close()
        self.done.emit(result)
        self.ended.emit()

    def _on_failed(self, exc: BaseException) -> None:
        self.state = "cancelled" if isinstance(exc, Cancelled) else "failed"
        self.error = exc
        self._close()
        self.failed.emit(exc)
        self.ended.emit()

    def _close(self) -> None:
        if self.dialog is None:
            return
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()


def run_task(
    parent: QWidget,
    title: str,
    work: Callable[[Progress], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], bool] | None = None,
    dialog: bool = True,
) -> Task:
    """Run ``work(progress)`` on a worker with a progress dialog (none with ``dialog=False``: a
    view following a change must not block the window); ``on_done(result)`` on the GUI thread. A
    failure goes to ``on_error(exc)`` first; unless it returns True, a cancel is said in the parent
    window's status bar and anything else in a message box."""
    task = Task(parent, title, work, dialog=dialog)
    if on_done is not None:
        task.done.connect(on_done)

    def failed(exc: BaseException) -> None:
        if on_error is not None and on_error(exc):
            return
        if isinstance(exc, Cancelled):
            _status(parent, f"{title}: cancelled; nothing was changed")
            return
        if not isinstance(exc, RuptureCoderError):
            log.error("%s failed", title, exc_info=exc)
        show_failure(parent, _as_error(exc), title)

    task.failed.connect(failed)
    return task


def _as_error(exc: BaseException) -> RuptureCoderError:
    """The failure as the error a person is shown (a file the work could not write, a defect)."""
    if isinstance(exc, RuptureCoderError):
        return exc
    if isinstance(exc, OSError):
        return StorageError(
            f"{exc.filename or 'a file'}: {exc.strerror or exc}. Nothing was changed."
        )
    return InternalError(
        f"an unexpected error ({type(exc).__name__}: {exc}); please report this with the log file"
    )


def _status(widget: QWidget, text: str) -> None:
    window = widget.window()
    bar = getattr(window, "statusBar", None)
    if callable(bar):
        bar().showMessage(text, 8000)


def run_in_background(
    parent: QWidget, what: str, work: Callable[[Progress], Any], on_done: Callable[[Any], None]
) -> Task:
    """Quiet work (a view's refresh): no dialog, the result to ``on_done`` on the GUI thread; a
    failure is logged and said in the status bar."""
    task = Task(parent, what, work, dialog=False)
    task.done.connect(on_done)

    def failed(exc: BaseException) -> None:
        if not isinstance(exc, Cancelled):
            _status(parent, f"{what}: {_as_error(exc)}")

    task.failed.connect(failed)
    return task
