"""Scenarios run in a child process, so that their CPU time and peak memory are their own:

python -m bench.child open PROJECT RATER     open the workspace, print the seconds to shown
python -m bench.child first-paint PROJECT RATER
    start the app the way ``rupture-coder --project PROJECT`` does, print the CPU seconds
    spent when the main window first paints, and leave
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def open_window(path: str, rater: str) -> None:
    from PySide6.QtTest import QTest

    from bench.common import emit
    from rupture_coder.gui.app import make_app, open_main_window

    app = make_app()
    t0 = time.perf_counter()
    window = open_main_window(path, rater_id=rater)
    window.show()
    app.processEvents()
    shown = time.perf_counter() - t0
    while not window.slow_views_current():  # the warnings are listed a moment later
        QTest.qWait(5)
    listed = time.perf_counter() - t0
    emit({"shown_s": shown, "open_s": listed, "height": window.height(),
          "warnings": window.warnings.count()})  # fmt: skip
    os._exit(0)


def first_paint(path: str, rater: str) -> None:
    # the user's start-up: the launcher parses the arguments, then the GUI opens the project
    from PySide6.QtCore import QEvent, QObject, QSettings
    from PySide6.QtWidgets import QApplication, QMainWindow

    from bench.common import emit, self_cpu

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt API
            if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
                emit({"cpu_s": self_cpu()})
                os._exit(0)
            return False

    app = QApplication(sys.argv[:1])
    app.setApplicationName("rupture-coder")
    app.setOrganizationName("rupture-coder")
    QSettings().setValue(f"identity/{os.path.realpath(path)}", rater)
    watcher = FirstPaint()
    app.installEventFilter(watcher)
    from rupture_coder.launcher import main

    main(["--project", path])


if __name__ == "__main__":
    {"open": open_window, "first-paint": first_paint}[sys.argv[1]](*sys.argv[2:])
