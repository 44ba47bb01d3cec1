"""The app and scripts leave cleanly: no refcount abort at interpreter exit.

PySide6 6.12.0 dropped references it did not own. ``SignalInstance.emit`` returned ``True``
without taking a reference to it, so every emit from Python code dropped one reference to
``True``: after a few thousand emits (a coding session, a benchmark, the test suite) Python
aborted at exit with "Fatal Python error: bool_dealloc". Under Python 3.11 every call of a void
Qt method dropped one reference to ``None`` likewise ("deallocating None" while a worker ran and
the event loop turned). pyproject.toml excludes that release; these tests catch the defect in any
other.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    fired = Signal(object)


def test_emitting_a_signal_keeps_the_reference_counts_of_true_and_false():
    emitter = _Emitter()
    emitter.fired.connect(lambda value: value and None)  # a slot that returns a bool, too
    before = sys.getrefcount(True), sys.getrefcount(False)
    for k in range(2000):
        emitter.fired.emit(k % 2 == 0)
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert abs(after[0] - before[0]) < 50 and abs(after[1] - before[1]) < 50, (before, after)


def test_void_qt_calls_leave_the_reference_count_of_none_alone(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
        QCoreApplication.processEvents()
    assert sys.getrefcount(None) >= before - 50  # a few Nones may be freed meanwhile, not 4,000


SCRIPT = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from rupture_coder.gui.app import make_app, open_main_window
    from rupture_coder.services.project import AddRater

    app = make_app()
    window = open_main_window(__import__("pathlib").Path(sys.argv[1]))
    window.show()
    rater = window.service.run(AddRater("Exit tester")).result
    window.set_identity(rater.id)
    window.view.setFocus()
    for _ in range(3000):  # thousands of emits, as a long coding session makes
        QTest.keyClick(window.view, Qt.Key.Key_Down)
        QTest.keyClick(window.view, Qt.Key.Key_Up)
    QTest.keyClick(window.view, Qt.Key.Key_2)
    app.processEvents()
    window.close()
    window.project.close()
    print("closed")
    """
)


def test_a_script_driving_the_window_exits_with_status_zero(demo_path, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(demo_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert "Fatal Python error" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 0 and "closed" in done.stdout, done.stderr[-2000:]
