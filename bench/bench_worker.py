"""The window while long work runs on the worker (gui/tasks.py): the longest stall of the GUI thread's
event loop (a 5 ms timer's longest gap) during a merge, an export, agreement, a study report and an
import of many files, each with its progress dialog on screen."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench import build  # noqa: E402
from bench.bench_import import synthetic_session  # noqa: E402
from bench.bench_study import build_packages  # noqa: E402
from bench.common import Figure, child, emit  # noqa: E402

TARGET_MS = 100.0


def stall_during(title: str, work) -> tuple[float, float, str]:
    """(seconds the work took, longest gap between two ticks of a 5 ms timer in ms, its end)."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QMainWindow

    from rupture_coder.gui.app import make_app
    from rupture_coder.gui.tasks import run_task

    make_app()
    window = QMainWindow()
    window.resize(900, 600)
    window.show()
    gaps, last = [0.0], [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps[0] = max(gaps[0], (now - last[0]) * 1000)
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    loop = QEventLoop()
    t0 = time.perf_counter()
    timer.start()
    task = run_task(window, title, work, on_error=lambda _exc: True)
    task.ended.connect(loop.quit)
    loop.exec()  # the GUI thread turns here while the worker runs
    timer.stop()
    seconds = time.perf_counter() - t0
    window.close()
    window.deleteLater()
    return seconds, gaps[0], task.state


def run() -> list[Figure]:
    """Measured in a process of its own: a stall is this scenario's, not a full collection walking
    the dozens of main windows the workspace benchmark opened before it in the same process (the
    app has one main window; measured after them, the merge's stall was 0.9-1.1 s, alone 12-22 ms)."""
    done = child([sys.executable, "-m", "bench.bench_worker"], timeout=1200)
    figures = done.result().get("figures")
    if figures is None:
        why = done.killed or f"exit {done.returncode}"
        return [Figure("longest GUI stall while the worker works", "", None, "ms", note=why)]
    return [Figure(**f) for f in figures]


def measure() -> list[Figure]:
    from rupture_coder.services import ProjectService
    from rupture_coder.services.imports import plan_import, run_import
    from rupture_coder.store.db import backup_sqlite, open_project
    from rupture_coder.study.agreement import ProjectAgreementQuery, project_agreement
    from rupture_coder.study.exports import export_study
    from rupture_coder.study.packages import merge_packages
    from rupture_coder.study.reports import study_report

    out = []

    def row(what: str, size: str, result: tuple[float, float, str]) -> None:
        seconds, gap, state = result
        out.append(Figure(f"longest GUI stall while the worker {what}", size, gap, "ms", TARGET_MS,
                          reference="work", note=f"the work took {seconds:.1f} s ({state})"))  # fmt: skip

    lead, packages = build_packages(50, 20)
    copy = backup_sqlite(lead, lead.with_name("lead-worker.rcproj"))
    project = open_project(copy)
    service = ProjectService(project, "lead")
    row("merges packages", "50 x 20 sessions",
        stall_during("Merging", lambda p: merge_packages(service, packages, p)))  # fmt: skip
    project.close()
    study = open_project(build.study_project(300, seed=5))
    folder = Path(tempfile.mkdtemp(prefix="rc-bench-"))
    row("exports CSV tables", "300 sess. x 3 raters",
        stall_during("Exporting", lambda p: export_study(study, folder, "csv", p)))  # fmt: skip
    row("computes agreement", "300 sess. x 3 raters",
        stall_during("Agreement", lambda p: project_agreement(study, ProjectAgreementQuery(), p)))  # fmt: skip
    row("writes the study report", "300 sess. x 3 raters",
        stall_during("Report", lambda p: study_report(study, folder / "study.docx", p)))  # fmt: skip
    study.close()
    files = []
    for k in range(40):  # each a different file (the same content twice is refused as a repeat)
        path = synthetic_session(folder / f"session-{k:02d}.txt", n=500, hours=0.5)
        path.write_text(f"# Client {k}\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
        files.append(path)
    fresh = open_project(folder / "imports.rcproj")

    def import_all(progress):
        plan = plan_import(fresh, files, progress=progress)
        return run_import(ProjectService(fresh, "bench"), plan, "repair", progress)

    row("imports files", "40 files x 500 utt.", stall_during("Importing", import_all))
    fresh.close()
    return out


if __name__ == "__main__":
    emit({"figures": [asdict(f) for f in measure()]})
