"""The coding workspace with a big session: open a 5,000-utterance session (target < 1 s) and code
by key press with 2,000 codes already there (target < 50 ms from key press to committed and shown)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from rupture_coder.domain import ParsedSession, ParsedUtterance  # noqa: E402
from rupture_coder.resources import default_codebook_path  # noqa: E402
from rupture_coder.services import ProjectService  # noqa: E402
from rupture_coder.services.coding import AddCode, CodeSpec  # noqa: E402
from rupture_coder.services.project import AddRater, RegisterCodebook  # noqa: E402
from rupture_coder.services.sessions import CreateSession  # noqa: E402
from rupture_coder.store.db import open_project  # noqa: E402

CB = ("3rs-individual", "1.0.0")
KEYS = "1234567QWERTYU"


def build(n_utt: int = 5000, n_codes: int = 2000) -> tuple[Path, str]:
    path = Path(tempfile.mkdtemp()) / "big.rcproj"
    project = open_project(path)
    svc = ProjectService(project, "bench")
    svc.run(RegisterCodebook(default_codebook_path().read_text(), "cb"))
    rater = svc.run(AddRater("bench coder")).result.id
    utts = [
        ParsedUtterance(
            "T" if i % 2 else "P", f"utterance {i}: " + "some words " * (3 + i % 9), i * 2.16
        )
        for i in range(n_utt)
    ]
    session = svc.run(CreateSession(ParsedSession("3-hour session", utts), CB)).result
    from sqlalchemy import select

    from rupture_coder.store.models import Utterance

    with project.read() as db:
        ids = db.scalars(
            select(Utterance.id).filter_by(session_id=session.id).order_by(Utterance.position)
        ).all()
    items = (
        [f"W{i}" for i in range(1, 8)]
        + [f"C{i}" for i in range(1, 8)]
        + [f"R{i}" for i in range(1, 12)]
    )
    for k in range(n_codes):
        svc.run(
            AddCode(session.id, rater, CB, CodeSpec(items[k % len(items)], ids[(k * 7) % n_utt]))
        )
    project.close()
    return path, rater


def run() -> list[tuple[str, str]]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from rupture_coder.gui.app import make_app, open_main_window

    app = make_app()
    path, rater = build()
    opens = []
    for _ in range(5):
        t0 = time.perf_counter()
        window = open_main_window(path, rater_id=rater)
        window.show()
        app.processEvents()
        opens.append(time.perf_counter() - t0)
        if len(opens) < 5:
            window.close()
            window.project.close()
    window.activateWindow()
    window.view.setFocus()
    app.processEvents()
    times = []
    for k in range(60):
        row = 3 + k * 11
        window.view.select_rows(row)
        app.processEvents()
        before = len(window.model.codes_at(row))
        t0 = time.perf_counter()
        QTest.keyClick(window.view, getattr(Qt.Key, f"Key_{KEYS[k % len(KEYS)]}"))
        while len(window.model.codes_at(row)) == before:  # committed, and shown in the transcript
            app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    window.close()
    return [
        (
            "open the app on a 5,000-utterance session (window shown)",
            f"median {statistics.median(opens):.2f} s (target < 1 s)",
        ),
        (
            "code by key press, 2,000 codes in the session",
            f"median {statistics.median(times):.1f} ms, p95 {times[int(0.95 * len(times)) - 1]:.1f} ms (target < 50 ms)",
        ),
    ]
