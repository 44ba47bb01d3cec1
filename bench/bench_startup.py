"""Start-up, in CPU seconds of whole processes (the kernel's accounting): ``rupture-coder --help`` and
the desktop app up to the first paint of its window, each against ``python -c pass``."""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from bench import build
from bench.common import Figure, child

RUNS = 7


def help_cpu() -> list[float]:
    command = Path(sys.executable).with_name("rupture-coder")
    return [child([str(command), "--help"]).cpu for _ in range(RUNS)]


def first_paint_cpu() -> tuple[list[float], str]:
    path, rater, _sid = build.big_session(300, 100)
    env = {"XDG_CONFIG_HOME": tempfile.mkdtemp(prefix="rc-bench-config-"),
           "QT_QPA_PLATFORM": "offscreen"}  # fmt: skip
    cmd = [sys.executable, "-m", "bench.child", "first-paint", str(path), rater]
    runs = [child(cmd, timeout=60, env=env) for _ in range(RUNS)]
    good = [r.result()["cpu_s"] for r in runs if r.result()]
    return good, "" if good else (runs[0].killed or f"exit {runs[0].returncode}")


def run() -> list[Figure]:
    out = [Figure("rupture-coder --help", "CPU", statistics.median(help_cpu()), "s CPU", 0.3,
                  reference="python")]  # fmt: skip
    paint, why = first_paint_cpu()
    out.append(Figure("desktop app to first paint", "CPU", statistics.median(paint) if paint else None,
                      "s CPU", 2.0, reference="python", note=why))  # fmt: skip
    return out
