"""The choices an agreement analysis takes, importable without the statistics (the CLI's --help)."""

from __future__ import annotations

from typing import Literal

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS = ("identity", "linear", "quadratic")
