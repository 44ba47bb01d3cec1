"""Long work as the core sees it: how far it is, and whether the person asked it to stop.

A study use case or a command that can take seconds takes a ``Progress``; it calls ``step`` as it
goes, which reports to whoever listens (a progress dialog, a terminal) and raises ``Cancelled`` once
``cancel`` was called, from any thread. Work that writes checks for the last time before it
commits, so a cancelled merge or import is rolled back whole: cancel changes nothing. No Qt here:
the GUI runs the work on a worker thread (``rupture_coder.gui.tasks``) and calls ``cancel``.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rupture_coder.errors import Cancelled

Report = Callable[[int, int, str], None]  # (done, total, what is being done)
REPORT_EVERY_S = 0.05  # a listener hears at most this often, and always the last step


class Progress:
    """Progress reports and a cancel flag shared between the work and the person watching it."""

    def __init__(self, report: Report | None = None) -> None:
        self._report = report
        self._cancel = threading.Event()
        self._last = 0.0

    def cancel(self) -> None:
        """Ask the work to stop at its next ``step`` or ``check`` (safe from any thread)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise ``Cancelled`` if the person asked to stop."""
        if self._cancel.is_set():
            raise Cancelled("cancelled; nothing was changed")

    def step(self, done: int, total: int, what: str = "") -> None:
        """``done`` of ``total`` (0 total: unknown); raises ``Cancelled`` if asked to stop."""
        self.check()
        if self._report is None:
            return
        now = time.monotonic()
        if (total and done >= total) or done == 0 or now - self._last >= REPORT_EVERY_S:
            self._last = now
            self._report(done, total, what)

    def quiet(self) -> Progress:
        """A progress for a part of the work: it reports nothing, and stops when this one does."""
        part = Progress()
        part._cancel = self._cancel
        return part


def progress_or_silent(progress: Progress | None) -> Progress:
    """The caller's progress, or one nobody listens to and nobody cancels."""
    return progress if progress is not None else Progress()


def release(items: list) -> None:
    """Empty a big list one item at a time. Freeing a structure of a million objects at once
    (a list of parsed packages, the row changes of a merge, when the function holding it
    returns) is one C call that holds the GIL for a tenth of a second and more, freezing the
    window while a worker thread does it; item by item, the GUI thread gets its turns."""
    while items:
        items.pop()


_collector_lock = threading.Lock()
_collector_pauses = 0  # work under way that asked the collector to wait
_collector_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the block runs (reference counting frees as ever).

    A merge builds millions of objects that live until it ends (the parsed packages, the row
    changes); each full collection walks all of them, 1 to 2 s of a 10 s merge of 200 packages,
    holding the GIL (the window froze while a worker did it). The cycles made meanwhile are
    collected once the last block ends."""
    global _collector_pauses, _collector_was_enabled
    with _collector_lock:
        if _collector_pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_pauses += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_pauses -= 1
            if _collector_pauses == 0 and _collector_was_enabled:
                gc.enable()
