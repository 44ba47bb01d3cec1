"""The coding workspace at every size: key press to committed-and-shown at 500, 5,000 and 50,000 codes
in one session; opening sessions of 1,000, 5,000 and 20,000 utterances; a session with 50,000 codes
and a consistency warning on each (time and peak memory, in a child process); a project of 1,000
sessions (open, switch); the AnnoMI corpus as a project of 133 real sessions."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench import build  # noqa: E402
from bench.common import SHARED, Figure, child, median_p95  # noqa: E402

KEY_SIZES = (500, 5_000, 50_000)
OPEN_SIZES = (1_000, 5_000, 20_000)
PRESSES = 60


def _app():
    from rupture_coder.gui.app import make_app

    return make_app()


def _open(path: Path, rater: str):
    from rupture_coder.gui.app import open_main_window

    app = _app()
    window = open_main_window(path, rater_id=rater)
    window.show()
    app.processEvents()
    return window


def _close(window) -> None:
    window.close()
    window.project.close()
    window.deleteLater()
    _app().processEvents()


def key_presses(n_codes: int) -> tuple[list[float], list[float]]:
    """(ms from key press to the code committed and shown in the transcript, ms of the deferred
    refresh of the slower views that follows a burst of presses)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    path, rater, _sid = build.big_session(5_000, n_codes)
    app = _app()
    window = _open(path, rater)
    window.activateWindow()
    window.view.setFocus()
    app.processEvents()
    times = []
    for k in range(PRESSES):
        row = 3 + k * 73
        window.view.select_rows(row)
        app.processEvents()
        here = {c.item_id for c in window.model.codes_at(row)}
        key = next(key for key, item in build.HOTKEYS.items() if item not in here)
        before = len(window.model.codes_at(row))
        t0 = time.perf_counter()
        QTest.keyClick(window.view, getattr(Qt.Key, f"Key_{key}"))
        while len(window.model.codes_at(row)) == before:  # committed, and shown in the transcript
            app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
    slow = [slow_refresh(window) for _ in range(5)]
    _close(window)
    return times, slow


def slow_refresh(window) -> tuple[float, float]:
    """(ms the GUI thread spends on the deferred refresh, ms until its worker part is shown too)."""
    from PySide6.QtTest import QTest

    t0 = time.perf_counter()
    window._refresh_slow_views()
    t1 = time.perf_counter()
    while not window.slow_views_current():
        QTest.qWait(2)
    return (t1 - t0) * 1000, (time.perf_counter() - t0) * 1000


def open_session(n_utt: int) -> list[float]:
    """Seconds to open the app's window on a session of ``n_utt`` utterances (one code per ten)."""
    path, rater, _sid = build.big_session(n_utt, n_utt // 10)
    out = []
    for _ in range(5):
        t0 = time.perf_counter()
        window = _open(path, rater)
        out.append(time.perf_counter() - t0)
        _close(window)
    return out


def many_sessions(n: int = 1_000) -> tuple[list[float], list[float]]:
    """(seconds to open a project of ``n`` sessions of 300 utterances, ms per switch of session)."""
    from bench.build import ITEMS, add_sessions, code_row, insert_rows, new_project, utterances
    from rupture_coder.domain import ParsedSession
    from rupture_coder.store.models import CodeEvent

    path, project, _svc, (rater,) = new_project()
    sids = []
    for k in range(0, n, 250):
        sids += add_sessions(project, [ParsedSession(f"session {s}", utterances(300))
                                       for s in range(k, min(k + 250, n))])  # fmt: skip
    by_session = build.utterance_ids_by_session(project)
    codes = [
        code_row(sid, rater, ITEMS[i % 25], by_session[sid][i * 7])
        for sid in sids[: n // 2]
        for i in range(40)
    ]  # the rater coded half of them; fmt: skip
    insert_rows(project, CodeEvent, codes)
    project.close()
    opens = []
    for _ in range(3):
        t0 = time.perf_counter()
        window = _open(path, rater)
        opens.append(time.perf_counter() - t0)
        if len(opens) < 3:
            _close(window)
    app = _app()
    switches = []
    for k in range(20):
        item = window.sessions.topLevelItem((k * 37) % window.sessions.topLevelItemCount())
        t0 = time.perf_counter()
        window.sessions.setCurrentItem(item)
        app.processEvents()
        switches.append((time.perf_counter() - t0) * 1000)
    _close(window)
    return opens, switches


def annomi_project() -> list[float] | None:
    corpus = SHARED / "data" / "annomi" / "AnnoMI-simple.csv"
    if not corpus.exists():
        return None
    from rupture_coder.services import ProjectService
    from rupture_coder.services.imports import plan_import, run_import
    from rupture_coder.store.db import open_project

    path, project, _svc, (rater,) = build.new_project()
    run_import(ProjectService(project, "bench"), plan_import(project, [corpus]), "repair")
    project.close()
    out = []
    for _ in range(3):
        t0 = time.perf_counter()
        window = _open(path, rater)
        out.append(time.perf_counter() - t0)
        _close(window)
    del open_project
    return out


def warnings_session() -> list:
    """A session of 5,000 utterances with 50,000 codes, each a resolution strategy with no rupture
    before it (a warning each), opened in a child process: seconds and peak memory."""
    path, rater, _sid = build.big_session(5_000, 50_000, build.RESOLUTION)
    runs = [child([sys.executable, "-m", "bench.child", "open", str(path), rater],
                  timeout=120, max_rss_mb=4_000) for _ in range(3)]  # fmt: skip
    done = [r for r in runs if not r.killed and r.returncode == 0]
    if not done:
        note = runs[0].killed or f"exit {runs[0].returncode}"
        return [Figure("open a session with a warning on every code", "50,000 codes", None, "s", 2.0, note=note)]  # fmt: skip
    return [
        Figure("open a session with a warning on every code, all listed", "50,000 codes",
               statistics.median(r.result()["open_s"] for r in done), "s", 2.0, reference="work",
               note=f"shown after {statistics.median(r.result()['shown_s'] for r in done):.2f} s; "
                    f"{done[0].result()['warnings']:,} warnings; window {done[0].result()['height']} px tall"),
        Figure("  peak memory of that process", "50,000 codes",
               statistics.median(r.peak_mb for r in done), "MB", 600.0),
    ]  # fmt: skip


def run() -> list[Figure]:
    os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp(prefix="rc-bench-config-"))
    out = []
    medians = {}
    for n in KEY_SIZES:
        presses, slow = key_presses(n)
        med, p95 = median_p95(presses)
        medians[n] = med
        out.append(Figure("key press to committed and shown", f"{n:,} codes", med, "ms", 50.0,
                          p95=p95, p95_target=100.0, reference="work"))  # fmt: skip
        out.append(Figure("  then the deferred refresh, on the GUI thread", f"{n:,} codes",
                          statistics.median(s[0] for s in slow), "ms", 100.0, reference="work",
                          note=f"warnings listed after {statistics.median(s[1] for s in slow):.0f} ms (worker)"))  # fmt: skip
    out.append(Figure("key press: 50,000 codes / 500 codes", "", medians[50_000] / medians[500], "x", 1.5))  # fmt: skip
    opens = {}
    for n in OPEN_SIZES:
        opens[n] = statistics.median(open_session(n))
        out.append(Figure("open the workspace on a session", f"{n:,} utterances", opens[n], "s",
                          1.0 if n == 20_000 else None, reference="work"))  # fmt: skip
    growth = (opens[20_000] - opens[5_000]) / 15_000 / ((opens[5_000] - opens[1_000]) / 4_000)
    out.append(Figure("  cost per utterance, 5k-20k / 1k-5k (1 = linear)", "", growth, "x", 1.5))
    out += warnings_session()
    opens_many, switches = many_sessions()
    out.append(Figure("open a project of many sessions", "1,000 sessions",
                      statistics.median(opens_many), "s", 2.0, reference="work"))  # fmt: skip
    med, p95 = median_p95(switches)
    out.append(
        Figure("switch session", "1,000 sessions", med, "ms", 200.0, p95=p95, reference="work")
    )
    annomi = annomi_project()
    if annomi is None:
        out.append(
            Figure("open the AnnoMI project", "133 sessions", None, "s", note="corpus absent")
        )
    else:
        out.append(Figure("open the AnnoMI project", "133 sessions", statistics.median(annomi),
                          "s", 2.0, reference="work"))  # fmt: skip
    return out
