"""The Qt binding must keep Python's reference counts: PySide6 6.12.0 under Python 3.11 dropped a
reference to None on every call of a void method, so the app aborted ("deallocating None") after a
few thousand calls, e.g. while a worker ran and the event loop turned."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel


def test_void_qt_calls_leave_the_reference_count_of_none_alone(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
        QCoreApplication.processEvents()
    assert sys.getrefcount(None) >= before - 50  # a few Nones may be freed meanwhile, not 4,000
