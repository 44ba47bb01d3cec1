"""Connecting buttons safely.

``clicked`` sends ``checked`` (a bool). Connected to ``lambda r=rater: ...`` it lands in the first
default argument: "Keep Bob" stored Ann's code and "N/A" sent ``False`` as a rating value.
Every button of the app is connected through ``on_click``, which drops ``checked``; a test keeps
lambdas with default arguments away from ``clicked``/``triggered``/``toggled``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton


def on_click(button: QAbstractButton | QAction, action: Callable[[], Any]) -> None:
    """Call ``action()`` (with no argument) each time the button is clicked or the action fires."""
    signal = button.triggered if isinstance(button, QAction) else button.clicked
    signal.connect(lambda _checked=False: action())
