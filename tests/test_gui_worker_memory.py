"""What a worker leaves for the GUI thread to do: nothing that takes long. What the work built is
kept out of the garbage collector's walks while it runs (frozen at each progress report), a big
list is freed one item at a time, and a change made on a worker reaches the GUI thread as its
notice only, its row changes freed on the worker."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QMainWindow

from rupture_coder.gui.bus import ChangeBus
from rupture_coder.gui.tasks import run_task
from rupture_coder.services.notices import Notice, Topic
from rupture_coder.services.project import AddRater
from rupture_coder.tasks import release


def _run(qtbot, work):
    window = QMainWindow()
    qtbot.addWidget(window)
    loop = QEventLoop()
    task = run_task(window, "Working", work, on_error=lambda _exc: True)
    task.ended.connect(loop.quit)
    if task.state == "running":
        loop.exec()
    return task


def test_what_the_work_built_is_frozen_at_its_reports_and_let_go_at_its_end(qtbot):
    seen = {}

    def work(progress):
        built = [[k] for k in range(50_000)]  # tracked objects, as a merge's packages are
        seen["before"] = gc.get_freeze_count()
        progress.step(1, 2, "half way")
        seen["after"] = gc.get_freeze_count()
        return len(built)

    task = _run(qtbot, work)
    assert task.state == "done" and task.result == 50_000
    assert seen["after"] >= seen["before"] + 50_000  # the lists built are out of the walks
    assert gc.get_freeze_count() == 0  # and back in the collector's care once the work ended


def test_release_empties_a_list_item_by_item():
    class Item:
        pass

    items = [Item() for _ in range(3)]
    watched = [weakref.ref(i) for i in items]
    release(items)
    assert items == [] and all(w() is None for w in watched)


def test_a_change_on_a_worker_reaches_the_gui_thread_as_its_notice_only(qtbot, service):
    bus = ChangeBus(service)
    heard: list[Notice] = []
    bus.changed.connect(heard.append)
    kept = {}

    def on_worker():
        change = service.run(AddRater("Ann"))
        kept["change"] = weakref.ref(change)

    worker = threading.Thread(target=on_worker)
    worker.start()
    worker.join()
    gc.collect()
    assert kept["change"]() is None  # nothing queued for the GUI thread holds the change set
    qtbot.waitUntil(lambda: bool(heard), timeout=2000)
    assert Topic.RATERS in heard[0].topics
    bus.close()
