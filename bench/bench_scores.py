"""Session scores and `codes import` at the expected size and at 10x and 100x.

Expected: a 50-minute session coded with ~100 codes (10 segments); a lab's CODES.csv of 20
sessions x 50 codes = 1,000 rows. Measured at 10x and 100x of each.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import Figure, median_p95, timed_ms
from rupture_coder.domain import ParsedSession, ParsedUtterance
from rupture_coder.resources import default_codebook_path
from rupture_coder.services import ProjectService, queries
from rupture_coder.services.project import AddRater, RegisterCodebook
from rupture_coder.services.sessions import CreateSession
from rupture_coder.store.db import open_project
from rupture_coder.study.code_import import import_codes
from rupture_coder.study.summaries import session_summary

CB = ("3rs-individual", "1.0.0")
ITEMS = (
    [f"W{i}" for i in range(1, 8)]
    + [f"C{i}" for i in range(1, 8)]
    + [f"R{i}" for i in range(1, 12)]
)


def _project(n_sessions: int, minutes: int) -> tuple[Path, ProjectService]:
    path = Path(tempfile.mkdtemp()) / "bench.rcproj"
    svc = ProjectService(open_project(path), "bench")
    svc.run(RegisterCodebook(default_codebook_path().read_text(), "cb"))
    n = minutes * 10  # an utterance every 6 s
    for s in range(n_sessions):
        utts = [ParsedUtterance("T" if i % 2 else "P", f"utterance {i}", i * 6.0) for i in range(n)]
        svc.run(CreateSession(ParsedSession(f"session {s}", utts), CB))
    return path, svc


def _codes_csv(path: Path, sessions: int, per_session: int, utterances: int, seed: int = 1) -> Path:
    """``per_session`` codes in each session, each (item, utterance) at most once: one item is
    coded once per utterance, and the import refuses a repeat."""
    rng = np.random.default_rng(seed)
    lines = ["session,item,utterance"]
    for s in range(sessions):
        places = rng.choice(utterances * len(ITEMS), per_session, replace=False)
        for u, item in sorted((int(p) % utterances, int(p) // utterances) for p in places):
            lines.append(f"session {s},{ITEMS[item]},{u + 1}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run() -> list[Figure]:
    out = []
    for factor, minutes in ((1, 50), (10, 50), (100, 500)):
        codes = 100 * factor
        path, svc = _project(1, minutes)
        svc.run(AddRater("Ann"))
        _codes_csv(path.with_name("codes.csv"), 1, codes, minutes * 10)
        import_codes(svc, path.with_name("codes.csv"), rater="Ann")
        sid = queries.list_sessions(svc.project)[0].id
        rid = queries.raters(svc.project)[0].id
        median, p95 = median_p95(
            timed_ms(lambda sid=sid, rid=rid, p=svc.project: session_summary(p, sid, rid), 7)
        )
        out.append(Figure("session summary (scores)", f"{minutes} min, {codes:,} codes", median,
                          "ms", p95=p95, reference="work"))  # fmt: skip
        svc.project.close()
    for factor in (1, 10, 100):
        rows = 1_000 * factor
        sessions = 20 * min(factor, 10)
        path, svc = _project(sessions, 50)
        csv = _codes_csv(path.with_name("codes.csv"), sessions, rows // sessions, 500)
        t0 = time.perf_counter()
        result = import_codes(svc, csv, rater="Ann")
        seconds = time.perf_counter() - t0
        assert result.codes == rows
        out.append(Figure("codes import (one command)", f"{rows:,} rows, {sessions} sessions", seconds,
                          "s", reference="work", note=f"{rows / seconds:,.0f} rows/s"))  # fmt: skip
        svc.project.close()
    return out
